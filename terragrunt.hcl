# Root configuration, included by every unit under live/ through an explicit
# path ("${get_repo_root()}/terragrunt.hcl"). Remote state, the provider, and
# the inputs every unit shares; environment facts come from env.hcl and
# region.hcl next to each environment.

locals {
  env    = read_terragrunt_config(find_in_parent_folders("env.hcl"))
  region = read_terragrunt_config(find_in_parent_folders("region.hcl"))

  environment = local.env.locals.environment
  # Every warmer resource is named "<warmer_name_prefix><environment>-…": the warmer units' names and
  # the bootstrap's apply roles and permissions boundary (which match functions by this prefix) come
  # from this one value, so they cannot disagree.
  warmer_name_prefix = "ddb-warmer-"
  account_id         = local.env.locals.aws_account_id
  aws_region         = local.region.locals.aws_region
  # One state bucket per account and region, made by that account's bootstrap
  # unit (live/_bootstrap/<account>/). The bootstrap's own state is in a bucket
  # Terragrunt creates on its first run (`terragrunt apply --backend-bootstrap`).
  state_bucket = (
    local.environment == "bootstrap"
    ? "ddb-warmer-bootstrap-${local.account_id}-${local.aws_region}"
    : "ddb-warmer-tfstate-${local.account_id}-${local.aws_region}"
  )
}

remote_state {
  backend = "s3"
  generate = {
    path      = "backend.tf"
    if_exists = "overwrite_terragrunt"
  }
  config = {
    bucket       = local.state_bucket
    key          = "${path_relative_to_include()}/terraform.tfstate"
    region       = local.aws_region
    encrypt      = true
    use_lockfile = true # S3 native locking: no DynamoDB lock table
    # Virtual-host addressing needs DNS for "<bucket>.<endpoint>"; the local
    # emulator on 127.0.0.1 has none, so local runs set this to true.
    use_path_style = tobool(get_env("DDB_WARMER_STATE_PATH_STYLE", "false"))
    # Only the bucket this unit's state lives in before its bootstrap exists
    # (`--backend-bootstrap`): Terragrunt's TLS-only policy, except on the local
    # emulator, which speaks plain HTTP on loopback.
    skip_bucket_enforced_tls = tobool(get_env("DDB_WARMER_STATE_PLAIN_HTTP", "false"))
  }
}

generate "provider" {
  path      = "provider.tf"
  if_exists = "overwrite_terragrunt"
  contents  = <<-EOT
    provider "aws" {
      region = "${local.aws_region}"
      # Credentials of any other account fail before anything is read or changed.
      allowed_account_ids = ["${local.account_id}"]

      default_tags {
        tags = {
          Project     = "ddb-warmer"
          Environment = "${local.environment}"
          ManagedBy   = "terragrunt"
        }
      }
    }
  EOT
}

inputs = {
  name_prefix        = "${local.warmer_name_prefix}${local.environment}"
  warmer_name_prefix = local.warmer_name_prefix
  tags = {
    Environment = local.environment
  }
}
