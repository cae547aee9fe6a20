# GitHub's OIDC identity provider and the workflows' roles: one plan role that
# cannot read data, and one apply role per GitHub Environment. No long-lived AWS
# key anywhere. Applied once per account by an admin (live/_bootstrap/github-oidc,
# docs/adopting.md).

data "aws_partition" "current" {}
data "aws_caller_identity" "current" {}

locals {
  issuer  = "token.actions.githubusercontent.com"
  arn     = "arn:${data.aws_partition.current.partition}"
  account = data.aws_caller_identity.current.account_id
  # Built from known values (not the provider resource's attribute) so that
  # the trust policies are readable in the plan; the roles depend on the
  # provider explicitly instead.
  provider_arn = "${local.arn}:iam::${local.account}:oidc-provider/${local.issuer}"

  # The `sub` claim's repository part. Repositories created (or renamed or
  # transferred) after 2026-07-15 get GitHub's immutable format
  # "repo:OWNER@OWNER-ID/REPO@REPO-ID:…"; older ones keep "repo:OWNER/REPO:…".
  # https://docs.github.com/en/actions/reference/security/oidc
  # The ids are the default (a name can change hands, an id cannot); names
  # only when asked for (name_based_subjects).
  owner_name = split("/", var.github_repository)
  subject_repository = (
    var.github_repository_ids == null ? var.github_repository :
    "${local.owner_name[0]}@${var.github_repository_ids.owner}/${local.owner_name[1]}@${var.github_repository_ids.repository}"
  )
  subject = "repo:${local.subject_repository}"

  # Who may assume which role, exactly as GitHub writes the token's `sub`.
  # A job that names an environment gets "environment:<name>" whatever its
  # branch or event; "pull_request" and "ref:…" only come from jobs without one.
  trusted_subjects = merge(
    {
      plan = [
        "${local.subject}:pull_request",        # plans of pull requests
        "${local.subject}:ref:refs/heads/main", # merge plans, drift, doctor (jobs with no environment)
      ]
    },
    { for environment in var.environments : "apply-${environment}" => ["${local.subject}:environment:${environment}"] },
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
  for_each = local.trusted_subjects

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

  name = "${var.name_prefix}-github-${each.key}"
  description = (each.key == "plan"
    ? "GitHub Actions: terragrunt plan and doctor (reads metadata, never data)"
  : "GitHub Actions: terragrunt apply of live/${trimprefix(each.key, "apply-")}")
  assume_role_policy   = each.value.json
  max_session_duration = 3600
  tags                 = var.tags

  # IAM refuses a trust policy naming an identity provider that does not exist yet.
  depends_on = [aws_iam_openid_connect_provider.github]

  lifecycle {
    precondition {
      condition     = var.github_repository_ids != null || var.name_based_subjects
      error_message = "Set github_repository_ids = { owner = <id>, repository = <id> } (gh api repos/${var.github_repository} --jq '.owner.id, .id'), or name_based_subjects = true to trust \"repo:${var.github_repository}:...\" by name."
    }
  }
}
