# The function's role: only what one tick needs, only on the configured tables and patterns.

# The item and index conditions every role of the warmer carries (its
# permissions boundary has the same ones).
module "access" {
  source = "../warmer-access"
}

data "aws_iam_policy_document" "lambda_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

# IAM role names are global to the account, the rest of the warmer regional:
# the region in the name lets one environment hold a warmer per region.
resource "aws_iam_role" "lambda" {
  name                 = "${var.name_prefix}-warmer-${local.arn_parts.region}"
  assume_role_policy   = data.aws_iam_policy_document.lambda_assume.json
  permissions_boundary = var.permissions_boundary
  tags                 = var.tags
}

# The policy's size does not grow with the table count: tables are named by
# the configured patterns (one ARN each) and by their names while those are few
# (local.lists_table_names); more names than that, and the ARN is every table
# of this account and region. Item access is then still limited by conditions
# to the sentinel key, and index access to counts.
data "aws_iam_policy_document" "lambda" {
  statement {
    sid       = "LearnTables"
    actions   = concat(["dynamodb:DescribeTable"], local.uses_index_write ? ["dynamodb:DescribeTimeToLive"] : [])
    resources = local.table_arns
  }

  dynamic "statement" {
    for_each = length(var.table_name_patterns) > 0 ? [1] : []
    content {
      # ListTables has no resource-level permissions ("*" only); it returns table names, no data.
      sid       = "FindTables"
      actions   = ["dynamodb:ListTables"]
      resources = ["*"]
    }
  }

  statement {
    sid       = "WarmTables"
    actions   = concat(["dynamodb:GetItem", "dynamodb:DeleteItem"], local.uses_index_write ? ["dynamodb:UpdateItem"] : [])
    resources = local.table_arns

    # Only under the sentinel key, no transaction or batch, no old item back
    # (modules/warmer-access: the same conditions as the permissions boundary).
    dynamic "condition" {
      for_each = module.access.item_conditions
      content {
        test     = condition.value.test
        variable = condition.value.variable
        values   = condition.value.values
      }
    }
  }

  # A Query on a GSI reads a count only (Select COUNT) and only under the
  # sentinel partition key value(s): no attribute of any item comes back.
  # Query on a table itself is not allowed at all.
  statement {
    sid       = "WarmIndexes"
    actions   = ["dynamodb:Query"]
    resources = [for arn in local.table_arns : "${arn}/index/*"]

    dynamic "condition" {
      for_each = module.access.index_query_conditions
      content {
        test     = condition.value.test
        variable = condition.value.variable
        values   = condition.value.values
      }
    }
  }

  dynamic "statement" {
    for_each = local.uses_auto_mode ? [1] : []
    content {
      # DescribeScalableTargets has no resource-level permissions: "*" is the
      # only resource IAM accepts for it. It reads, and only in auto mode.
      sid       = "FindScaledDimensions"
      actions   = ["application-autoscaling:DescribeScalableTargets"]
      resources = ["*"]
    }
  }

  dynamic "statement" {
    # Also whenever table names are not listed one by one, so the policy has
    # one size for 21 tables and for 1,000, whichever holds the configuration.
    for_each = local.config_in_environment && local.lists_table_names ? [] : [1]
    content {
      # The configuration's parts (config.tf), all under one path: one ARN, whatever their count.
      sid       = "ReadOwnConfig"
      actions   = ["ssm:GetParameters"]
      resources = [local.config_parameter_arn]
    }
  }

  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.log_group_arn}:*"]
  }
}

resource "aws_iam_role_policy" "lambda" {
  name   = "warm-tables"
  role   = aws_iam_role.lambda.id
  policy = data.aws_iam_policy_document.lambda.minified_json

  lifecycle {
    # IAM refuses a role's inline policies beyond 10,240 characters (white
    # space not counted): say so at plan time, not halfway through an apply.
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
    precondition {
      condition     = length(data.aws_iam_policy_document.lambda.minified_json) <= 10240
      error_message = "The warmer's IAM policy would be ${length(data.aws_iam_policy_document.lambda.minified_json)} characters, over IAM's 10,240 for a role: use fewer or shorter table_name_patterns."
    }
  }
}

# EventBridge Scheduler's role: invoke this function, and nothing else.

data "aws_iam_policy_document" "scheduler_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "scheduler" {
  name                 = "${var.name_prefix}-sched-${local.arn_parts.region}"
  assume_role_policy   = data.aws_iam_policy_document.scheduler_assume.json
  permissions_boundary = var.permissions_boundary
  tags                 = var.tags
}

data "aws_iam_policy_document" "scheduler" {
  statement {
    sid       = "InvokeWarmer"
    actions   = ["lambda:InvokeFunction"]
    resources = [local.function_arn]
  }

  statement {
    sid       = "DeadLetters"
    actions   = ["sqs:SendMessage"]
    resources = [local.dead_letter_arn]
  }

  dynamic "statement" {
    for_each = var.kms_key_arn == null ? [] : [1]
    content {
      sid       = "EncryptDeadLetters"
      actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
      resources = [var.kms_key_arn]
    }
  }
}

resource "aws_iam_role_policy" "scheduler" {
  name   = "invoke-warmer"
  role   = aws_iam_role.scheduler.id
  policy = data.aws_iam_policy_document.scheduler.json
}
