include "root" {
  path = "${get_repo_root()}/terragrunt.hcl"
}

include "warmer" {
  path = "${get_repo_root()}/live/_shared/warmer.hcl"
}

include "prod" {
  path = "${get_repo_root()}/live/prod/warmer.hcl"
}

inputs = {
  # Discovery: every prod table in this region with an auto scaling target,
  # found again each tick, so a new replica needs no pull request.
  tables                      = []
  table_name_patterns         = ["prod-*"]
  exclude_table_name_patterns = ["prod-tmp-*"]
}
