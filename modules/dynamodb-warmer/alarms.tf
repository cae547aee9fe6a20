# Three ways the warmer can stop unblocking scale-in, each an alarm: the
# function fails, ticks are dropped to the dead-letter queue, or no tick has
# fully succeeded for a while (which also catches a schedule that stopped).

locals {
  alarms = {
    errors = {
      description = "The DynamoDB warmer ${local.function_name} failed: a table could not be warmed (see its log group)."
      namespace   = "AWS/Lambda"
      metric      = "Errors"
      dimensions  = { FunctionName = local.function_name }
      statistic   = "Sum"
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
      period      = 300
      periods     = 1
      operator    = "GreaterThanThreshold"
      threshold   = 0
      missing     = "notBreaching"
    }
    no-successful-tick = {
      description = "${local.function_name} has had no fully successful tick for ${var.no_successful_tick_minutes} minutes: some tables are not being warmed, so they may not scale in."
      namespace   = "DdbWarmer" # the function's Embedded Metric Format metrics
      metric      = "SuccessfulTick"
      dimensions  = { FunctionName = local.function_name }
      statistic   = "Sum"
      period      = 60
      periods     = var.no_successful_tick_minutes
      operator    = "LessThanThreshold"
      threshold   = 1
      # No datapoint at all means no tick ran: the failure this alarm is for.
      missing = var.schedule_enabled ? "breaching" : "notBreaching"
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
  period              = each.value.period
  evaluation_periods  = each.value.periods
  datapoints_to_alarm = each.value.periods
  comparison_operator = each.value.operator
  threshold           = each.value.threshold
  treat_missing_data  = each.value.missing
  alarm_actions       = var.alarm_actions
  ok_actions          = var.ok_actions
  tags                = var.tags
}
