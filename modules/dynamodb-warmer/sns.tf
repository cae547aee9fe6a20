# Where the alarms notify: an existing SNS topic (notifications.topic_arn), or
# a topic this module creates with the environment's subscriptions (email,
# https, sms, ...). Either way every alarm sends its ALARM and OK actions there,
# alongside any alarm_actions / ok_actions given.

locals {
  creates_topic = var.notifications != null && try(var.notifications.topic_arn, null) == null
  notification_topic_arn = (
    var.notifications == null ? null :
    local.creates_topic ? aws_sns_topic.alarms[0].arn : var.notifications.topic_arn
  )
  alarm_destinations = distinct(concat(var.alarm_actions, compact([local.notification_topic_arn])))
  ok_destinations    = distinct(concat(var.ok_actions, compact([local.notification_topic_arn])))
}

resource "aws_sns_topic" "alarms" {
  #checkov:skip=CKV_AWS_26:CloudWatch alarms cannot publish to a topic encrypted with the AWS managed SNS key; kms_key_arn (a customer managed key whose policy lets CloudWatch use it) encrypts it when given.
  count = local.creates_topic ? 1 : 0

  name              = "${var.name_prefix}-warmer-alarms"
  display_name      = "DynamoDB warmer ${var.name_prefix}"
  kms_master_key_id = var.kms_key_arn
  tags              = var.tags
}

resource "aws_sns_topic_subscription" "alarms" {
  for_each = local.creates_topic ? { for s in var.notifications.subscriptions : "${s.protocol}:${s.endpoint}" => s } : {}

  topic_arn = aws_sns_topic.alarms[0].arn
  protocol  = each.value.protocol
  endpoint  = each.value.endpoint
}
