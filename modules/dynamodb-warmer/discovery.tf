# What the configuration resolves to today, read at plan time (with the
# plan's read-only credentials), so a reviewer sees it in the plan: the
# tables found, how each is warmed, and a warning naming a configured table
# that does not exist. The function itself discovers again on every tick;
# these reads only report. The one ListTables read covers every configured
# table (the missing-table warning); the four reads per table behind the
# per-table detail (DescribeTable, DescribeContinuousBackups,
# DescribeTimeToLive, ListTagsOfResource) stop at resolved_tables_detail_limit,
# so a plan of 1,000 tables is not 4,000 reads long.

data "aws_dynamodb_tables" "region" {}

locals {
  # The glob a pattern written as a regular expression meant: anchors dropped,
  # `.*` `.+` `[a-z]+` `\d+` `+` become `*`, `\.` a plain dot. A glob stays as it
  # is. `^ $ \ [ ] +` are refused (the function's precondition, main.tf); `.*`
  # is a valid glob (a literal dot, then anything) but a regular expression's
  # habit, so it only warns (check patterns_are_globs).
  glob_of = {
    for p in distinct(concat(var.table_name_patterns, var.exclude_table_name_patterns)) : p => replace(replace(replace(
      replace(p, "/^\\^|\\$$/", ""),
      "/\\.[*+]|\\[[^\\]]*\\][*+]?|\\\\[dwsDWS][*+]?|\\+/", "*"),
    "\\.", "."), "/\\*+/", "*")
  }
  regex_patterns      = { for p, glob in local.glob_of : p => glob if can(regex("[\\^$\\\\\\[\\]+]", p)) }
  regex_like_patterns = { for p, glob in local.glob_of : p => glob if glob != p && !contains(keys(local.regex_patterns), p) }

  # A pattern as a regular expression: `.` literal, `*` any run, `?` one character.
  pattern_regexes = [for p in var.table_name_patterns : "^${replace(replace(replace(p, ".", "\\."), "*", ".*"), "?", ".")}$"]
  exclude_regexes = [for p in var.exclude_table_name_patterns : "^${replace(replace(replace(p, ".", "\\."), "*", ".*"), "?", ".")}$"]

  # Name sets and lookups, built once: `contains` walks a whole list, and
  # inside a `for` over every table that is quadratic (minutes for 1,000).
  # The provider gives names = null, not [], in a region with no table yet (a new
  # account, or tables that come later): that region plans with no table found.
  existing_tables = { for name in coalesce(data.aws_dynamodb_tables.region.names, []) : name => true }
  listed_tables   = { for t in var.tables : t.name => true }
  missing_tables  = [for t in var.tables : t.name if !lookup(local.existing_tables, t.name, false)]
  # Every existing table the patterns select, listed or not (a pattern that only
  # finds listed tables still matches: no warning for it).
  pattern_hits = sort([
    for name in keys(local.existing_tables) : name
    if anytrue([for r in local.pattern_regexes : can(regex(r, name))])
    && !anytrue([for r in local.exclude_regexes : can(regex(r, name))])
  ])
  # Per pattern and per exclude, the existing tables it matches on its own, for
  # the plan comment (ddb_warmer/ci/comment.py): a reviewer sees what a pattern
  # selects before merge, and a pattern that matches nothing.
  pattern_matches = {
    for i, p in var.table_name_patterns : p => sort([for name in keys(local.existing_tables) : name if can(regex(local.pattern_regexes[i], name))])
  }
  exclude_matches = {
    for i, p in var.exclude_table_name_patterns : p => sort([for name in keys(local.existing_tables) : name if can(regex(local.exclude_regexes[i], name))])
  }
  unmatched_patterns = [for p, names in local.pattern_matches : p if length(names) == 0]
  # The tables only the patterns bring in: a listed table keeps its own entry.
  matched_tables = [for name in local.pattern_hits : name if !lookup(local.listed_tables, name, false)]
  found_tables   = concat([for t in var.tables : t.name if lookup(local.existing_tables, t.name, false)], local.matched_tables)
  # Listed tables first, then matched ones, as the function warms them.
  detailed_tables = slice(local.found_tables, 0, min(length(local.found_tables), var.resolved_tables_detail_limit))
  resolved_tables_summary = (
    length(local.found_tables) == length(local.detailed_tables)
    ? "${length(local.found_tables)} tables found (${length(local.found_tables) - length(local.matched_tables)} listed, ${length(local.matched_tables)} by table_name_patterns), each detailed in resolved_tables."
    : "${length(local.found_tables)} tables found (${length(local.found_tables) - length(local.matched_tables)} listed, ${length(local.matched_tables)} by table_name_patterns); resolved_tables details the first ${length(local.detailed_tables)} (resolved_tables_detail_limit): per-table detail of the other ${length(local.found_tables) - length(local.detailed_tables)} is left out of the plan for size and time (four reads per table). Every listed table is still checked to exist."
  )
}

data "aws_dynamodb_table" "found" {
  for_each = toset(local.detailed_tables)
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
      selected_by  = lookup(local.listed_tables, name, false) ? "tables" : "table_name_patterns"
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
    condition     = length(local.unmatched_patterns) == 0
    error_message = "table_name_patterns ${jsonencode(local.unmatched_patterns)} match no table in ${local.arn_parts.region} today (the warmer will pick up matching tables created later): check the spelling, or remove them."
  }
}

# `.*` passes as a glob (a literal dot, then anything) but is a regular
# expression's habit: the table it was meant for has no dot there, so it never
# matches. The other regular-expression signs (^ $ \ [ ] +) are refused by the
# function's precondition (main.tf), with the glob to write.
check "patterns_are_globs" {
  assert {
    condition     = length(local.regex_like_patterns) == 0
    error_message = "These patterns look like regular expressions, but patterns are globs (`*` any characters, `?` one): ${join("; ", [for p, glob in local.regex_like_patterns : "write \"${glob}\" instead of \"${p}\""])}."
  }
}
