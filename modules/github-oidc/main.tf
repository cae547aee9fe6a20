# GitHub's OIDC identity provider and two roles for the workflows: no
# long-lived AWS key anywhere. Applied once per account by an admin
# (live/_bootstrap/github-oidc, README).

data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  issuer = "token.actions.githubusercontent.com"
  arn    = "arn:${data.aws_partition.current.partition}"
  where  = "${data.aws_region.current.id}:${data.aws_caller_identity.current.account_id}"
  # Built from known values (not the provider resource's attribute) so that
  # the trust policies are readable in the plan; the roles depend on the
  # provider explicitly instead.
  provider_arn = "${local.arn}:iam::${data.aws_caller_identity.current.account_id}:oidc-provider/${local.issuer}"

  # Who may assume which role, as GitHub writes it in the token's `sub` claim.
  plan_subjects = [
    "repo:${var.github_repository}:pull_request",        # plans of pull requests
    "repo:${var.github_repository}:ref:refs/heads/main", # the daily drift plan
  ]
  apply_subjects = concat(
    [for environment in var.environments : "repo:${var.github_repository}:environment:${environment}"],
    ["repo:${var.github_repository}:ref:refs/heads/main"],
  )
}

resource "aws_iam_openid_connect_provider" "github" {
  count = var.create_oidc_provider ? 1 : 0

  url            = "https://${local.issuer}"
  client_id_list = ["sts.amazonaws.com"]
  # AWS verifies GitHub's certificate itself; the thumbprint is kept for older provider versions.
  thumbprint_list = ["6938fd4d98bab03faadb97b34396831e3780aea1"]
  tags            = var.tags
}

data "aws_iam_policy_document" "trust" {
  #checkov:skip=CKV_AWS_358:checkov cannot resolve subjects built in locals; each is "repo:<owner/name>:..." from a validated github_repository with no wildcard, and the tests assert the planned trust policies.
  for_each = { plan = local.plan_subjects, apply = local.apply_subjects }

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [local.provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:sub"
      values   = each.value
    }
  }
}

resource "aws_iam_role" "ci" {
  for_each = data.aws_iam_policy_document.trust

  name                 = "${var.name_prefix}-github-${each.key}"
  description          = each.key == "plan" ? "GitHub Actions: terragrunt plan (read-only)" : "GitHub Actions: terragrunt apply of the warmer"
  assume_role_policy   = each.value.json
  max_session_duration = 3600
  tags                 = var.tags

  # IAM refuses a trust policy naming an identity provider that does not exist yet.
  depends_on = [aws_iam_openid_connect_provider.github]
}
