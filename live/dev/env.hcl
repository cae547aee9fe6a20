# One environment: a GitHub Environment, a folder of live/, and the AWS
# account it deploys to. Its regions follow from the region.hcl files below.
locals {
  environment = "dev"
  # The provider refuses credentials of any other account; the CI roles are
  # found in this account by name (ddb-warmer-bootstrap-github-*).
  aws_account_id = "123456789012"
  # Promotion order: in one run this environment applies only after these
  # succeeded (none: first).
  apply_after = []
  # Existing SNS topics its alarms may notify (notifications.topic_arn): its
  # apply role may point alarms at these and at the topic the module creates,
  # nothing else. Apply the account's bootstrap again after a change here.
  alarm_topic_arns = []
}
