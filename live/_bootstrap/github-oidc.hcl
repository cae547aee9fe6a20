# An account's bootstrap unit (live/_bootstrap/<account>/github-oidc) includes
# this after the root. Everything follows from the environments whose env.hcl
# names the account: GitHub's OIDC provider, the plan role, an apply role per
# environment, and a state bucket per region those environments deploy to.
# An admin of the account applies it once, and again when an environment or a
# region is added:
#   cd live/_bootstrap/<account>/github-oidc && terragrunt apply --backend-bootstrap
# (--backend-bootstrap: Terragrunt creates the bucket of this unit's own state.)

terraform {
  source = "${get_repo_root()}/modules//github-oidc"
}

locals {
  live    = "${get_repo_root()}/live"
  account = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals.aws_account_id

  # The environments (live/<env>/env.hcl, `_` folders excluded) in this account.
  environments = sort([
    for file in fileset(local.live, "*/env.hcl") : dirname(file)
    if !startswith(file, "_") && read_terragrunt_config("${local.live}/${file}").locals.aws_account_id == local.account
  ])
  # Every region those environments deploy to (live/<env>/**/region.hcl).
  regions = sort(distinct([
    for file in fileset(local.live, "*/**/region.hcl") :
    read_terragrunt_config("${local.live}/${file}").locals.aws_region
    if contains(local.environments, split("/", file)[0])
  ]))
  state_buckets = { for region in local.regions : region => "ddb-warmer-tfstate-${local.account}-${region}" }
  # Existing SNS topics an environment's alarms may notify (env.hcl: alarm_topic_arns), besides the one
  # its warmer module creates: its apply role may point alarms at nothing else.
  alarm_topic_arns = {
    for environment in local.environments :
    environment => try(read_terragrunt_config("${local.live}/${environment}/env.hcl").locals.alarm_topic_arns, [])
  }
}

# A provider and a state bucket per region: the bucket module is next to
# github-oidc in the copy of modules/ Terragrunt makes.
generate "state_buckets" {
  path      = "state_buckets.tf"
  if_exists = "overwrite_terragrunt"
  contents  = <<-EOT
    variable "state_admin_principal_arns" {
      description = "Admins the state buckets admit besides the CI roles and whoever applies the bootstrap."
      type        = list(string)
      default     = []
    }

    # Whoever applies this (a role's ARN for an assumed-role session) keeps access to the buckets.
    data "aws_caller_identity" "admin" {}

    data "aws_iam_session_context" "admin" {
      arn = data.aws_caller_identity.admin.arn
    }

    locals {
      state_bucket_principals = distinct(concat(
        [for role in aws_iam_role.ci : role.arn],
        [data.aws_iam_session_context.admin.issuer_arn],
        var.state_admin_principal_arns,
      ))
    }
    %{for region, bucket in local.state_buckets}
    provider "aws" {
      alias               = "${replace(region, "-", "_")}"
      region              = "${region}"
      allowed_account_ids = ["${local.account}"]
    }

    module "state_bucket_${replace(region, "-", "_")}" {
      source                 = "../state-bucket"
      providers              = { aws = aws.${replace(region, "-", "_")} }
      bucket                 = "${bucket}"
      account_id             = "${local.account}"
      allowed_principal_arns = local.state_bucket_principals
    }
    %{endfor}
    output "state_bucket_names" {
      description = "The state bucket of each region this account's environments deploy to."
      value = {
        %{for region, bucket in local.state_buckets}
        "${region}" = module.state_bucket_${replace(region, "-", "_")}.bucket
        %{endfor}
      }
    }
  EOT
}

inputs = {
  # The repository whose workflows may assume the roles, as "owner/name".
  github_repository = get_env("DDB_WARMER_GITHUB_REPOSITORY")
  environments      = local.environments
  state_buckets     = values(local.state_buckets)
  alarm_topic_arns  = local.alarm_topic_arns
  # false when the account already has GitHub's OIDC provider (one per account).
  create_oidc_provider = tobool(get_env("DDB_WARMER_CREATE_OIDC_PROVIDER", "true"))
  # Admins (role or user ARNs) who may use the state buckets besides the CI roles.
  state_admin_principal_arns = jsondecode(get_env("DDB_WARMER_STATE_ADMINS", "[]"))
}
