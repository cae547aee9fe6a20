include "root" {
  path = "${get_repo_root()}/terragrunt.hcl"
}

include "warmer" {
  path = "${get_repo_root()}/live/_shared/warmer.hcl"
}

inputs = {
  schedule_expression  = "rate(1 minute)"
  log_retention_days   = 90
  reserved_concurrency = 1

  # Discovery: every prod table in this region with an auto scaling target,
  # found again each tick, so a new replica needs no pull request.
  tables                      = []
  table_name_patterns         = ["prod-*"]
  exclude_table_name_patterns = ["prod-tmp-*"]
}
