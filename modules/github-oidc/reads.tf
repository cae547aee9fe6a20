# What the plan role may read: the metadata a plan of this repository refreshes
# (every call is recorded from real plans of live/dev and live/prod by the tests,
# which fail when a plan needs a read missing here), what `ddb-warmer doctor`
# reads, and the state. Written out rather than AWS's ReadOnlyAccess, which
# includes item reads, object reads and secrets. Every read that names a
# resource names only the project's own (warmer_name_prefix): other teams'
# functions and schedules are denied. The apply roles get the same
# reads (the provider reads back what it creates) and the same denies.

locals {
  # Reads that name a resource name only the project's own: "<warmer_name_prefix>…".
  own = {
    roles     = "${local.arn}:iam::${local.account}:role/${var.warmer_name_prefix}*"
    functions = ["${local.arn}:lambda:${local.anywhere}:function:${var.warmer_name_prefix}*"]
    schedules = "${local.arn}:scheduler:${local.anywhere}:schedule/*/${var.warmer_name_prefix}*"
    queues    = "${local.arn}:sqs:${local.anywhere}:${var.warmer_name_prefix}*"
    log_groups = [
      "${local.arn}:logs:${local.anywhere}:log-group:/aws/lambda/${var.warmer_name_prefix}*",
    ]
    alarms     = "${local.arn}:cloudwatch:${local.anywhere}:alarm:${var.warmer_name_prefix}*"
    parameters = "${local.arn}:ssm:${local.anywhere}:parameter/${var.warmer_name_prefix}*"
    topics     = "${local.arn}:sns:${local.anywhere}:${var.warmer_name_prefix}*"
  }
  # The state is read and written only in a bucket of this account (a bucket of
  # the same name elsewhere, after a deletion, is not ours).
  in_this_account = { test = "StringEquals", variable = "aws:ResourceAccount", values = [local.account] }
}

data "aws_iam_policy_document" "reads" {
  statement {
    sid = "AccountMetadata"
    actions = [
      "sts:GetCallerIdentity",
      "logs:DescribeLogGroups", "logs:DescribeMetricFilters", "ssm:DescribeParameters",
      "cloudwatch:DescribeAlarms",
      "dynamodb:ListTables", "dynamodb:DescribeTable", "dynamodb:DescribeTimeToLive",
      "dynamodb:DescribeContinuousBackups", "dynamodb:ListTagsOfResource",
      "application-autoscaling:DescribeScalableTargets", "application-autoscaling:DescribeScalingPolicies",
    ]
    # Metadata of the account, most with no resource-level permissions ("*" is
    # what IAM accepts); the tables and their scaling are the adopter's, named by
    # configuration. Data reads are denied below.
    resources = ["*"]
  }
  statement {
    sid       = "OwnRoles"
    actions   = ["iam:GetRole", "iam:GetRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies"]
    resources = [local.own.roles]
  }
  statement {
    sid = "OwnFunctions"
    actions = [
      "lambda:GetFunction", "lambda:GetFunctionConfiguration", "lambda:ListVersionsByFunction",
      "lambda:GetFunctionCodeSigningConfig", "lambda:GetFunctionConcurrency", "lambda:GetFunctionEventInvokeConfig",
      "lambda:GetPolicy", "lambda:ListTags", "lambda:GetRuntimeManagementConfig",
    ]
    resources = local.own.functions
  }
  statement {
    sid       = "OwnSchedules"
    actions   = ["scheduler:GetSchedule"]
    resources = [local.own.schedules]
  }
  statement {
    sid       = "OwnQueues"
    actions   = ["sqs:GetQueueUrl", "sqs:GetQueueAttributes", "sqs:ListQueueTags"]
    resources = [local.own.queues]
  }
  statement {
    sid       = "OwnLogGroups"
    actions   = ["logs:ListTagsForResource", "logs:ListTagsLogGroup"]
    resources = local.own.log_groups
  }
  statement {
    sid       = "OwnAlarms"
    actions   = ["cloudwatch:ListTagsForResource"]
    resources = [local.own.alarms]
  }
  statement {
    # The warmer's configuration parts (table names and settings, nothing secret): the plan
    # refreshes them and doctor reads a configuration that outgrew the environment.
    sid       = "OwnConfigParameters"
    actions   = ["ssm:GetParameter", "ssm:GetParameters", "ssm:ListTagsForResource"]
    resources = [local.own.parameters]
  }
  statement {
    sid       = "OwnAlarmTopics"
    actions   = ["sns:GetTopicAttributes", "sns:GetSubscriptionAttributes", "sns:ListTagsForResource"]
    resources = [local.own.topics]
  }
  statement {
    sid = "Doctor"
    actions = [
      "cloudwatch:GetMetricData", "cloudwatch:GetMetricStatistics", "cloudwatch:ListMetrics",
    ]
    resources = ["*"]
  }
  statement {
    sid       = "StateList"
    actions   = ["s3:ListBucket"]
    resources = [for bucket in var.state_buckets : "${local.arn}:s3:::${bucket}"]
    condition {
      test     = local.in_this_account.test
      variable = local.in_this_account.variable
      values   = local.in_this_account.values
    }
  }
  statement {
    sid       = "StateRead"
    actions   = ["s3:GetObject"]
    resources = [for bucket in var.state_buckets : "${local.arn}:s3:::${bucket}/*"]
    condition {
      test     = local.in_this_account.test
      variable = local.in_this_account.variable
      values   = local.in_this_account.values
    }
  }
  statement {
    # An SSE-KMS state bucket: its key, only through S3 (the deny below refuses any other use).
    sid       = "StateEncryption"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = ["*"]
    condition {
      test     = "StringLike"
      variable = "kms:ViaService"
      values   = ["s3.*.amazonaws.com"]
    }
  }
}

