# IAM's size quotas, with the real policy documents (only the account and the
# partition are given): a role's inline policies may hold 10,240 characters, a
# managed policy 6,144. The bootstrap of an account whose environments span
# every region it may use still plans, and a policy that would outgrow a quota
# is refused at plan time rather than halfway through an apply.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html

provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "mock-access-key"
  secret_key                  = "mock-secret-key"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

override_data {
  target = data.aws_caller_identity.current
  values = { account_id = "123456789012" }
}

override_data {
  target = data.aws_partition.current
  values = { partition = "aws" }
}

variables {
  name_prefix           = "ddb-warmer-bootstrap"
  github_repository     = "octo-org/ddb-warmer"
  github_repository_ids = { owner = 1001, repository = 2002 }
  environments          = ["sandbox", "dev", "staging", "production", "disaster-recovery"]
  state_buckets = [
    "ddb-warmer-tfstate-123456789012-us-east-1",
    "ddb-warmer-tfstate-123456789012-us-east-2",
    "ddb-warmer-tfstate-123456789012-us-west-1",
    "ddb-warmer-tfstate-123456789012-us-west-2",
    "ddb-warmer-tfstate-123456789012-ca-central-1",
    "ddb-warmer-tfstate-123456789012-eu-west-1",
    "ddb-warmer-tfstate-123456789012-eu-west-2",
    "ddb-warmer-tfstate-123456789012-eu-west-3",
    "ddb-warmer-tfstate-123456789012-eu-central-1",
    "ddb-warmer-tfstate-123456789012-eu-north-1",
    "ddb-warmer-tfstate-123456789012-eu-south-1",
    "ddb-warmer-tfstate-123456789012-ap-northeast-1",
    "ddb-warmer-tfstate-123456789012-ap-northeast-2",
    "ddb-warmer-tfstate-123456789012-ap-southeast-1",
    "ddb-warmer-tfstate-123456789012-ap-southeast-2",
    "ddb-warmer-tfstate-123456789012-ap-south-1",
    "ddb-warmer-tfstate-123456789012-sa-east-1",
  ]
  alarm_topic_arns = {
    sandbox           = ["arn:aws:sns:us-east-1:123456789012:sandbox-oncall", "arn:aws:sns:us-east-2:123456789012:sandbox-oncall", "arn:aws:sns:us-west-1:123456789012:sandbox-oncall", "arn:aws:sns:us-west-2:123456789012:sandbox-oncall", "arn:aws:sns:ca-central-1:123456789012:sandbox-oncall", "arn:aws:sns:eu-west-1:123456789012:sandbox-oncall", "arn:aws:sns:eu-west-2:123456789012:sandbox-oncall", "arn:aws:sns:eu-west-3:123456789012:sandbox-oncall", "arn:aws:sns:eu-central-1:123456789012:sandbox-oncall", "arn:aws:sns:eu-north-1:123456789012:sandbox-oncall", "arn:aws:sns:eu-south-1:123456789012:sandbox-oncall", "arn:aws:sns:ap-northeast-1:123456789012:sandbox-oncall", "arn:aws:sns:ap-northeast-2:123456789012:sandbox-oncall", "arn:aws:sns:ap-southeast-1:123456789012:sandbox-oncall", "arn:aws:sns:ap-southeast-2:123456789012:sandbox-oncall", "arn:aws:sns:ap-south-1:123456789012:sandbox-oncall", "arn:aws:sns:sa-east-1:123456789012:sandbox-oncall"]
    dev               = ["arn:aws:sns:us-east-1:123456789012:dev-oncall", "arn:aws:sns:us-east-2:123456789012:dev-oncall", "arn:aws:sns:us-west-1:123456789012:dev-oncall", "arn:aws:sns:us-west-2:123456789012:dev-oncall", "arn:aws:sns:ca-central-1:123456789012:dev-oncall", "arn:aws:sns:eu-west-1:123456789012:dev-oncall", "arn:aws:sns:eu-west-2:123456789012:dev-oncall", "arn:aws:sns:eu-west-3:123456789012:dev-oncall", "arn:aws:sns:eu-central-1:123456789012:dev-oncall", "arn:aws:sns:eu-north-1:123456789012:dev-oncall", "arn:aws:sns:eu-south-1:123456789012:dev-oncall", "arn:aws:sns:ap-northeast-1:123456789012:dev-oncall", "arn:aws:sns:ap-northeast-2:123456789012:dev-oncall", "arn:aws:sns:ap-southeast-1:123456789012:dev-oncall", "arn:aws:sns:ap-southeast-2:123456789012:dev-oncall", "arn:aws:sns:ap-south-1:123456789012:dev-oncall", "arn:aws:sns:sa-east-1:123456789012:dev-oncall"]
    staging           = ["arn:aws:sns:us-east-1:123456789012:staging-oncall", "arn:aws:sns:us-east-2:123456789012:staging-oncall", "arn:aws:sns:us-west-1:123456789012:staging-oncall", "arn:aws:sns:us-west-2:123456789012:staging-oncall", "arn:aws:sns:ca-central-1:123456789012:staging-oncall", "arn:aws:sns:eu-west-1:123456789012:staging-oncall", "arn:aws:sns:eu-west-2:123456789012:staging-oncall", "arn:aws:sns:eu-west-3:123456789012:staging-oncall", "arn:aws:sns:eu-central-1:123456789012:staging-oncall", "arn:aws:sns:eu-north-1:123456789012:staging-oncall", "arn:aws:sns:eu-south-1:123456789012:staging-oncall", "arn:aws:sns:ap-northeast-1:123456789012:staging-oncall", "arn:aws:sns:ap-northeast-2:123456789012:staging-oncall", "arn:aws:sns:ap-southeast-1:123456789012:staging-oncall", "arn:aws:sns:ap-southeast-2:123456789012:staging-oncall", "arn:aws:sns:ap-south-1:123456789012:staging-oncall", "arn:aws:sns:sa-east-1:123456789012:staging-oncall"]
    production        = ["arn:aws:sns:us-east-1:123456789012:production-oncall", "arn:aws:sns:us-east-2:123456789012:production-oncall", "arn:aws:sns:us-west-1:123456789012:production-oncall", "arn:aws:sns:us-west-2:123456789012:production-oncall", "arn:aws:sns:ca-central-1:123456789012:production-oncall", "arn:aws:sns:eu-west-1:123456789012:production-oncall", "arn:aws:sns:eu-west-2:123456789012:production-oncall", "arn:aws:sns:eu-west-3:123456789012:production-oncall", "arn:aws:sns:eu-central-1:123456789012:production-oncall", "arn:aws:sns:eu-north-1:123456789012:production-oncall", "arn:aws:sns:eu-south-1:123456789012:production-oncall", "arn:aws:sns:ap-northeast-1:123456789012:production-oncall", "arn:aws:sns:ap-northeast-2:123456789012:production-oncall", "arn:aws:sns:ap-southeast-1:123456789012:production-oncall", "arn:aws:sns:ap-southeast-2:123456789012:production-oncall", "arn:aws:sns:ap-south-1:123456789012:production-oncall", "arn:aws:sns:sa-east-1:123456789012:production-oncall"]
    disaster-recovery = ["arn:aws:sns:us-east-1:123456789012:disaster-recovery-oncall", "arn:aws:sns:us-east-2:123456789012:disaster-recovery-oncall", "arn:aws:sns:us-west-1:123456789012:disaster-recovery-oncall", "arn:aws:sns:us-west-2:123456789012:disaster-recovery-oncall", "arn:aws:sns:ca-central-1:123456789012:disaster-recovery-oncall", "arn:aws:sns:eu-west-1:123456789012:disaster-recovery-oncall", "arn:aws:sns:eu-west-2:123456789012:disaster-recovery-oncall", "arn:aws:sns:eu-west-3:123456789012:disaster-recovery-oncall", "arn:aws:sns:eu-central-1:123456789012:disaster-recovery-oncall", "arn:aws:sns:eu-north-1:123456789012:disaster-recovery-oncall", "arn:aws:sns:eu-south-1:123456789012:disaster-recovery-oncall", "arn:aws:sns:ap-northeast-1:123456789012:disaster-recovery-oncall", "arn:aws:sns:ap-northeast-2:123456789012:disaster-recovery-oncall", "arn:aws:sns:ap-southeast-1:123456789012:disaster-recovery-oncall", "arn:aws:sns:ap-southeast-2:123456789012:disaster-recovery-oncall", "arn:aws:sns:ap-south-1:123456789012:disaster-recovery-oncall", "arn:aws:sns:sa-east-1:123456789012:disaster-recovery-oncall"]
  }
}

run "five_environments_in_seventeen_regions_with_a_topic_each_plan_within_the_quotas" {
  command = plan

  assert {
    condition     = length(aws_iam_role_policy_attachment.shared) == 2 * (1 + length(var.environments))
    error_message = "every CI role carries the shared reads and denies"
  }
}

run "a_prefix_that_outgrows_the_quotas_is_refused_at_plan_time" {
  command = plan
  variables {
    warmer_name_prefix = "a-very-long-warmer-name-prefix-a-very-long-warmer-name-prefix-a-very-long-warmer-name-prefix-a-very-long-warmer-name-prefix-a-very-long-warmer-name-prefix-a-very-long-warmer-name-prefix-a-very-long-warmer-name-prefix-a-very-long-warmer-name-prefix-a-very-long-warmer-name-prefix-a-very-long-warmer-name-prefix-"
  }
  # Every policy names the prefix in most of its resources: the inline and the shared ones outgrow their quotas.
  expect_failures = [aws_iam_role_policy.apply, aws_iam_policy.shared]
}
