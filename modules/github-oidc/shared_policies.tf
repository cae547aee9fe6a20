# What every CI role shares, as two managed policies attached to each: the
# reads (reads.tf) and the denies (reads.tf: no data reads; boundary.tf: no
# escalation). Managed rather than inline so that a role's 10,240 characters of
# inline policies hold its own apply policy alone, whatever the number of
# regions and environments; a managed policy may hold 6,144.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
# No CI role can change them: every policy version and every CI role's
# attachments are denied (boundary.tf: TheBoundaryStays, NoCIRoleChanges).

locals {
  # Built from known values, like the boundary's, so the plan shows which role gets which policy.
  shared_policies = {
    reads  = "${var.name_prefix}-ci-read-metadata-and-state"
    denies = "${var.name_prefix}-ci-deny-data-reads-and-escalation"
  }
  shared_policy_arns = { for key, name in local.shared_policies : key => "${local.arn}:iam::${local.account}:policy/${name}" }
  attachments = merge([
    for role in keys(local.trusted_subjects) : { for key in keys(local.shared_policies) : "${role}/${key}" => { role = role, policy = key } }
  ]...)
}

data "aws_iam_policy_document" "denies" {
  source_policy_documents = [
    data.aws_iam_policy_document.no_data_reads.json,
    data.aws_iam_policy_document.no_escalation.json,
  ]
}

resource "aws_iam_policy" "shared" {
  for_each = local.shared_policies

  name = each.value
  description = (each.key == "reads"
    ? "Every ddb-warmer CI role: the metadata a plan refreshes and doctor reads, and the state; never data."
  : "Every ddb-warmer CI role: no data reads, no escalation, no change to the CI roles or these policies.")
  policy = each.key == "reads" ? data.aws_iam_policy_document.reads.json : data.aws_iam_policy_document.denies.json
  tags   = var.tags

  lifecycle {
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
    precondition {
      condition = length(
        each.key == "reads" ? data.aws_iam_policy_document.reads.minified_json : data.aws_iam_policy_document.denies.minified_json
      ) <= 6144
      error_message = "The CI roles' ${each.key} policy would have over 6,144 characters (IAM's limit for a managed policy): use fewer state_buckets or a shorter warmer_name_prefix."
    }
  }
}

resource "aws_iam_role_policy_attachment" "shared" {
  for_each = local.attachments

  role       = aws_iam_role.ci[each.value.role].name
  policy_arn = local.shared_policy_arns[each.value.policy]

  depends_on = [aws_iam_policy.shared]
}
