# The permissions boundary of every role an apply role creates, and the denies
# that keep every CI role from making itself (or anything it creates) admin.
#
# An apply role may create IAM roles (the warmer has two) and give them inline
# policies, so without a boundary it could create a role with "*:*" and pass it
# on. The boundary is the function's promise, not wider: whatever inline policy
# a role made under it is given, it can do no more than the warmer and its
# schedule do.
# - Items only as the function's own policy allows them (modules/warmer-access:
#   the same conditions, written once): GetItem, DeleteItem and the opt-in GSI
#   sentinel UpdateItem under the sentinel partition keys only, never in a
#   transaction or batch, never returning the old item; Query only on an index,
#   counting, under the sentinel keys. No PutItem, Scan, batch, PartiQL,
#   transaction, stream, export or backup: none is allowed here.
# - Everything a function does only from inside a warmer function of this
#   account: lambda:SourceFunctionArn is set by Lambda on the calls made with the
#   execution role's credentials from its execution environment (and on its log
#   writes), and on no call of a session assumed elsewhere, so such a role's
#   credentials used outside Lambda do nothing.
#   https://docs.aws.amazon.com/lambda/latest/dg/permissions-source-function-arn.html
# - The schedule's role: invoke a warmer function and send to a warmer's
#   dead-letter queue (EventBridge Scheduler sets no such key on its calls).
# No IAM, no STS, no other service.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html

module "access" {
  source = "../warmer-access"
}

locals {
  boundary_name = "${var.name_prefix}-warmer-boundary"
  # Built from known values so the apply roles' conditions are readable in the plan.
  boundary_arn = "${local.arn}:iam::${local.account}:policy/${local.boundary_name}"
  # Every CI role of this bootstrap: no CI role may change any of them.
  ci_roles_arn = "${local.arn}:iam::${local.account}:role/${var.name_prefix}-github-*"
  warmer       = var.warmer_name_prefix
  # A call made from inside a warmer function of this account (any region).
  from_a_warmer = {
    test     = "ArnLike"
    variable = "lambda:SourceFunctionArn"
    values   = ["${local.arn}:lambda:${local.anywhere}:function:${local.warmer}*"]
  }
  # Statements of the function's part, each also under from_a_warmer.
  function_statements = {
    LearnTables = {
      actions    = ["dynamodb:DescribeTable", "dynamodb:DescribeTimeToLive"]
      resources  = ["${local.arn}:dynamodb:*:${local.account}:table/*"]
      conditions = []
    }
    # No resource-level permissions: "*" is the only resource IAM accepts. Both only list.
    FindTables = {
      actions    = ["dynamodb:ListTables", "application-autoscaling:DescribeScalableTargets"]
      resources  = ["*"]
      conditions = []
    }
    # The tables are the adopter's, named by configuration: any table of this
    # account, but only the sentinel items (module.access).
    WarmItems = {
      actions    = module.access.item_actions
      resources  = ["${local.arn}:dynamodb:*:${local.account}:table/*"]
      conditions = module.access.item_conditions
    }
    WarmIndexes = {
      actions    = ["dynamodb:Query"]
      resources  = ["${local.arn}:dynamodb:*:${local.account}:table/*/index/*"]
      conditions = module.access.index_query_conditions
    }
    WriteOwnLogs = {
      actions    = ["logs:CreateLogStream", "logs:PutLogEvents"]
      resources  = ["${local.arn}:logs:${local.anywhere}:log-group:/aws/lambda/${local.warmer}*"]
      conditions = []
    }
    # A configuration past Lambda's 4 KB of environment: the warmer's own parameters.
    ReadOwnConfig = {
      actions    = ["ssm:GetParameters"]
      resources  = ["${local.arn}:ssm:${local.anywhere}:parameter/${local.warmer}*"]
      conditions = []
    }
  }
}

data "aws_iam_policy_document" "boundary" {
  dynamic "statement" {
    for_each = local.function_statements
    content {
      sid       = statement.key
      actions   = statement.value.actions
      resources = statement.value.resources
      dynamic "condition" {
        for_each = concat([local.from_a_warmer], statement.value.conditions)
        content {
          test     = condition.value.test
          variable = condition.value.variable
          values   = condition.value.values
        }
      }
    }
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
    # A role's trust is set once, when it is created: no CI role may rewrite
    # the trust of any role (a warmer role trusting another account would be a
    # door into this account that outlives the run).
    sid       = "NoTrustChanges"
    effect    = "Deny"
    actions   = ["iam:UpdateAssumeRolePolicy"]
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
