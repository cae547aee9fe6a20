# One apply role per GitHub Environment. It manages only that environment's
# warmer resources (names start with "<warmer_name_prefix><environment>-", the
# warmer module's name_prefix) and writes only that environment's state (keys
# under "live/<environment>/", the unit's path in the repository), so dev's role cannot
# change prod. Any region of this account: an environment may span regions.

locals {
  environment_prefix = { for environment in var.environments : environment => "${var.warmer_name_prefix}${environment}-" }
  anywhere           = "*:${local.account}"
}

data "aws_iam_policy_document" "apply" {
  for_each = local.environment_prefix

  statement {
    sid       = "StateObjects"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = [for bucket in var.state_buckets : "${local.arn}:s3:::${bucket}/live/${each.key}/*"]
  }
  statement {
    sid = "WarmerRoles"
    actions = [
      "iam:CreateRole", "iam:DeleteRole", "iam:UpdateRole", "iam:UpdateAssumeRolePolicy",
      "iam:TagRole", "iam:UntagRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy",
      "iam:ListInstanceProfilesForRole", "iam:PassRole",
    ]
    resources = ["${local.arn}:iam::${local.account}:role/${each.value}*"]
  }
  statement {
    sid = "WarmerFunction"
    actions = [
      "lambda:CreateFunction", "lambda:DeleteFunction", "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration",
      "lambda:PutFunctionConcurrency", "lambda:DeleteFunctionConcurrency", "lambda:PutFunctionEventInvokeConfig",
      "lambda:UpdateFunctionEventInvokeConfig", "lambda:DeleteFunctionEventInvokeConfig", "lambda:TagResource",
      "lambda:UntagResource",
    ]
    resources = ["${local.arn}:lambda:${local.anywhere}:function:${each.value}*"]
  }
  statement {
    sid       = "WarmerSchedule"
    actions   = ["scheduler:CreateSchedule", "scheduler:UpdateSchedule", "scheduler:DeleteSchedule"]
    resources = ["${local.arn}:scheduler:${local.anywhere}:schedule/default/${each.value}*"]
  }
  statement {
    sid = "WarmerDeadLetterQueue"
    actions = [
      "sqs:CreateQueue", "sqs:DeleteQueue", "sqs:SetQueueAttributes", "sqs:TagQueue", "sqs:UntagQueue",
    ]
    resources = ["${local.arn}:sqs:${local.anywhere}:${each.value}*"]
  }
  statement {
    sid = "WarmerLogs"
    actions = [
      "logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy",
      "logs:AssociateKmsKey", "logs:DisassociateKmsKey", "logs:TagResource", "logs:UntagResource", "logs:TagLogGroup",
    ]
    resources = ["${local.arn}:logs:${local.anywhere}:log-group:/aws/lambda/${each.value}*"]
  }
  statement {
    sid = "WarmerAlarms"
    actions = [
      "cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:TagResource", "cloudwatch:UntagResource",
    ]
    resources = ["${local.arn}:cloudwatch:${local.anywhere}:alarm:${each.value}*"]
  }
}

resource "aws_iam_role_policy" "apply" {
  for_each = local.environment_prefix

  name   = "manage-warmer-${each.key}"
  role   = aws_iam_role.ci["apply-${each.key}"].id
  policy = data.aws_iam_policy_document.apply[each.key].json
}
