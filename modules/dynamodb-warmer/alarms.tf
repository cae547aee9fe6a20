# Three ways the warmer can stop unblocking scale-in, each an alarm: the
# function fails, ticks are dropped to the dead-letter queue, or no tick has
# fully succeeded for a while (which also catches a schedule that stopped).
# All three read metrics AWS publishes anyway (AWS/Lambda, AWS/SQS): no custom
# metric is needed, so none is paid for unless enable_custom_metrics asks.

locals {
  alarms = {
    errors = {
      description = "The DynamoDB warmer ${local.function_name} failed: a table could not be warmed (see its log group)."
      namespace   = "AWS/Lambda"
      metric      = "Errors"
      dimensions  = { FunctionName = local.function_name }
      statistic   = "Sum"
      expression  = null
      period      = 60
      periods     = 1
      operator    = "GreaterThanThreshold"
      threshold   = 0
      missing     = "notBreaching"
    }
    dead-letters = {
      description = "Ticks of ${local.function_name} could not be delivered and went to the dead-letter queue."
      namespace   = "AWS/SQS"
      metric      = "ApproximateNumberOfMessagesVisible"
      dimensions  = { QueueName = local.dead_letter_name }
      statistic   = "Maximum"
      expression  = null
      period      = 300
      periods     = 1
      operator    = "GreaterThanThreshold"
      threshold   = 0
      missing     = "notBreaching"
    }
    # Successful ticks per minute = invocations - errors (the handler raises when
    # any table failed). A stopped schedule publishes no Invocations at all: the
    # expression then has no datapoint, and missing data counts as breaching.
    no-successful-tick = {
      description = "${local.function_name} has had no fully successful tick for ${var.no_successful_tick_minutes} minutes: some tables are not being warmed, so they may not scale in."
      namespace   = null
      metric      = null
      dimensions  = null
      statistic   = null
      expression  = "FILL(invocations, 0) - FILL(errors, 0)"
      period      = 60
      periods     = var.no_successful_tick_minutes
      operator    = "LessThanThreshold"
      threshold   = 1
      missing     = var.schedule_enabled ? "breaching" : "notBreaching"
    }
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
  period              = each.value.expression == null ? each.value.period : null
  evaluation_periods  = each.value.periods
  datapoints_to_alarm = each.value.periods
  comparison_operator = each.value.operator
  threshold           = each.value.threshold
  treat_missing_data  = each.value.missing
  alarm_actions       = var.alarm_actions
  ok_actions          = var.ok_actions
  tags                = var.tags

  dynamic "metric_query" {
    for_each = each.value.expression == null ? [] : ["successful_ticks"]
    content {
      id          = "successful_ticks"
      expression  = each.value.expression
      label       = "Successful ticks"
      return_data = true
    }
  }

  dynamic "metric_query" {
    for_each = each.value.expression == null ? [] : ["invocations", "errors"]
    content {
      id = metric_query.value
      metric {
        namespace   = "AWS/Lambda"
        metric_name = title(metric_query.value)
        dimensions  = { FunctionName = local.function_name }
        stat        = "Sum"
        period      = each.value.period
      }
    }
  }
}
