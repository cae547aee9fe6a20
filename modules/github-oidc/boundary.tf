# The permissions boundary of every role an apply role creates, and the denies
# that keep every CI role from making itself (or anything it creates) admin.
#
# An apply role may create and change IAM roles (the warmer has two), so
# without a boundary it could create a role with "*:*" and pass it on. With
# one, whatever inline policy a role of the warmer gets, it can do no more than
# a warmer and its schedule need: read and write the sentinel items of tables,
# describe tables and their scaling, write its own logs, invoke a warmer
# function and send to a warmer's dead-letter queue. No IAM, no STS, no other
# service. https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html

locals {
  boundary_name = "${var.name_prefix}-warmer-boundary"
  # Built from known values so the apply roles' conditions are readable in the plan.
  boundary_arn = "${local.arn}:iam::${local.account}:policy/${local.boundary_name}"
  # Every CI role of this bootstrap: no CI role may change any of them.
  ci_roles_arn = "${local.arn}:iam::${local.account}:role/${var.name_prefix}-github-*"
  warmer       = var.warmer_name_prefix
}

data "aws_iam_policy_document" "boundary" {
  statement {
    sid = "WarmTables"
    actions = [
      "dynamodb:DescribeTable", "dynamodb:DescribeTimeToLive",
      "dynamodb:GetItem", "dynamodb:DeleteItem", "dynamodb:UpdateItem", "dynamodb:Query",
    ]
    # The tables are the adopter's, named by configuration: any table of this
    # account; the function's own policy limits them and the sentinel key.
    resources = ["${local.arn}:dynamodb:*:${local.account}:table/*"]
  }
  statement {
    # No resource-level permissions: "*" is the only resource IAM accepts. Both only list.
    sid       = "FindTables"
    actions   = ["dynamodb:ListTables", "application-autoscaling:DescribeScalableTargets"]
    resources = ["*"]
  }
  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.arn}:logs:${local.anywhere}:log-group:/aws/lambda/${local.warmer}*"]
  }
  statement {
    # A configuration past Lambda's 4 KB of environment: the warmer's own parameters.
    sid       = "ReadOwnConfig"
    actions   = ["ssm:GetParameters"]
    resources = ["${local.arn}:ssm:${local.anywhere}:parameter/${local.warmer}*"]
  }
  statement {
    sid       = "InvokeAWarmer"
    actions   = ["lambda:InvokeFunction"]
    resources = ["${local.arn}:lambda:${local.anywhere}:function:${local.warmer}*"]
  }
  statement {
    sid       = "DeadLetters"
    actions   = ["sqs:SendMessage"]
    resources = ["${local.arn}:sqs:${local.anywhere}:${local.warmer}*"]
  }
  statement {
    # A customer-managed key of the dead-letter queue (kms_key_arn), used through SQS only.
    sid       = "EncryptDeadLetters"
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = ["${local.arn}:kms:*:${local.account}:key/*"]
    condition {
      test     = "StringLike"
      variable = "kms:ViaService"
      values   = ["sqs.*.amazonaws.com"]
    }
  }
}

resource "aws_iam_policy" "boundary" {
  name        = local.boundary_name
  description = "Permissions boundary of every role the ddb-warmer apply roles create: what a warmer and its schedule need."
  policy      = data.aws_iam_policy_document.boundary.json
  tags        = var.tags
}

# Explicit denies on every CI role: they win over any allow, also one added by hand later.
data "aws_iam_policy_document" "no_escalation" {
  statement {
    sid    = "NoRoleWithoutTheBoundary"
    effect = "Deny"
    actions = [
      "iam:CreateRole", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy", "iam:AttachRolePolicy",
      "iam:DetachRolePolicy", "iam:DeleteRolePolicy",
    ]
    resources = ["*"]
    condition {
      test     = "StringNotEquals"
      variable = "iam:PermissionsBoundary"
      values   = [local.boundary_arn]
    }
  }
  statement {
    sid    = "TheBoundaryStays"
    effect = "Deny"
    actions = [
      "iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion",
      "iam:SetDefaultPolicyVersion", "iam:TagPolicy", "iam:UntagPolicy", "iam:DeleteRolePermissionsBoundary",
    ]
    resources = ["*"]
  }
  statement {
    # Read only: not its own role, nor another CI role (a deny policy must not be removable).
    sid         = "NoCIRoleChanges"
    effect      = "Deny"
    not_actions = ["iam:GetRole", "iam:GetRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies"]
    resources   = [local.ci_roles_arn]
  }
  statement {
    sid    = "NoManagedPoliciesUsersOrKeys"
    effect = "Deny"
    actions = [
      "iam:AttachRolePolicy", "iam:CreateUser", "iam:CreateAccessKey", "iam:CreateLoginProfile",
      "iam:UpdateLoginProfile", "iam:AttachUserPolicy", "iam:PutUserPolicy", "iam:AddUserToGroup",
      "iam:CreateServiceLinkedRole", "iam:CreateInstanceProfile", "iam:AddRoleToInstanceProfile",
    ]
    resources = ["*"]
  }
  statement {
    sid       = "NoOtherRoles"
    effect    = "Deny"
    actions   = ["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML", "sts:GetFederationToken"]
    resources = ["*"]
  }
  statement {
    sid       = "PassRolesOnlyToTheWarmersServices"
    effect    = "Deny"
    actions   = ["iam:PassRole"]
    resources = ["*"]
    condition {
      test     = "StringNotEquals"
      variable = "iam:PassedToService"
      values   = ["lambda.amazonaws.com", "scheduler.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "no_escalation" {
  for_each = aws_iam_role.ci

  name   = "deny-escalation"
  role   = each.value.id
  policy = data.aws_iam_policy_document.no_escalation.json
}
