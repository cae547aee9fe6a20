"""Terraform's warnings and errors per unit, out of a `terragrunt run --all` log, and outdated comments."""

from __future__ import annotations

from ddb_warmer.build.terragrunt import LIVE
from ddb_warmer.ci.comment import OUTDATED, outdated_comment, render_comment
from ddb_warmer.ci.terraform_output import diagnostics, unit_warnings
from ddb_warmer.ci.unit_plan import UnitPlan

# As Terragrunt 1.1 prints a unit nested by region, with a plan, a check warning and a deprecation.
RUN = """\
01:00:00.001 STDOUT [eu-central-1/warmer] terraform: Plan: 1 to add, 0 to change, 0 to destroy.
01:00:00.002 STDOUT [eu-central-1/warmer] terraform: Warning: Check block assertion failed
01:00:00.002 STDOUT [eu-central-1/warmer] terraform:   on main.tf line 107, in check "tables_exist":
01:00:00.002 STDOUT [eu-central-1/warmer] terraform: table prod-gone does not exist in eu-central-1
01:00:00.003 STDERR [eu-central-1/warmer] terraform: ╷
01:00:00.003 STDERR [eu-central-1/warmer] terraform: │ Warning: Argument is deprecated
01:00:00.003 STDERR [eu-central-1/warmer] terraform: │
01:00:00.003 STDERR [eu-central-1/warmer] terraform: │ Use something else.
01:00:00.003 STDERR [eu-central-1/warmer] terraform: ╵
01:00:00.004 STDOUT [other] terraform: Warning: not this unit's
"""


def test_each_warning_of_a_nested_unit_is_kept_whole_plain_or_boxed():
    unit = LIVE / "some-environment" / "eu-central-1" / "warmer"

    warnings = unit_warnings(RUN, unit, LIVE / "some-environment")

    assert warnings == [
        'Warning: Check block assertion failed\n  on main.tf line 107, in check "tables_exist":\n'
        "table prod-gone does not exist in eu-central-1",
        "Warning: Argument is deprecated\n\nUse something else.",
    ]


def test_a_diagnostic_ends_where_terraforms_own_output_resumes():
    lines = ["Error: bad", "detail", "Plan: 1 to add, 0 to change, 0 to destroy.", "  + more plan"]

    assert diagnostics(lines) == ["Error: bad\ndetail"]


def test_warnings_come_above_the_plan_and_an_outdated_comment_keeps_its_marker_once():
    result = UnitPlan("prod/warmer", True, add=1, text="+ resource", warnings=["Warning: slow schedule"])
    comment = render_comment("prod", [result], sha="abc123", when="2026-11-30 01:00 UTC")

    assert comment.index("Warning: slow schedule") < comment.index("<details><summary>plan:")
    assert "For commit `abc123`, planned 2026-11-30 01:00 UTC." in comment

    once = outdated_comment(comment, "no longer affected", "def456", "2026-11-30 02:00 UTC")
    twice = outdated_comment(once, "no longer affected", "0789ab", "2026-11-30 03:00 UTC")

    assert twice.startswith("<!-- ddb-warmer-plan:prod -->\n")
    assert twice.count(OUTDATED) == 1 and twice.count("<summary>previous plan</summary>") == 1
    assert "since commit `0789ab`" in twice and "Warning: slow schedule" in twice
