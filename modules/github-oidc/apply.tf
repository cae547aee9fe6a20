# One apply role per GitHub Environment. It manages only that environment's
# warmer resources (names start with "<warmer_name_prefix><environment>-", the
# warmer module's name_prefix) and writes only that environment's state (keys
# under "live/<environment>/", the unit's path in the repository), so dev's role cannot
# change prod. Any region of this account: an environment may span regions.
# Roles only with the permissions boundary, passed only to Lambda and
# EventBridge Scheduler (boundary.tf holds the boundary and the denies).

locals {
  environment_prefix = { for environment in var.environments : environment => "${var.warmer_name_prefix}${environment}-" }
  anywhere           = "*:${local.account}"
}

data "aws_iam_policy_document" "apply" {
  for_each = local.environment_prefix

  statement {
    sid       = "StateObjects"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = [for bucket in var.state_buckets : "${local.arn}:s3:::${bucket}/live/${each.key}/*"]
    condition {
      test     = "StringEquals"
      variable = "aws:ResourceAccount"
      values   = [local.account]
    }
  }
  statement {
    # Only the lock files are ever deleted (S3 native locking); a state object never is.
    sid       = "StateLocks"
    actions   = ["s3:DeleteObject"]
    resources = [for bucket in var.state_buckets : "${local.arn}:s3:::${bucket}/live/${each.key}/*.tflock"]
    condition {
      test     = "StringEquals"
      variable = "aws:ResourceAccount"
      values   = [local.account]
    }
  }
  statement {
    # Roles of the warmer are created and given policies only with the boundary
    # (boundary.tf), so no role this one makes can do more than a warmer needs.
    sid = "WarmerRolesWithTheBoundary"
    actions = [
      "iam:CreateRole", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy", "iam:DeleteRolePolicy",
    ]
    resources = ["${local.arn}:iam::${local.account}:role/${each.value}*"]
    condition {
      test     = "StringEquals"
      variable = "iam:PermissionsBoundary"
      values   = [local.boundary_arn]
    }
  }
  statement {
    sid = "WarmerRoles"
    actions = [
      "iam:DeleteRole", "iam:UpdateRole", "iam:TagRole", "iam:UntagRole",
      "iam:ListInstanceProfilesForRole",
    ]
    resources = ["${local.arn}:iam::${local.account}:role/${each.value}*"]
  }
  statement {
    # The function's role to Lambda, the schedule's to EventBridge Scheduler: to no other service.
    sid       = "PassWarmerRoles"
    actions   = ["iam:PassRole"]
    resources = ["${local.arn}:iam::${local.account}:role/${each.value}*"]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["lambda.amazonaws.com", "scheduler.amazonaws.com"]
    }
  }
  statement {
    sid = "WarmerFunction"
    actions = [
      "lambda:CreateFunction", "lambda:DeleteFunction", "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration",
      "lambda:PutFunctionConcurrency", "lambda:DeleteFunctionConcurrency", "lambda:PutFunctionEventInvokeConfig",
      "lambda:UpdateFunctionEventInvokeConfig", "lambda:DeleteFunctionEventInvokeConfig", "lambda:TagResource",
      "lambda:UntagResource", "lambda:PutRuntimeManagementConfig",
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
      "logs:PutMetricFilter", "logs:DeleteMetricFilter",
    ]
    resources = ["${local.arn}:logs:${local.anywhere}:log-group:/aws/lambda/${each.value}*"]
  }
  statement {
    sid       = "WarmerAlarms"
    actions   = ["cloudwatch:DeleteAlarms", "cloudwatch:TagResource", "cloudwatch:UntagResource"]
    resources = ["${local.arn}:cloudwatch:${local.anywhere}:alarm:${each.value}*"]
  }
  statement {
    # An alarm notifies only the environment's own topics: the one the warmer
    # module creates ("<prefix><environment>-…") or an existing one named in its
    # env.hcl (alarm_topic_arns). Never another team's topic, an EC2 or an SSM
    # action. cloudwatch:AlarmActions holds every action of the alarm:
    # https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/iam-cw-condition-keys-alarm-actions.html
    sid       = "WarmerAlarmsNotifyOwnTopics"
    actions   = ["cloudwatch:PutMetricAlarm"]
    resources = ["${local.arn}:cloudwatch:${local.anywhere}:alarm:${each.value}*"]
    condition {
      test     = "ForAllValues:ArnLike"
      variable = "cloudwatch:AlarmActions"
      values   = concat(["${local.arn}:sns:${local.anywhere}:${each.value}*"], lookup(var.alarm_topic_arns, each.key, []))
    }
  }
  statement {
    # A configuration past Lambda's 4 KB of environment lives in the warmer's own parameters.
    sid = "WarmerConfigParameters"
    actions = [
      "ssm:PutParameter", "ssm:DeleteParameter", "ssm:DeleteParameters", "ssm:AddTagsToResource",
      "ssm:RemoveTagsFromResource",
    ]
    resources = ["${local.arn}:ssm:${local.anywhere}:parameter/${each.value}*"]
  }
  statement {
    # The environment's alarm topic and its subscriptions (subscription ARNs extend the topic's).
    sid = "WarmerAlarmTopic"
    actions = [
      "sns:CreateTopic", "sns:DeleteTopic", "sns:SetTopicAttributes", "sns:Subscribe", "sns:Unsubscribe",
      "sns:SetSubscriptionAttributes", "sns:TagResource", "sns:UntagResource",
    ]
    resources = ["${local.arn}:sns:${local.anywhere}:${each.value}*"]
  }
}

resource "aws_iam_role_policy" "apply" {
  for_each = local.environment_prefix

  name   = "manage-warmer-${each.key}"
  role   = aws_iam_role.ci["apply-${each.key}"].id
  policy = data.aws_iam_policy_document.apply[each.key].json

  lifecycle {
    # IAM refuses a role's inline policies beyond 10,240 characters in all
    # (white space not counted): say so at plan time, not halfway through an apply.
    # The reads and denies every CI role shares are managed policies
    # (shared_policies.tf), so this one alone counts; it grows by two state
    # objects' ARNs and a topic per region.
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
    precondition {
      condition     = length(data.aws_iam_policy_document.apply[each.key].minified_json) <= 10240
      error_message = "The apply role of ${each.key} would have over 10,240 characters of inline policies (IAM's limit): use fewer state_buckets, fewer alarm_topic_arns or a shorter warmer_name_prefix."
    }
  }
}
