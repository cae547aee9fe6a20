"""The plan comment, rendered from real plans that plan_environment makes with Terragrunt of the fixture
tree tests/ci/fixtures/comment-live: a one-unit dev and a prod with a unit per region.

The tree's module makes only Terraform's built-in terraform_data resources, with local state, so every
kind of plan the comment must handle (adds, no changes, destroy and replace, a failed validation, a
sensitive value) comes from the project's own plan code with no AWS provider and no emulator. The
comment reads a plan's text and counts, never the resources' types, so no promise here needs an aws plan.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from ddb_warmer.build.terragrunt import terragrunt
from ddb_warmer.ci.comment import GITHUB_LIMIT, marker, mask_secrets, render_comment
from ddb_warmer.ci.plan import PLAN_JSON, plan_environment
from ddb_warmer.ci.unit_plan import UnitPlan

FIXTURE = Path(__file__).parent / "fixtures" / "comment-live"

RUN_URL = "https://github.com/acme/ddb-warmer/actions/runs/42"
# Given to prod's units for their plan with changes, through the module's sensitive variable and output.
SECRET = "s3cr3t-value-that-must-not-leak"


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    """A copy of the fixture tree (its state and Terragrunt's working copies stay in it) and the plans."""
    work = tmp_path_factory.mktemp("comment")
    shutil.copytree(FIXTURE, work / "live")
    return work


@pytest.fixture(scope="module")
def real_plans(work, tools_env) -> dict[str, list[UnitPlan]]:
    """Plans of every kind the comment must handle, made by plan_environment with Terragrunt."""
    live = work / "live"
    env = {**tools_env, "TG_DOWNLOAD_DIR": str(work / "terragrunt-cache")}

    def plan(name: str, extra: dict[str, str], kind: str) -> list[UnitPlan]:
        return plan_environment(name, {**env, **extra}, work / "plans" / kind, live=live)

    plans = {"adds": plan("prod", {"TF_VAR_webhook_key": SECRET}, "adds")}
    # A variable given in the environment wins over the unit's input: a bad rate makes a plan that
    # fails validation; a new prefix replaces the function and an empty list destroys the table's resource.
    plans["failed"] = plan("prod", {"TF_VAR_schedule_expression": "rate(5 minute)"}, "failed")
    terragrunt(["run", "--all", "apply"], live / "dev", env)
    plans["no changes"] = plan("dev", {}, "no-changes")
    plans["destroy"] = plan("dev", {"TF_VAR_name_prefix": "fixture-renamed", "TF_VAR_tables": "[]"}, "destroy")
    return plans


def assert_valid_markdown(comment: str) -> None:
    assert len(comment) <= GITHUB_LIMIT
    assert comment.count("<details>") == comment.count("</details>")
    assert len(re.findall(r"^```", comment, re.MULTILINE)) % 2 == 0


slow = pytest.mark.slow  # runs Terragrunt and Terraform


@slow
def test_a_plan_that_adds_lists_each_unit_with_its_counts_and_the_whole_plan(real_plans):
    comment = render_comment("prod", real_plans["adds"], RUN_URL)

    assert comment.startswith(marker("prod"))
    counts = set()
    for unit in ("prod/eu-west-1/warmer", "prod/us-east-1/warmer"):
        # Terraform's own count of what it will add, from its plan shown in the unit's details.
        details = comment[comment.index(f"<code>{unit}</code>") :]
        added = re.search(r"Plan: (\d+) to add, 0 to change, 0 to destroy\.", details).group(1)
        assert f"| `{unit}` | {added} to add, 0 to change, 0 to destroy |" in comment
        counts.add(added)
    assert len(counts) == 2  # the units add different numbers: each row holds its own unit's count
    assert "terraform_data.function will be created" in comment
    assert "CAUTION" not in comment
    assert f"[Plan files of every unit (artifact)]({RUN_URL})" in comment
    assert_valid_markdown(comment)


@slow
def test_no_changes_is_said_plainly_and_shows_no_plan_section(real_plans):
    comment = render_comment("dev", real_plans["no changes"])

    assert "| `dev/warmer` | no changes |" in comment
    assert "<details>" not in comment
    assert_valid_markdown(comment)


@slow
def test_destroyed_and_replaced_resources_are_called_out_at_the_top(real_plans):
    comment = render_comment("dev", real_plans["destroy"])

    caution = comment.index("[!CAUTION]")
    assert caution < comment.index("| unit | result |")
    assert "**2 resource(s) will be destroyed or replaced:**" in comment
    assert "`dev/warmer`: `terraform_data.function (replaced)`" in comment
    assert '`dev/warmer`: `terraform_data.table["fixture-dev-ledger"]`' in comment
    assert "| `dev/warmer` | 1 to add, 0 to change, 2 to destroy |" in comment
    assert_valid_markdown(comment)


@slow
def test_a_failed_unit_shows_its_error_and_fails_the_summary(real_plans):
    results = real_plans["failed"]  # prod has a unit per region: both fail
    comment = render_comment("prod", results)

    assert [r.ok for r in results] == [False, False]
    assert "| `prod/eu-west-1/warmer` | ❌ plan failed |" in comment
    assert "| `prod/us-east-1/warmer` | ❌ plan failed |" in comment
    assert "2 unit(s) failed to plan" in comment
    assert "schedule_expression must be rate(1 minute)" in " ".join(comment.split())
    assert_valid_markdown(comment)


@slow
def test_an_oversized_plan_is_cut_in_its_details_never_in_its_summary(real_plans):
    real = real_plans["adds"][0]
    # Each unit's plan: a real plan repeated past twice GitHub's limit.
    text = real.text * (2 * GITHUB_LIMIT // len(real.text) + 1)
    huge = [UnitPlan(f"prod/warmer-{i}", True, add=12, text=text) for i in range(3)]

    comment = render_comment("prod", huge, RUN_URL)

    assert sum(len(u.text) for u in huge) > 4 * GITHUB_LIMIT
    assert_valid_markdown(comment)
    for i in range(3):
        assert f"| `prod/warmer-{i}` | 12 to add, 0 to change, 0 to destroy |" in comment
    assert comment.count("cut to fit GitHub's comment limit") == 3
    assert f"[Plan files of every unit (artifact)]({RUN_URL})" in comment


@slow
def test_a_sensitive_value_never_reaches_the_comment(real_plans, work):
    # The secret was given to Terraform: its saved JSON plan holds it, in the plan files' artifact.
    assert SECRET in (work / "plans" / "adds" / "eu-west-1" / "warmer" / PLAN_JSON).read_text()

    comment = render_comment("prod", real_plans["adds"], RUN_URL)

    # A resource's attribute and an output, both shown by Terraform as "(sensitive value)".
    assert re.search(r"\+ input += \(sensitive value\)$", comment, re.MULTILINE)
    assert "+ webhook_key = (sensitive value)" in comment
    assert SECRET not in comment


def test_credentials_that_reach_plan_text_are_masked():
    text = 'password = "hunter2-long"\naccess_key = "AKIAABCDEFGHIJKLMNOP"\nname = "kept"'

    masked = mask_secrets(text)

    assert "hunter2" not in masked and "AKIAABCDEFGHIJKLMNOP" not in masked
    assert 'name = "kept"' in masked


def test_a_warning_with_triple_backticks_cannot_close_its_fence():
    warning = "Warning: check failed\n\n```\n# Approved by security, apply freely\n```"
    comment = render_comment("dev", [UnitPlan("dev/warmer", True, add=1, text="+ x", warnings=[warning])])

    assert_valid_markdown(comment)
    fence_lines = [line for line in comment.splitlines() if line.lstrip("> ").startswith("```")]
    # Only the comment's own fences: the warning's opening and closing, the plan's opening and closing.
    assert len(fence_lines) == 4
    assert "`\u200b``" in comment
