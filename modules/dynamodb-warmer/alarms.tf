# How the warmer can stop unblocking scale-in, each an alarm whose description
# links to its section of the runbook (docs/operations.md):
# - errors: a table is failing (a tick raised), in most of the last minutes;
# - failing-tables-grew: more tables fail than before, so a table that keeps
#   failing (and keeps `errors` in ALARM) hides no new failure;
# - tick-not-running: the schedule invokes nothing (stopped, deleted, throttled);
# - no-successful-tick: no tick has fully succeeded for a while;
# - dead-letters: ticks could not be delivered.
# All but one read metrics AWS publishes anyway (AWS/Lambda, AWS/SQS). The
# count of failing tables comes from a metric filter on the one INFO line each
# tick logs: one custom metric (about $0.30 a month), no EMF line per request.
#
# Sustained failure, not one bad minute: an alarm with datapoints_to_alarm M
# and evaluation_periods N goes to ALARM when M of the last N datapoints breach
# ("M out of N"):
# https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarm-evaluation

locals {
  failing_tables_namespace = "DdbWarmer/${local.function_name}"
  runbook                  = trimsuffix(var.runbook_url, "/")

  alarms = {
    errors = {
      description = "A table is failing: ${local.function_name} raised in ${var.failure_datapoints} of the last ${var.failure_minutes} minutes (one ERROR line per failed table in ${local.log_group_name}). Runbook: ${local.runbook}#alarm-errors"
      namespace   = "AWS/Lambda"
      metric      = "Errors"
      dimensions  = { FunctionName = local.function_name }
      statistic   = "Sum"
      queries     = null
      period      = 60
      periods     = var.failure_minutes
      datapoints  = var.failure_datapoints
      operator    = "GreaterThanThreshold"
      threshold   = 0
      missing     = "notBreaching"
    }
    # The minimum count of failing tables in each 5 minutes, compared with the
    # 5 minutes before: a table failing for one minute does not raise a
    # minimum, a new table failing for 5 minutes does. The alarm then returns to
    # OK on its own, so each rise notifies once.
    failing-tables-grew = {
      description = "More tables of ${local.function_name} are failing than 5 minutes earlier, for 5 minutes in a row: a new failure, even while another table keeps the errors alarm in ALARM. Runbook: ${local.runbook}#alarm-failing-tables-grew"
      namespace   = null
      metric      = null
      dimensions  = null
      statistic   = null
      queries = {
        expression = "DIFF(FILL(failed, REPEAT))"
        label      = "Failing tables, change"
        metrics    = { failed = { namespace = local.failing_tables_namespace, metric = "FailedTables", stat = "Minimum", dimensions = {} } }
      }
      period     = 300
      periods    = 1
      datapoints = 1
      operator   = "GreaterThanThreshold"
      threshold  = 0
      missing    = "notBreaching"
    }
    # No invocation at all: the schedule is disabled outside Terraform, deleted,
    # cannot invoke, or the function is throttled. Missing data is breaching.
    tick-not-running = {
      description = "The tick of ${local.function_name} is not running: no invocation in ${var.failure_datapoints} of the last ${var.failure_minutes} minutes. Runbook: ${local.runbook}#alarm-tick-not-running"
      namespace   = "AWS/Lambda"
      metric      = "Invocations"
      dimensions  = { FunctionName = local.function_name }
      statistic   = "Sum"
      queries     = null
      period      = 60
      periods     = var.failure_minutes
      datapoints  = var.failure_datapoints
      operator    = "LessThanThreshold"
      threshold   = 1
      missing     = var.schedule_enabled ? "breaching" : "notBreaching"
    }
    dead-letters = {
      description = "Ticks of ${local.function_name} could not be delivered and went to the dead-letter queue ${local.dead_letter_name}. Runbook: ${local.runbook}#alarm-dead-letters"
      namespace   = "AWS/SQS"
      metric      = "ApproximateNumberOfMessagesVisible"
      dimensions  = { QueueName = local.dead_letter_name }
      statistic   = "Maximum"
      queries     = null
      period      = 300
      periods     = 1
      datapoints  = 1
      operator    = "GreaterThanThreshold"
      threshold   = 0
      missing     = "notBreaching"
    }
    # Successful ticks per minute = invocations - errors (the handler raises when
    # any table failed). A stopped schedule publishes no Invocations at all: the
    # expression then has no datapoint, and missing data counts as breaching.
    no-successful-tick = {
      description = "${local.function_name} has had no fully successful tick for ${var.no_successful_tick_minutes} minutes: some tables are not being warmed, so they may not scale in. Runbook: ${local.runbook}#alarm-no-successful-tick"
      namespace   = null
      metric      = null
      dimensions  = null
      statistic   = null
      queries = {
        expression = "FILL(invocations, 0) - FILL(errors, 0)"
        label      = "Successful ticks"
        metrics = {
          invocations = { namespace = "AWS/Lambda", metric = "Invocations", stat = "Sum", dimensions = { FunctionName = local.function_name } }
          errors      = { namespace = "AWS/Lambda", metric = "Errors", stat = "Sum", dimensions = { FunctionName = local.function_name } }
        }
      }
      period     = 60
      periods    = var.no_successful_tick_minutes
      datapoints = var.no_successful_tick_minutes
      operator   = "LessThanThreshold"
      threshold  = 1
      missing    = var.schedule_enabled ? "breaching" : "notBreaching"
    }
  }
}

