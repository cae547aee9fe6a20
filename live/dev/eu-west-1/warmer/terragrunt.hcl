include "root" {
  path = "${get_repo_root()}/terragrunt.hcl"
}

include "warmer" {
  path = "${get_repo_root()}/live/_shared/warmer.hcl"
}

inputs = {
  schedule_expression = "rate(1 minute)"
  log_retention_days  = 14
  # Where dev's alarms go: a topic of its own with these subscriptions, or an
  # existing topic as { topic_arn = "arn:aws:sns:..." } (docs/operations.md).
  notifications = { subscriptions = [{ protocol = "email", endpoint = "dev-alerts@example.com" }] }

  tables = [
    # Auto mode: every dimension with an auto scaling target is warmed.
    { name = "dev-orders" },
    # Explicit: only reads scale on this table (an entry wins over a pattern).
    { name = "dev-sessions", read = true, write = false },
  ]
  # Discovery: any other dev table with auto scaling, including ones created
  # after this deploy, is warmed from the next tick on.
  table_name_patterns = ["dev-*"]
}
