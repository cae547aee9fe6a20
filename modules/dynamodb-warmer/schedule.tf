# One tick per minute from EventBridge Scheduler. A tick that cannot be
# delivered within a minute is stale (the next one is already due): it is
# dropped to the dead-letter queue instead of being retried late.

resource "aws_sqs_queue" "dead_letter" {
  name                              = local.dead_letter_name
  message_retention_seconds         = 1209600 # 14 days, the most SQS keeps
  sqs_managed_sse_enabled           = var.kms_key_arn == null ? true : null
  kms_master_key_id                 = var.kms_key_arn
  kms_data_key_reuse_period_seconds = var.kms_key_arn == null ? null : 3600
  tags                              = var.tags
}

resource "aws_scheduler_schedule" "this" {
  name        = "${var.name_prefix}-warmer"
  description = "Ticks the DynamoDB warmer ${local.function_name}."
  state       = var.schedule_enabled ? "ENABLED" : "DISABLED"
  kms_key_arn = var.kms_key_arn

  schedule_expression = var.schedule_expression

  flexible_time_window {
    mode = "OFF" # on the minute: a late tick leaves a gap in the datapoints
  }

  target {
    arn      = aws_lambda_function.this.arn
    role_arn = aws_iam_role.scheduler.arn

    retry_policy {
      maximum_event_age_in_seconds = 60
      maximum_retry_attempts       = 2
    }

    dead_letter_config {
      arn = aws_sqs_queue.dead_letter.arn
    }
  }

  # The first tick must find the role able to invoke the function.
  depends_on = [aws_iam_role_policy.scheduler]
}

# Lambda's own retries of an async invocation would deliver a tick late; the
# next tick replaces a failed one.
resource "aws_lambda_function_event_invoke_config" "this" {
  function_name                = aws_lambda_function.this.function_name
  maximum_retry_attempts       = 0
  maximum_event_age_in_seconds = 60
}
