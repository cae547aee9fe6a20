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
  # CloudWatch takes as an alarm's action only a topic of the alarm's own region
  # (the PutMetricAlarm reference gives AlarmActions as
  # arn:aws:sns:region:account-id:sns-topic-name, region being the alarm's:
  # https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html;
  # CONTRIBUTING.md says how to see AWS refuse another on an account). The
  # emulator accepts any region, so the module refuses the others at plan time
  # (validations of alarm_actions, ok_actions and notifications: an ARN's fourth
  # field is its region).
  unit_region            = data.aws_region.current.id
  other_region_topic_fix = "a CloudWatch alarm notifies only a topic of its own region, ${data.aws_region.current.id}: name a topic there (arn:aws:sns:${data.aws_region.current.id}:<account>:<topic>), one per region of the environment, or set notifications = { subscriptions = [...] } for a topic the module creates in each region"
  alarm_destinations     = distinct(concat(var.alarm_actions, compact([local.notification_topic_arn])))
  ok_destinations        = distinct(concat(var.ok_actions, compact([local.notification_topic_arn])))
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
