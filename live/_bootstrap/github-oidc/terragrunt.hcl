# GitHub's OIDC provider and the plan/apply roles of the workflows. Applied
# once per account by an admin with their own credentials:
#   cd live/_bootstrap/github-oidc && terragrunt apply
include "root" {
  path   = "${get_repo_root()}/terragrunt.hcl"
  expose = true
}

terraform {
  source = "${get_repo_root()}/modules//github-oidc"
}

inputs = {
  # The repository whose workflows may assume the roles: set it to yours.
  github_repository = get_env("DDB_WARMER_GITHUB_REPOSITORY", "acme/ddb-warmer")
  environments      = ["dev", "prod"]
  state_bucket      = include.root.locals.state_bucket
}
