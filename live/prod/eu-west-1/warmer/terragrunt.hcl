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

  tables = [
    { name = "prod-orders" },
    { name = "prod-customers" },
    # The events table's by_user index scales its reads: warm them explicitly.
    {
      name  = "prod-events"
      read  = true
      write = true
      indexes = [
        { name = "by_user", read = true },
      ]
    },
  ]
}
