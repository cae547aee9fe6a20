# This account's CI roles and state buckets (live/_bootstrap/github-oidc.hcl).
include "root" {
  path = "${get_repo_root()}/terragrunt.hcl"
}

include "bootstrap" {
  path = "${get_repo_root()}/live/_bootstrap/github-oidc.hcl"
}
