output "function_name" {
  description = "Name of the warmer Lambda function."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "ARN of the warmer Lambda function."
  value       = aws_lambda_function.this.arn
}

output "role_arn" {
  description = "ARN of the function's IAM role."
  value       = aws_iam_role.lambda.arn
}

output "schedule_arn" {
  description = "ARN of the EventBridge Scheduler schedule."
  value       = aws_scheduler_schedule.this.arn
}

output "scheduler_role_arn" {
  description = "ARN of the role EventBridge Scheduler invokes the function with."
  value       = aws_iam_role.scheduler.arn
}

output "dead_letter_queue_url" {
  description = "URL of the schedule's dead-letter queue."
  value       = aws_sqs_queue.dead_letter.url
}

output "log_group_name" {
  description = "Log group of the function."
  value       = aws_cloudwatch_log_group.this.name
}

output "warmer_config" {
  description = "The WARMER_CONFIG JSON the function runs with."
  value       = jsonencode(local.warmer_config)
}

output "dead_letter_queue_arn" {
  description = "ARN of the schedule's dead-letter queue."
  value       = aws_sqs_queue.dead_letter.arn
}

output "alarm_names" {
  description = "Names of the warmer's alarms: errors, failing-tables-grew, tick-not-running, no-successful-tick, dead-letters."
  value       = { for key, alarm in aws_cloudwatch_metric_alarm.this : key => alarm.alarm_name }
}

output "policy_json" {
  description = "The function role's policy document, for review and for tests."
  value       = data.aws_iam_policy_document.lambda.json
}

output "resolved_tables" {
  description = "What the configuration resolves to at plan time: each table found (listed or matched by a pattern), up to resolved_tables_detail_limit of them, its billing mode, GSIs and what the warmer warms on it."
  value       = local.resolved_tables
}

output "resolved_tables_summary" {
  description = "How many tables the configuration resolves to at plan time (listed, by pattern) and whether resolved_tables details each or only the first resolved_tables_detail_limit."
  value       = local.resolved_tables_summary
}

output "missing_tables" {
  description = "Configured tables that do not exist in the region at plan time (also a plan warning)."
  value       = local.missing_tables
}

output "notification_topic_arn" {
  description = "The SNS topic every alarm notifies on ALARM and OK (created here or given as notifications.topic_arn); null without notifications."
  value       = local.notification_topic_arn
}

output "pattern_matches" {
  description = "The region's tables at plan time that each pattern matches on its own: patterns (table_name_patterns) and exclude (exclude_table_name_patterns), each a map of pattern to table names. The plan comment lists them per environment and region."
  value       = { patterns = local.pattern_matches, exclude = local.exclude_matches }
}
