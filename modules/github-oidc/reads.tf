# What the plan role may read: the metadata a plan of this repository refreshes
# (every call is recorded from real plans of live/dev and live/prod by the tests,
# which fail when a plan needs a read missing here), what `ddb-warmer doctor`
# reads, and the state. Written out rather than AWS's ReadOnlyAccess, which
# includes item reads, object reads and secrets. The apply roles get the same
# reads (the provider reads back what it creates) and the same denies.

data "aws_iam_policy_document" "reads" {
  statement {
    sid = "PlanRefresh"
    actions = [
      "sts:GetCallerIdentity",
      "iam:GetRole", "iam:GetRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies",
      "iam:GetOpenIDConnectProvider",
      "lambda:GetFunction", "lambda:GetFunctionConfiguration", "lambda:ListVersionsByFunction",
      "lambda:GetFunctionCodeSigningConfig", "lambda:GetFunctionConcurrency", "lambda:GetFunctionEventInvokeConfig",
      "lambda:GetPolicy", "lambda:ListTags",
      "scheduler:GetSchedule",
      "sqs:GetQueueUrl", "sqs:GetQueueAttributes", "sqs:ListQueueTags",
      "logs:DescribeLogGroups", "logs:ListTagsForResource", "logs:ListTagsLogGroup",
      "cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource",
      "dynamodb:ListTables", "dynamodb:DescribeTable", "dynamodb:DescribeTimeToLive",
      "dynamodb:DescribeContinuousBackups", "dynamodb:ListTagsOfResource",
      "application-autoscaling:DescribeScalableTargets", "application-autoscaling:DescribeScalingPolicies",
    ]
    # Metadata only, and most of these List/Describe calls have no resource-level
    # permissions: "*" is what IAM accepts. Data reads are denied below.
    resources = ["*"]
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
  }
  statement {
    sid       = "StateRead"
    actions   = ["s3:GetObject"]
    resources = [for bucket in var.state_buckets : "${local.arn}:s3:::${bucket}/*"]
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
    sid    = "NoSecrets"
    effect = "Deny"
    actions = [
      "secretsmanager:GetSecretValue", "secretsmanager:BatchGetSecretValue",
      "ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath", "ssm:GetParameterHistory",
      "kms:Decrypt",
    ]
    resources = ["*"]
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

resource "aws_iam_role_policy" "reads" {
  for_each = aws_iam_role.ci

  name   = "read-metadata-and-state"
  role   = each.value.id
  policy = data.aws_iam_policy_document.reads.json
}

resource "aws_iam_role_policy" "no_data_reads" {
  for_each = aws_iam_role.ci

  name   = "deny-data-reads"
  role   = each.value.id
  policy = data.aws_iam_policy_document.no_data_reads.json
}
