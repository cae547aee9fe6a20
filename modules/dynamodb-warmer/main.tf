data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  function_name    = "${var.name_prefix}-warmer"
  log_group_name   = "/aws/lambda/${local.function_name}"
  dead_letter_name = "${var.name_prefix}-warmer-dlq"

  # ARNs built from known values rather than from resource attributes: a
  # policy document that references a resource being created is only read at
  # apply time, and a reviewer should see every policy whole in the plan.
  arn_parts = {
    partition = data.aws_partition.current.partition
    region    = data.aws_region.current.id
    account   = data.aws_caller_identity.current.account_id
  }
  function_arn    = "arn:${local.arn_parts.partition}:lambda:${local.arn_parts.region}:${local.arn_parts.account}:function:${local.function_name}"
  dead_letter_arn = "arn:${local.arn_parts.partition}:sqs:${local.arn_parts.region}:${local.arn_parts.account}:${local.dead_letter_name}"
  log_group_arn   = "arn:${local.arn_parts.partition}:logs:${local.arn_parts.region}:${local.arn_parts.account}:log-group:${local.log_group_name}"

  # WARMER_CONFIG, the Lambda contract: settings left unset stay out of the
  # JSON (rather than null) so that the handler sees "not given" = auto mode.
  warmer_config = {
    tables = [
      for t in var.tables : merge(
        { name = t.name },
        { for k, v in { read = t.read, write = t.write } : k => v if v != null },
        { for k, v in {
          indexes = [
            for i in t.indexes : merge(
              { name = i.name },
              { for k, v in { read = i.read, write = i.write } : k => v if v != null },
            )
          ]
        } : k => v if length(v) > 0 },
      )
    ]
    patterns    = var.table_name_patterns
    exclude     = var.exclude_table_name_patterns
    dry_run     = var.dry_run
    max_workers = var.max_workers
  }

  # A pattern's `*` and `?` are IAM's ARN wildcards too: one ARN per pattern.
  # Table names are listed one ARN each while they are few and short (each
  # appears in three statements); past that, every table of the account and
  # region, so the policy stays far below IAM's size limit for any table count.
  table_arn_prefix  = "arn:${local.arn_parts.partition}:dynamodb:${local.arn_parts.region}:${local.arn_parts.account}:table/"
  lists_table_names = length(var.tables) <= 20 && length(join("", [for t in var.tables : t.name])) + 60 * length(var.tables) <= 2000
  table_arns = distinct(concat(
    [for p in var.table_name_patterns : "${local.table_arn_prefix}${p}"],
    local.lists_table_names ? [for t in var.tables : "${local.table_arn_prefix}${t.name}"] : ["${local.table_arn_prefix}*"],
  ))
  uses_auto_mode = length(var.table_name_patterns) > 0 || anytrue([
    for t in var.tables : (t.read == null && t.write == null) || anytrue([for i in t.indexes : i.read == null && i.write == null])
  ])
  uses_index_write = anytrue(flatten([for t in var.tables : [for i in t.indexes : i.write == true]]))
}

resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_338:The warmer logs one line per request every minute and nothing of audit value; 30 days by default keeps the cost in proportion, and log_retention_days takes 365 or more where policy asks for it.
  name              = local.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_117:The warmer only calls public AWS APIs; a VPC would add NAT or endpoint cost and nothing to protect.
  #checkov:skip=CKV_AWS_116:Invoked asynchronously by EventBridge Scheduler, whose target has its own dead-letter queue (schedule.tf); a missed tick is replaced by the next one.
  #checkov:skip=CKV_AWS_272:Code signing needs a signing profile the platform may not have; the package is built reproducibly from reviewed source and its hash is in every plan.
  function_name    = local.function_name
  description      = "Keeps DynamoDB auto scaling able to scale in: one tiny request per scaled dimension per tick."
  role             = aws_iam_role.lambda.arn
  runtime          = "python3.13"
  architectures    = ["arm64"]
  handler          = "lambda_function.main.lambda_handler"
  memory_size      = var.memory_size
  timeout          = var.timeout
  filename         = var.package_path
  source_code_hash = filebase64sha256(var.package_path)
  kms_key_arn      = var.kms_key_arn

  reserved_concurrent_executions = var.reserved_concurrency

  environment {
    variables = local.environment_variables
  }

  # Lambda's own JSON logging: the runtime formats the handler's log records and
  # drops those under the application log level before they are paid for.
  logging_config {
    log_format            = "JSON"
    log_group             = local.log_group_name
    application_log_level = var.log_level
    system_log_level      = "WARN"
  }

  tracing_config {
    mode = var.tracing_mode
  }

  tags = var.tags

  # The log group exists (with its retention) before the first invocation
  # could create one without.
  depends_on = [aws_cloudwatch_log_group.this, aws_iam_role_policy.lambda, aws_ssm_parameter.config]

  lifecycle {
    precondition {
      condition     = local.environment_size <= local.lambda_environment_limit
      error_message = "The function's environment would be ${local.environment_size} bytes, over Lambda's 4 KB for all its variables: the configuration moves to SSM parameters on its own, so only a very long name_prefix can do this; use a shorter one."
    }
    precondition {
      condition     = length(var.tables) + length(var.table_name_patterns) > 0
      error_message = "Nothing to warm: list tables, for example [{ name = \"orders\" }], or select them with table_name_patterns, for example [\"prod-*\"]."
    }
    precondition {
      condition     = length(local.regex_patterns) == 0
      error_message = "table_name_patterns and exclude_table_name_patterns are globs (`*` any characters, `?` one), not regular expressions: ${join("; ", [for p, glob in local.regex_patterns : "write \"${glob}\" instead of \"${p}\""])}."
    }
  }
}

check "schedule_rate" {
  assert {
    condition     = var.schedule_expression == "rate(1 minute)" || startswith(var.schedule_expression, "cron(")
    error_message = "schedule_expression ${var.schedule_expression} is slower than once a minute: DynamoDB's scale-in alarm needs a datapoint in each of 15 consecutive minutes, so tables may stay at their peak capacity. Use rate(1 minute) unless you accept that."
  }
}
