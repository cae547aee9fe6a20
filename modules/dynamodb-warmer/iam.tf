# The function's role: only what one tick needs, only on the configured tables.

data "aws_iam_policy_document" "lambda_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "lambda" {
  name               = "${var.name_prefix}-warmer"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "lambda" {
  statement {
    sid       = "LearnTables"
    actions   = concat(["dynamodb:DescribeTable"], local.uses_index_write ? ["dynamodb:DescribeTimeToLive"] : [])
    resources = local.table_arns
  }

  statement {
    sid       = "WarmTables"
    actions   = concat(["dynamodb:GetItem", "dynamodb:DeleteItem"], local.uses_index_write ? ["dynamodb:UpdateItem"] : [])
    resources = local.table_arns

    # Item access only under the sentinel partition key: even a bug could not
    # read, delete or update a user's item.
    condition {
      test     = "ForAllValues:StringEquals"
      variable = "dynamodb:LeadingKeys"
      values   = local.sentinel_partition_keys
    }
  }

  # A Query on a GSI names the index's partition key, not the table's, so
  # dynamodb:LeadingKeys cannot scope it; it reads (Select COUNT, Limit 1) only.
  statement {
    sid       = "WarmIndexes"
    actions   = ["dynamodb:Query"]
    resources = [for arn in local.table_arns : "${arn}/index/*"]
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
    precondition {
      condition     = length(data.aws_iam_policy_document.lambda.minified_json) <= 10240
      error_message = "The warmer's IAM policy for ${length(var.tables)} tables would be ${length(data.aws_iam_policy_document.lambda.minified_json)} characters, over IAM's 10,240 for a role: split the tables between two warmers (two module blocks or units with different name_prefix values)."
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
  name               = "${var.name_prefix}-scheduler"
  assume_role_policy = data.aws_iam_policy_document.scheduler_assume.json
  tags               = var.tags
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
