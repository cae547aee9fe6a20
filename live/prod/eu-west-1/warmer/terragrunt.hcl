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
