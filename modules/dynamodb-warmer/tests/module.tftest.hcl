# Plan-time behaviour of the module, with a mocked AWS provider: a good
# configuration plans every resource as intended, and every validation rejects
# its bad input. `terraform test` in this folder's parent runs it (make test does).

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_region" {
    defaults = { id = "eu-west-1", name = "eu-west-1" }
  }
  mock_data "aws_dynamodb_tables" {
    defaults = { names = ["orders", "events", "prod-a", "prod-b", "prod-tmp-1", "other"] }
  }
  mock_data "aws_dynamodb_table" {
    defaults = { billing_mode = "PROVISIONED", global_secondary_index = [] }
  }
  mock_data "aws_iam_policy_document" {
    defaults = {
      json          = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
      minified_json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
}

variables {
  name_prefix  = "ddb-warmer-test"
  package_path = "tests/fixture-package.zip"
  tables = [
    { name = "orders" },
    { name = "events", read = true, write = false, indexes = [{ name = "by_user", read = true }] },
  ]
}

run "a_good_configuration_plans_the_function_schedule_and_alarms" {
  command = plan

  assert {
    condition     = aws_lambda_function.this.runtime == "python3.13" && aws_lambda_function.this.architectures == tolist(["arm64"])
    error_message = "the function must run python3.13 on arm64"
  }
  assert {
    condition     = aws_lambda_function.this.memory_size == 128 && aws_lambda_function.this.timeout == 60
    error_message = "the function defaults to 128 MB and a 60 s timeout"
  }
  assert {
    condition = jsondecode(aws_lambda_function.this.environment[0].variables.WARMER_CONFIG) == {
      tables = [
        { name = "orders" },
        { name = "events", read = true, write = false, indexes = [{ name = "by_user", read = true }] },
      ]
      patterns    = []
      exclude     = []
      dry_run     = false
      max_workers = 32
    }
    error_message = "WARMER_CONFIG must carry the tables as given, unset settings left out"
  }
  assert {
    condition     = aws_scheduler_schedule.this.schedule_expression == "rate(1 minute)" && aws_scheduler_schedule.this.state == "ENABLED"
    error_message = "the schedule runs every minute by default"
  }
  assert {
    condition     = aws_scheduler_schedule.this.flexible_time_window[0].mode == "OFF"
    error_message = "ticks must come on the minute"
  }
  assert {
    condition     = aws_scheduler_schedule.this.target[0].retry_policy[0].maximum_event_age_in_seconds == 60
    error_message = "stale ticks must be dropped after a minute"
  }
  assert {
    condition     = aws_lambda_function_event_invoke_config.this.maximum_retry_attempts == 0
    error_message = "Lambda must not retry a tick late"
  }
  assert {
    condition     = aws_sqs_queue.dead_letter.sqs_managed_sse_enabled == true
    error_message = "the dead-letter queue must be encrypted"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.this["no-successful-tick"].alarm_name == "ddb-warmer-test-warmer-no-successful-tick" && aws_cloudwatch_metric_alarm.this["no-successful-tick"].treat_missing_data == "breaching"
    error_message = "no tick at all must count as no successful tick"
  }

  # sustained failure separate alarms for failing tables and a stopped tick
  assert {
    condition = (
      aws_cloudwatch_metric_alarm.this["errors"].datapoints_to_alarm == 3 && aws_cloudwatch_metric_alarm.this["errors"].evaluation_periods == 5
      && aws_cloudwatch_metric_alarm.this["tick-not-running"].metric_name == "Invocations"
      && aws_cloudwatch_metric_alarm.this["tick-not-running"].treat_missing_data == "breaching"
      && aws_cloudwatch_log_metric_filter.failing_tables.metric_transformation[0].value == "$.counts.failed"
    )
    error_message = "errors must fire on 3 of 5 minutes, tick-not-running on missing invocations, and the failing-table count must come from the tick line"
  }

  # a small configuration stays in the environment
  assert {
    condition     = jsondecode(aws_lambda_function.this.environment[0].variables["WARMER_CONFIG"]).tables[0].name == "orders" && length(aws_ssm_parameter.config) == 0
    error_message = "a configuration that fits Lambda's 4 KB stays in WARMER_CONFIG"
  }

  # within the detail limit every table found is detailed
  assert {
    condition     = keys(output.resolved_tables) == ["events", "orders"] && output.resolved_tables_summary == "2 tables found (2 listed, 0 by table_name_patterns), each detailed in resolved_tables."
    error_message = "a small configuration is detailed table by table, as before: ${output.resolved_tables_summary}"
  }

  # the runtime changes only with a deploy by default
  assert {
    condition     = aws_lambda_runtime_management_config.this.update_runtime_on == "FunctionUpdate" && aws_lambda_runtime_management_config.this.runtime_version_arn == null
    error_message = "the function's runtime must change only when it is deployed, unless asked otherwise"
  }
  assert {
    condition     = aws_lambda_runtime_management_config.this.function_name == "ddb-warmer-test-warmer"
    error_message = "the runtime management configuration must be the warmer function's"
  }

  # ticks on the stock request path are counted for doctor
  assert {
    condition     = aws_cloudwatch_log_metric_filter.stock_request_path.pattern == "{ $.event = \"tick\" && $.request_path.path = \"stock\" }"
    error_message = "the metric filter must count the tick lines that report the stock request path"
  }
  assert {
    condition     = aws_cloudwatch_log_metric_filter.stock_request_path.metric_transformation[0].name == "StockRequestPathTicks" && aws_cloudwatch_log_metric_filter.stock_request_path.metric_transformation[0].namespace == "DdbWarmer/ddb-warmer-test-warmer"
    error_message = "the stock path count must be DdbWarmer/<function>'s StockRequestPathTicks, where doctor reads it"
  }
}

run "each_setting_reaches_its_resources" {
  command = plan

  # Settings that touch different resources, planned together; each assertion names its setting.
  variables {
    tags             = { Team = "platform" }
    schedule_enabled = false
    kms_key_arn      = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    runtime_management = {
      update_runtime_on   = "Manual"
      runtime_version_arn = "arn:aws:lambda:eu-west-1::runtime:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    }
    notifications = { topic_arn = "arn:aws:sns:eu-west-1:123456789012:oncall" }
    runbook_url   = "https://example.com/ddb-warmer/docs/operations.md"
  }

  # tags reach every taggable resource
  assert {
    condition = alltrue([
      for tags in [
        aws_lambda_function.this.tags, aws_iam_role.lambda.tags, aws_iam_role.scheduler.tags,
        aws_sqs_queue.dead_letter.tags, aws_cloudwatch_log_group.this.tags,
        aws_cloudwatch_metric_alarm.this["errors"].tags, aws_cloudwatch_metric_alarm.this["dead-letters"].tags,
        aws_cloudwatch_metric_alarm.this["no-successful-tick"].tags,
      ] : tags["Team"] == "platform"
    ])
    error_message = "every taggable resource must carry the tags input"
  }

  # a disabled schedule keeps everything and stops ticking
  assert {
    condition     = aws_scheduler_schedule.this.state == "DISABLED" && aws_cloudwatch_metric_alarm.this["no-successful-tick"].treat_missing_data == "notBreaching"
    error_message = "a paused warmer is disabled, not destroyed, and does not alarm for missing ticks"
  }

  # a customer managed key encrypts logs queue schedule and environment
  assert {
    condition = alltrue([
      aws_cloudwatch_log_group.this.kms_key_id == var.kms_key_arn,
      aws_sqs_queue.dead_letter.kms_master_key_id == var.kms_key_arn,
      aws_scheduler_schedule.this.kms_key_arn == var.kms_key_arn,
      aws_lambda_function.this.kms_key_arn == var.kms_key_arn,
    ])
    error_message = "kms_key_arn must reach the log group, the queue, the schedule and the function"
  }

  # a runtime version is pinned in manual mode
  assert {
    condition     = aws_lambda_runtime_management_config.this.update_runtime_on == "Manual" && aws_lambda_runtime_management_config.this.runtime_version_arn == "arn:aws:lambda:eu-west-1::runtime:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    error_message = "Manual mode must pin the runtime version given"
  }

  # every alarm notifies an existing topic on alarm and ok and links its runbook section
  assert {
    condition = alltrue([
      for key, alarm in aws_cloudwatch_metric_alarm.this :
      alarm.alarm_actions == toset(["arn:aws:sns:eu-west-1:123456789012:oncall"]) && alarm.ok_actions == toset(["arn:aws:sns:eu-west-1:123456789012:oncall"])
      && strcontains(alarm.alarm_description, "Runbook: https://example.com/ddb-warmer/docs/operations.md#alarm-${key}")
    ])
    error_message = "every alarm must send ALARM and OK to the environment's topic and link its runbook section"
  }
  assert {
    condition     = length(aws_sns_topic.alarms) == 0
    error_message = "an existing topic is used, not a new one"
  }
}

run "a_rate_slower_than_a_minute_plans_with_a_warning" {
  command = plan

  variables {
    schedule_expression = "rate(5 minutes)"
  }

  expect_failures = [check.schedule_rate]
}

# Variables' validations are independent of each other: each run gives one bad value to several
# variables, and each must fail on its own (a missing expected failure names the variable).
run "rejects_a_bad_value_of_each_input" {
  command = plan
  variables {
    schedule_expression          = "rate(5 minute)"
    table_name_patterns          = ["prod orders/*"]
    tables                       = [{ name = "orders table" }]
    max_workers                  = 0
    log_retention_days           = 45
    name_prefix                  = "-warmer"
    tracing_mode                 = "On"
    memory_size                  = 64
    timeout                      = 10
    alarm_actions                = ["oncall@example.com"]
    no_successful_tick_minutes   = 1
    resolved_tables_detail_limit = -1
    runtime_management           = { update_runtime_on = "Never" }
    notifications = {
      topic_arn     = "arn:aws:sns:eu-west-1:123456789012:oncall"
      subscriptions = [{ protocol = "email", endpoint = "oncall@example.com" }]
    }
  }
  expect_failures = [
    var.schedule_expression, var.table_name_patterns, var.tables, var.max_workers, var.log_retention_days,
    var.name_prefix, var.tracing_mode, var.memory_size, var.timeout, var.alarm_actions,
    var.no_successful_tick_minutes, var.resolved_tables_detail_limit, var.runtime_management, var.notifications,
  ]
}

run "rejects_a_duplicate_table_manual_mode_without_a_runtime_version_and_an_alarm_topic_in_another_region" {
  command = plan
  variables {
    tables             = [{ name = "orders" }, { name = "orders", read = true }]
    runtime_management = { update_runtime_on = "Manual" }
    notifications      = { topic_arn = "arn:aws:sns:us-east-1:123456789012:oncall" }
    alarm_actions      = ["arn:aws:sns:us-west-2:123456789012:pager"]
    ok_actions         = ["arn:aws:sns:eu-west-1:123456789012:pager"]
  }
  expect_failures = [var.tables, var.runtime_management, var.notifications, var.alarm_actions]
}

run "rejects_a_bad_index_name_a_runtime_version_outside_manual_mode_and_an_exclude_without_patterns" {
  command = plan
  variables {
    tables = [{ name = "orders", indexes = [{ name = "x" }] }]
    runtime_management = {
      update_runtime_on   = "Auto"
      runtime_version_arn = "arn:aws:lambda:eu-west-1::runtime:0123456789abcdef"
    }
    exclude_table_name_patterns = ["prod-tmp-*"]
  }
  expect_failures = [var.tables, var.runtime_management, var.exclude_table_name_patterns]
}

run "rejects_a_duplicate_index_and_a_runtime_version_that_is_not_an_arn" {
  command = plan
  variables {
    tables             = [{ name = "orders", indexes = [{ name = "by_user" }, { name = "by_user" }] }]
    runtime_management = { update_runtime_on = "Manual", runtime_version_arn = "python3.13" }
  }
  expect_failures = [var.tables, var.runtime_management]
}

run "rejects_an_empty_table_list_without_patterns" {
  command = plan
  variables {
    tables = []
  }
  expect_failures = [aws_lambda_function.this]
}

run "patterns_alone_select_the_matching_tables_minus_the_excluded" {
  command = plan
  variables {
    tables                      = []
    table_name_patterns         = ["prod-*"]
    exclude_table_name_patterns = ["prod-tmp-*"]
  }
  assert {
    condition     = keys(output.resolved_tables) == ["prod-a", "prod-b"]
    error_message = "the plan must show the tables the patterns resolve to, without the excluded ones"
  }
  assert {
    condition = jsondecode(aws_lambda_function.this.environment[0].variables.WARMER_CONFIG) == {
      tables = [], patterns = ["prod-*"], exclude = ["prod-tmp-*"], dry_run = false, max_workers = 32
    }
    error_message = "WARMER_CONFIG carries the patterns for the function to discover on every tick"
  }
}

run "an_explicit_entry_wins_over_a_pattern" {
  command = plan
  variables {
    tables              = [{ name = "prod-a", read = true, write = false }]
    table_name_patterns = ["prod-*"]
  }
  assert {
    condition     = output.resolved_tables["prod-a"].selected_by == "tables" && output.resolved_tables["prod-a"].warms == "table read"
    error_message = "a listed table keeps its explicit settings"
  }
}

run "a_configured_table_that_does_not_exist_is_a_plan_warning_naming_it" {
  command = plan
  variables {
    tables = [{ name = "orders" }, { name = "ordres" }]
  }
  expect_failures = [check.configured_tables_exist]
}

run "a_pattern_matching_nothing_is_a_plan_warning" {
  command = plan
  variables {
    table_name_patterns = ["staging-*"]
  }
  expect_failures = [check.patterns_match_tables]
}

run "subscriptions_get_a_topic_of_their_own_that_every_alarm_notifies" {
  command = plan

  override_resource {
    target          = aws_sns_topic.alarms
    override_during = plan
    values          = { arn = "arn:aws:sns:eu-west-1:123456789012:ddb-warmer-test-warmer-alarms" }
  }

  variables {
    notifications = { subscriptions = [{ protocol = "email", endpoint = "oncall@example.com" }] }
  }

  assert {
    condition = alltrue([
      for alarm in aws_cloudwatch_metric_alarm.this :
      alarm.alarm_actions == toset(["arn:aws:sns:eu-west-1:123456789012:ddb-warmer-test-warmer-alarms"])
      && alarm.ok_actions == toset(["arn:aws:sns:eu-west-1:123456789012:ddb-warmer-test-warmer-alarms"])
    ])
    error_message = "every alarm must notify the topic the module creates"
  }
  assert {
    condition     = aws_sns_topic_subscription.alarms["email:oncall@example.com"].topic_arn == "arn:aws:sns:eu-west-1:123456789012:ddb-warmer-test-warmer-alarms"
    error_message = "the environment's subscription must be on that topic"
  }
}

run "a_thousand_tables_move_the_configuration_to_parameters_of_4_kb" {
  command = plan

  variables {
    tables = [for i in range(1000) : { name = format("orders-history-archive-eu-%04d", i), read = true }]
  }

  # The mocked region holds none of these tables: the plan warns about them.
  expect_failures = [check.configured_tables_exist]

  assert {
    condition = (
      !contains(keys(aws_lambda_function.this.environment[0].variables), "WARMER_CONFIG")
      && aws_lambda_function.this.environment[0].variables["WARMER_CONFIG_PARTS"] == tostring(length(aws_ssm_parameter.config))
      && length(aws_ssm_parameter.config) > 5
      && alltrue([for p in aws_ssm_parameter.config : length(p.value) <= 4096 && p.tier == "Standard"])
      && join("", [for p in aws_ssm_parameter.config : p.value]) == local.config_json
    )
    error_message = "a large configuration must be split into standard parameters that add up to the JSON"
  }
}

run "past_the_detail_limit_the_plan_reads_the_first_tables_and_says_how_many_were_found" {
  command = plan

  variables {
    tables                       = [{ name = "orders" }, { name = "events" }, { name = "ordres" }]
    table_name_patterns          = ["prod-*"]
    resolved_tables_detail_limit = 2
  }

  # ListTables still covers every listed table: the misspelt one is a warning.
  expect_failures = [check.configured_tables_exist]

  assert {
    condition     = keys(output.resolved_tables) == ["events", "orders"] && output.missing_tables == ["ordres"]
    error_message = "past the limit, only the first tables found (listed ones first) are read one by one"
  }
  assert {
    condition     = startswith(output.resolved_tables_summary, "5 tables found (2 listed, 3 by table_name_patterns); resolved_tables details the first 2") && strcontains(output.resolved_tables_summary, "per-table detail of the other 3 is left out of the plan")
    error_message = "the summary says how many tables were found and that the rest is left out: ${output.resolved_tables_summary}"
  }
}

run "a_region_with_no_table_plans_and_warns_for_each_listed_table" {
  command = plan

  # The provider gives names = null, not [], where the region holds no table.
  override_data {
    target = data.aws_dynamodb_tables.region
    values = { names = null }
  }

  expect_failures = [check.configured_tables_exist]

  assert {
    condition     = output.missing_tables == ["orders", "events"] && length(output.resolved_tables) == 0
    error_message = "a region with no table plans, every listed table reported missing"
  }
}

run "rejects_a_regular_expression_with_anchors_or_classes" {
  command = plan
  variables {
    table_name_patterns = ["^prod-[a-z]+$"]
  }
  expect_failures = [aws_lambda_function.this]
}

run "a_pattern_written_with_dot_star_plans_with_a_warning_naming_the_glob" {
  command = plan
  variables {
    table_name_patterns = ["prod-.*"]
  }
  # "prod-.*" is a valid glob that matches no table here: both checks warn.
  expect_failures = [check.patterns_are_globs, check.patterns_match_tables]
  assert {
    condition     = local.regex_like_patterns == { "prod-.*" = "prod-*" }
    error_message = "the glob to write instead of prod-.* is prod-*"
  }
}

run "each_pattern_and_exclude_lists_the_tables_it_matches" {
  command = plan
  variables {
    tables                      = []
    table_name_patterns         = ["prod-*", "staging-*"]
    exclude_table_name_patterns = ["prod-tmp-*"]
  }
  expect_failures = [check.patterns_match_tables]
  assert {
    condition = jsonencode(output.pattern_matches) == jsonencode({
      patterns = { "prod-*" = ["prod-a", "prod-b", "prod-tmp-1"], "staging-*" = [] }
      exclude  = { "prod-tmp-*" = ["prod-tmp-1"] }
    })
    error_message = "pattern_matches lists, per pattern and exclude, the existing tables it matches"
  }
}
