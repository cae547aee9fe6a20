# What each role may do. plan: read everything (AWS's ReadOnlyAccess) plus the
# state bucket's lock files. apply: manage only resources named with the
# warmer's prefix, and the state.

resource "aws_iam_role_policy_attachment" "plan_read_only" {
  role       = aws_iam_role.ci["plan"].name
  policy_arn = "${local.arn}:iam::aws:policy/ReadOnlyAccess"
}

data "aws_iam_policy_document" "plan" {
  statement {
    sid       = "StateRead"
    actions   = ["s3:ListBucket"]
    resources = ["${local.arn}:s3:::${var.state_bucket}"]
  }
  statement {
    sid       = "StateLock"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${local.arn}:s3:::${var.state_bucket}/*.tflock"]
  }
  statement {
    sid       = "StateObjects"
    actions   = ["s3:GetObject"]
    resources = ["${local.arn}:s3:::${var.state_bucket}/*"]
  }
}

resource "aws_iam_role_policy" "plan" {
  name   = "terraform-state"
  role   = aws_iam_role.ci["plan"].id
  policy = data.aws_iam_policy_document.plan.json
}

data "aws_iam_policy_document" "apply" {
  statement {
    sid       = "StateBucket"
    actions   = ["s3:ListBucket"]
    resources = ["${local.arn}:s3:::${var.state_bucket}"]
  }
  statement {
    sid       = "StateObjects"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${local.arn}:s3:::${var.state_bucket}/*"]
  }
  statement {
    sid = "WarmerRoles"
    actions = [
      "iam:CreateRole", "iam:DeleteRole", "iam:GetRole", "iam:UpdateRole", "iam:UpdateAssumeRolePolicy",
      "iam:TagRole", "iam:UntagRole", "iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy",
      "iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole", "iam:PassRole",
    ]
    resources = ["${local.arn}:iam::${data.aws_caller_identity.current.account_id}:role/${var.warmer_name_prefix}*"]
  }
  statement {
    sid = "WarmerFunction"
    actions = [
      "lambda:CreateFunction", "lambda:DeleteFunction", "lambda:GetFunction", "lambda:GetFunctionConfiguration",
      "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration", "lambda:ListVersionsByFunction",
      "lambda:GetFunctionCodeSigningConfig", "lambda:PutFunctionConcurrency", "lambda:DeleteFunctionConcurrency",
      "lambda:GetFunctionConcurrency", "lambda:PutFunctionEventInvokeConfig", "lambda:GetFunctionEventInvokeConfig",
      "lambda:UpdateFunctionEventInvokeConfig", "lambda:DeleteFunctionEventInvokeConfig", "lambda:TagResource",
      "lambda:UntagResource", "lambda:ListTags", "lambda:GetPolicy",
    ]
    resources = ["${local.arn}:lambda:${local.where}:function:${var.warmer_name_prefix}*"]
  }
  statement {
    sid       = "WarmerSchedule"
    actions   = ["scheduler:CreateSchedule", "scheduler:UpdateSchedule", "scheduler:DeleteSchedule", "scheduler:GetSchedule"]
    resources = ["${local.arn}:scheduler:${local.where}:schedule/default/${var.warmer_name_prefix}*"]
  }
  statement {
    sid = "WarmerDeadLetterQueue"
    actions = [
      "sqs:CreateQueue", "sqs:DeleteQueue", "sqs:GetQueueAttributes", "sqs:SetQueueAttributes", "sqs:GetQueueUrl",
      "sqs:TagQueue", "sqs:UntagQueue", "sqs:ListQueueTags",
    ]
    resources = ["${local.arn}:sqs:${local.where}:${var.warmer_name_prefix}*"]
  }
  statement {
    sid = "WarmerLogs"
    actions = [
      "logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy",
      "logs:AssociateKmsKey", "logs:DisassociateKmsKey", "logs:TagResource", "logs:UntagResource",
      "logs:ListTagsForResource", "logs:TagLogGroup",
    ]
    resources = ["${local.arn}:logs:${local.where}:log-group:/aws/lambda/${var.warmer_name_prefix}*"]
  }
  statement {
    sid = "WarmerAlarms"
    actions = [
      "cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarms",
      "cloudwatch:TagResource", "cloudwatch:UntagResource", "cloudwatch:ListTagsForResource",
    ]
    resources = ["${local.arn}:cloudwatch:${local.where}:alarm:${var.warmer_name_prefix}*"]
  }
  statement {
    # These actions have no resource-level permissions: "*" is all IAM accepts.
    sid       = "ReadWithoutResourceScope"
    actions   = ["sts:GetCallerIdentity", "logs:DescribeLogGroups"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "apply" {
  name   = "manage-warmer"
  role   = aws_iam_role.ci["apply"].id
  policy = data.aws_iam_policy_document.apply.json
}
