# GitHub's OIDC provider, the workflows' plan role and one apply role per
# environment. Applied once per account by an admin with their own credentials:
#   cd live/_bootstrap/github-oidc && terragrunt apply
# then set the `github_variables` output in GitHub (README: How changes reach AWS).
include "root" {
  path   = "${get_repo_root()}/terragrunt.hcl"
  expose = true
}

terraform {
  source = "${get_repo_root()}/modules//github-oidc"
}

locals {
  live = "${get_repo_root()}/live"
  # Every region an environment deploys to (live/<env>/**/region.hcl) keeps its
  # state in that region's bucket; the roles may use those buckets and no other.
  regions = distinct([
    for file in fileset(local.live, "*/**/region.hcl") :
    read_terragrunt_config("${local.live}/${file}").locals.aws_region
    if !startswith(file, "_")
  ])
  state_buckets = distinct([
    for region in local.regions :
    get_env("DDB_WARMER_STATE_BUCKET", "ddb-warmer-tfstate-${get_aws_account_id()}-${region}")
  ])
}

inputs = {
  # The repository whose workflows may assume the roles: set it to yours.
  github_repository = get_env("DDB_WARMER_GITHUB_REPOSITORY", "acme/ddb-warmer")
  # GitHub Environments, one per folder of live/ the workflows deploy.
  environments  = ["dev", "prod"]
  state_buckets = local.state_buckets
}
