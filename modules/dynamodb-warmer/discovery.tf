# What the configuration resolves to today, read at plan time (with the
# plan's read-only credentials), so a reviewer sees it in the plan: the
# tables found, how each is warmed, and a warning naming a configured table
# that does not exist. The function itself discovers again on every tick;
# these reads only report.

data "aws_dynamodb_tables" "region" {}

locals {
  # A pattern as a regular expression: `.` literal, `*` any run, `?` one character.
  pattern_regexes = [for p in var.table_name_patterns : "^${replace(replace(replace(p, ".", "\\."), "*", ".*"), "?", ".")}$"]
  exclude_regexes = [for p in var.exclude_table_name_patterns : "^${replace(replace(replace(p, ".", "\\."), "*", ".*"), "?", ".")}$"]

  existing_tables = toset(data.aws_dynamodb_tables.region.names)
  listed_tables   = { for t in var.tables : t.name => t }
  missing_tables  = [for t in var.tables : t.name if !contains(local.existing_tables, t.name)]
  # Every existing table the patterns select, listed or not (a pattern that only
  # finds listed tables still matches: no warning for it).
  pattern_hits = sort([
    for name in local.existing_tables : name
    if anytrue([for r in local.pattern_regexes : can(regex(r, name))])
    && !anytrue([for r in local.exclude_regexes : can(regex(r, name))])
  ])
  # The tables only the patterns bring in: a listed table keeps its own entry.
  matched_tables = [for name in local.pattern_hits : name if !contains(keys(local.listed_tables), name)]
  found_tables   = concat([for t in var.tables : t.name if contains(local.existing_tables, t.name)], local.matched_tables)
}

data "aws_dynamodb_table" "found" {
  for_each = toset(local.found_tables)
  name     = each.key
}

locals {
  # What a listed table's explicit settings warm; "" for a table in auto mode.
  explicit_warms = {
    for t in var.tables : t.name => (t.read == null && t.write == null) ? "" : join(", ", concat(
      t.read == true ? ["table read"] : [],
      t.write == true ? ["table write"] : [],
      [for i in t.indexes : "index ${i.name} ${join("+", concat(i.read == true ? ["read"] : [], i.write == true ? ["write"] : []))}" if i.read == true || i.write == true],
    ))
  }
  resolved_tables = {
    for name, table in data.aws_dynamodb_table.found : name => {
      selected_by  = contains(keys(local.listed_tables), name) ? "tables" : "table_name_patterns"
      billing_mode = table.billing_mode
      gsis         = sort([for index in table.global_secondary_index : index.name])
      warms = (
        table.billing_mode == "PAY_PER_REQUEST" ? "nothing: on-demand, no auto scaling to unblock" :
        lookup(local.explicit_warms, name, "") != "" ? local.explicit_warms[name] :
        "auto: each dimension with an auto scaling target (GSI writes only when asked for)"
      )
    }
  }
}

check "configured_tables_exist" {
  assert {
    condition     = length(local.missing_tables) == 0
    error_message = "Configured tables not found in ${local.arn_parts.region}: ${join(", ", local.missing_tables)}. The warmer would fail on them every tick: check the spelling, or remove them."
  }
}

check "patterns_match_tables" {
  assert {
    condition     = length(var.table_name_patterns) == 0 || length(local.pattern_hits) > 0
    error_message = "table_name_patterns ${jsonencode(var.table_name_patterns)} match no table in ${local.arn_parts.region} today (the warmer will pick up matching tables created later)."
  }
}