# Explicit denies win over any allow, also one added to a role later by hand.
data "aws_iam_policy_document" "no_data_reads" {
  statement {
    sid    = "NoItemReads"
    effect = "Deny"
    # PartiQL's ExecuteStatement, BatchExecuteStatement and ExecuteTransaction
    # are authorised as the dynamodb:PartiQL* actions; there is no IAM action of
    # their names. https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-iam.html
    actions = [
      "dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan",
      "dynamodb:PartiQLSelect", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
      "dynamodb:ExportTableToPointInTime", "dynamodb:RestoreTableFromBackup", "dynamodb:RestoreTableToPointInTime",
    ]
    resources = ["*"]
  }
  statement {
    sid           = "NoObjectReadsOutsideTheState"
    effect        = "Deny"
    actions       = ["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectAttributes", "s3:GetObjectTorrent"]
    not_resources = [for bucket in var.state_buckets : "${local.arn}:s3:::${bucket}/*"]
  }
  statement {
    sid       = "NoSecrets"
    effect    = "Deny"
    actions   = ["secretsmanager:GetSecretValue", "secretsmanager:BatchGetSecretValue"]
    resources = ["*"]
  }
  statement {
    # Parameters other than the warmer's own configuration parts: never.
    sid           = "NoOtherParameters"
    effect        = "Deny"
    actions       = ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParameterHistory", "ssm:GetParametersByPath"]
    not_resources = [local.own.parameters]
  }
  statement {
    # Decrypt only through S3 (an SSE-KMS state bucket), never a key directly.
    # https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
    sid       = "NoDecryptOutsideS3"
    effect    = "Deny"
    actions   = ["kms:Decrypt"]
    resources = ["*"]
    condition {
      test     = "StringNotLike"
      variable = "kms:ViaService"
      values   = ["s3.*.amazonaws.com"]
    }
  }
  statement {
    # Other teams' functions (code, environment variables) and schedules: never, whatever else is allowed.
    sid           = "NoOtherFunctions"
    effect        = "Deny"
    actions       = ["lambda:GetFunction", "lambda:GetFunctionConfiguration", "lambda:GetPolicy"]
    not_resources = local.own.functions
  }
  statement {
    sid           = "NoOtherSchedules"
    effect        = "Deny"
    actions       = ["scheduler:GetSchedule"]
    not_resources = [local.own.schedules]
  }
  statement {
    sid    = "NoMessagesOrLogEvents"
    effect = "Deny"
    actions = [
      "sqs:ReceiveMessage", "logs:GetLogEvents", "logs:FilterLogEvents", "logs:StartQuery", "logs:StartLiveTail",
    ]
    resources = ["*"]
  }
}
