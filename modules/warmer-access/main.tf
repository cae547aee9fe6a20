# The warmer's promise as IAM conditions, written once: the function's own
# policy (modules/dynamodb-warmer/iam.tf) and the permissions boundary of every
# role CI creates (modules/github-oidc/boundary.tf) both use these, so the
# boundary can never allow more on items than the function's policy does.
# No resources and no provider: values only.

locals {
  # The only partition key values the warmer reads or writes: the values IAM
  # compares dynamodb:LeadingKeys with (a number as written, binary as base64).
  # Keep in sync with lambda_function/schema.py (tests/iam/test_warmer_policy.py checks).
  sentinel_partition_keys = [
    "__ddb_warmer_sentinel__",
    "-9.87654321012345678987654321E+125",
    base64encode("\u0000ddb-warmer-sentinel\u0000"),
  ]

  # Item access only under the sentinel partition key: even a bug, or a role
  # given more than the function's policy, cannot read, delete or update a
  # user's item. ForAllValues is true when the key is absent, so the Null check
  # requires it to be there:
  # https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html
  sentinel_key_conditions = [
    { test = "ForAllValues:StringEquals", variable = "dynamodb:LeadingKeys", values = local.sentinel_partition_keys },
    { test = "Null", variable = "dynamodb:LeadingKeys", values = ["false"] },
  ]

  item_conditions = concat(local.sentinel_key_conditions, [
    # Transactions and batches reach GetItem, DeleteItem and UpdateItem
    # permissions with dynamodb:EnclosingOperation set: none of them.
    # https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html
    { test = "Null", variable = "dynamodb:EnclosingOperation", values = ["true"] },
    # Never the old item back from a write.
    { test = "StringEqualsIfExists", variable = "dynamodb:ReturnValues", values = ["NONE"] },
  ])

  # A Query reads a count only (Select COUNT), under the sentinel partition key:
  # no attribute of any item comes back. Only on an index (the resource is
  # ".../table/<T>/index/<I>"): never a Query of a table itself.
  index_query_conditions = concat(
    [{ test = "StringEquals", variable = "dynamodb:Select", values = ["COUNT"] }],
    local.sentinel_key_conditions,
  )
}

output "sentinel_partition_keys" {
  description = "The sentinel partition key values, as IAM compares dynamodb:LeadingKeys with them."
  value       = local.sentinel_partition_keys
}

output "item_conditions" {
  description = "Conditions of every item action the warmer may make (GetItem, DeleteItem, UpdateItem): [{test, variable, values}]."
  value       = local.item_conditions
}

output "index_query_conditions" {
  description = "Conditions of the warmer's index Query: [{test, variable, values}]."
  value       = local.index_query_conditions
}

output "item_actions" {
  description = "The item actions the warmer may make, every one under item_conditions; UpdateItem only for the opt-in GSI write sentinel."
  value       = ["dynamodb:GetItem", "dynamodb:DeleteItem", "dynamodb:UpdateItem"]
}
