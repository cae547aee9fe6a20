# What prod's warmer units have in common, in every region; each unit
# includes this after the root and live/_shared/warmer.hcl.
inputs = {
  schedule_expression  = "rate(1 minute)"
  log_retention_days   = 90
  reserved_concurrency = 1
  # Where prod's alarms page: a topic of its own with these subscriptions, or
  # an existing topic as { topic_arn = "arn:aws:sns:..." } (docs/operations.md).
  notifications = { subscriptions = [{ protocol = "email", endpoint = "oncall@example.com" }] }
}