# The count of failing tables, from the tick's INFO summary line (Lambda's JSON
# log format puts the record's fields at the top level: event, counts).
resource "aws_cloudwatch_log_metric_filter" "failing_tables" {
  name           = "${local.function_name}-failing-tables"
  log_group_name = aws_cloudwatch_log_group.this.name
  pattern        = "{ $.event = \"tick\" }"

  metric_transformation {
    namespace = local.failing_tables_namespace
    name      = "FailedTables"
    value     = "$.counts.failed"
    unit      = "Count"
  }
}

# Ticks whose warm requests took the stock path: the runtime's botocore lacks an internal
# of the lean path (lambda_function/request_path.py). Datapoints only when that happens,
# so the metric costs nothing until then; `ddb-warmer doctor` reads it.
resource "aws_cloudwatch_log_metric_filter" "stock_request_path" {
  name           = "${local.function_name}-stock-request-path"
  log_group_name = aws_cloudwatch_log_group.this.name
  pattern        = "{ $.event = \"tick\" && $.request_path.path = \"stock\" }"

  metric_transformation {
    namespace = local.failing_tables_namespace
    name      = "StockRequestPathTicks"
    value     = "1"
    unit      = "Count"
  }
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarms

  alarm_name          = "${var.name_prefix}-warmer-${each.key}"
  alarm_description   = each.value.description
  namespace           = each.value.namespace
  metric_name         = each.value.metric
  dimensions          = each.value.dimensions
  statistic           = each.value.statistic
  period              = each.value.queries == null ? each.value.period : null
  evaluation_periods  = each.value.periods
  datapoints_to_alarm = each.value.datapoints
  comparison_operator = each.value.operator
  threshold           = each.value.threshold
  treat_missing_data  = each.value.missing
  alarm_actions       = local.alarm_destinations
  ok_actions          = local.ok_destinations
  tags                = var.tags

  dynamic "metric_query" {
    for_each = each.value.queries == null ? {} : { result = each.value.queries }
    content {
      id          = "result"
      expression  = metric_query.value.expression
      label       = metric_query.value.label
      return_data = true
    }
  }

  dynamic "metric_query" {
    for_each = each.value.queries == null ? {} : each.value.queries.metrics
    content {
      id = metric_query.key
      metric {
        namespace   = metric_query.value.namespace
        metric_name = metric_query.value.metric
        dimensions  = metric_query.value.dimensions
        stat        = metric_query.value.stat
        period      = each.value.period
      }
    }
  }

  lifecycle {
    precondition {
      condition     = var.failure_datapoints <= var.failure_minutes
      error_message = "failure_datapoints (${var.failure_datapoints}) must be at most failure_minutes (${var.failure_minutes}): an alarm fires when that many of the last failure_minutes minutes fail."
    }
  }
}
