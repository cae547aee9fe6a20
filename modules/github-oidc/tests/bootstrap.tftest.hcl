# Plan-time refusals of the bootstrap module, with a mocked AWS provider: each
# bad input fails at plan with a message that says what to write instead
# (tests/module/test_github_oidc_module.py runs `terraform test` here and reads
# the messages). What the planned roles may do is judged by the IAM evaluator on
# the applied bootstraps (tests/iam).

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = {
      json          = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
      minified_json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
}

variables {
  name_prefix           = "ddb-warmer-bootstrap"
  github_repository     = "octo-org/ddb-warmer"
  github_repository_ids = { owner = 1001, repository = 2002 }
  environments          = ["dev", "prod"]
  state_buckets         = ["ddb-warmer-tfstate-123456789012-eu-west-1"]
}

run "a_good_configuration_plans_a_plan_role_and_an_apply_role_per_environment" {
  command = plan

  assert {
    condition     = toset(keys(aws_iam_role.ci)) == toset(["plan", "apply-dev", "apply-prod"])
    error_message = "one plan role and an apply role per environment"
  }
}

run "an_environment_whose_name_starts_with_another_and_a_dash_is_refused" {
  command = plan
  variables {
    environments = ["dev", "dev-eu", "prod"]
  }
  expect_failures = [var.environments]
}

run "an_alarm_topic_with_a_wildcard_is_refused" {
  command = plan
  variables {
    alarm_topic_arns = { prod = ["arn:aws:sns:eu-west-1:123456789012:*"] }
  }
  expect_failures = [var.alarm_topic_arns]
}
