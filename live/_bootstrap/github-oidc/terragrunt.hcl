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

inputs = {
  # The repository whose workflows may assume the roles: set it to yours.
  github_repository = get_env("DDB_WARMER_GITHUB_REPOSITORY", "acme/ddb-warmer")
  # GitHub Environments, one per folder of live/ the workflows deploy.
  environments = ["dev", "prod"]
  # Every bucket holding the workflows' state: add each region's bucket when an
  # environment gains a region (the roles read and write no other bucket).
  state_buckets = [include.root.locals.state_bucket]
}
