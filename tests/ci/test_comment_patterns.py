"""The plan comment lists, per environment and region, the tables each pattern and each exclude matches
today, and warns on a pattern that matches none: read from the module's pattern_matches output."""

from __future__ import annotations

from ddb_warmer.ci.comment import render_comment
from ddb_warmer.ci.plan import pattern_matches
from ddb_warmer.ci.unit_plan import UnitPlan

EU = UnitPlan(
    "production/eu-west-1/warmer",
    True,
    add=1,
    patterns={"globex-prd-*": ["globex-prd-orders", "globex-prd-tmp-1"], "globex-prd-.*": []},
    excludes={"globex-prd-tmp-*": ["globex-prd-tmp-1"]},
)
US = UnitPlan(
    "production/us-east-1/warmer", True, patterns={"globex-prd-*": [f"globex-prd-{i:02d}" for i in range(12)]}
)


def test_each_unit_lists_what_each_pattern_and_exclude_matches():
    comment = render_comment("production", [EU, US])

    assert (
        "| `production/eu-west-1/warmer` | pattern | `globex-prd-*` | `globex-prd-orders`, `globex-prd-tmp-1` |"
        in comment
    )
    assert "| `production/eu-west-1/warmer` | exclude | `globex-prd-tmp-*` | `globex-prd-tmp-1` |" in comment
    # A long list is cut: the plan's outputs hold every name.
    assert "`globex-prd-09` and 2 more |" in comment and "globex-prd-10" not in comment


def test_a_pattern_that_matches_no_table_is_a_warning():
    comment = render_comment("production", [EU, US])

    assert "| `production/eu-west-1/warmer` | pattern | `globex-prd-.*` | ⚠️ **none today** |" in comment
    assert "> 1 pattern(s) match no table today: check the spelling." in comment


def test_units_without_patterns_add_no_section():
    assert "Patterns against the tables" not in render_comment("dev", [UnitPlan("dev/warmer", True)])


def test_the_matches_come_from_the_plans_pattern_matches_output():
    plan = {
        "planned_values": {
            "outputs": {
                "pattern_matches": {
                    "value": {"patterns": {"prod-*": ["prod-a"]}, "exclude": {"prod-tmp-*": []}},
                }
            }
        }
    }

    assert pattern_matches(plan) == ({"prod-*": ["prod-a"]}, {"prod-tmp-*": []})
    assert pattern_matches({"planned_values": {"outputs": {}}}) == ({}, {})
