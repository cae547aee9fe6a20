# Root configuration, included by every unit under live/ through an explicit
# path ("${get_repo_root()}/terragrunt.hcl"). Remote state, the provider, and
# the inputs every unit shares; environment facts come from env.hcl and
# region.hcl next to each environment.

locals {
  env    = read_terragrunt_config(find_in_parent_folders("env.hcl"))
  region = read_terragrunt_config(find_in_parent_folders("region.hcl"))

  environment = local.env.locals.environment
  aws_region  = local.region.locals.aws_region
  # One bucket per account and region, created once by an admin (README).
  state_bucket = get_env("DDB_WARMER_STATE_BUCKET", "ddb-warmer-tfstate-${get_aws_account_id()}-${local.aws_region}")
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
  }
}

generate "provider" {
  path      = "provider.tf"
  if_exists = "overwrite_terragrunt"
  contents  = <<-EOT
    provider "aws" {
      region = "${local.aws_region}"

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
  name_prefix = "ddb-warmer-${local.environment}"
  tags = {
    Environment = local.environment
  }
}
