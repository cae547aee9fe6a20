"""The plan comment, rendered from real plans on the emulator of the fixture tree
tests/ci/fixtures/workflow-live: a one-unit dev and a prod with a unit per region, each in its account."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from ddb_warmer.build.live import environment
from ddb_warmer.build.terragrunt import terragrunt
from ddb_warmer.ci.comment import GITHUB_LIMIT, marker, mask_secrets, render_comment
from ddb_warmer.ci.plan import plan_environment
from ddb_warmer.ci.unit_plan import UnitPlan
from ddb_warmer.local.seed import seed_live

FIXTURE = Path(__file__).parent / "fixtures" / "workflow-live"

RUN_URL = "https://github.com/acme/ddb-warmer/actions/runs/42"


@pytest.fixture(scope="module")
def real_plans(emulator, tmp_path_factory):
    """Plans of every kind the comment must handle, made by Terragrunt on the emulator."""
    seed_live(emulator, FIXTURE)
    prod = emulator.env(account=environment("prod", FIXTURE).account)
    dev = emulator.env(account=environment("dev", FIXTURE).account)
    out = tmp_path_factory.mktemp("plans")

    def plan(name: str, env: dict[str, str], kind: str):
        return plan_environment(name, env, out / kind, live=FIXTURE)

    plans = {"adds": plan("prod", prod, "adds")}
    # A variable given in the environment wins over the unit's input: a bad
    # rate makes a plan that fails validation, a new prefix replaces everything.
    plans["failed"] = plan("prod", {**prod, "TF_VAR_schedule_expression": "rate(5 minute)"}, "failed")
    terragrunt(["run", "--all", "apply"], FIXTURE / "dev", dev)
    try:
        plans["no changes"] = plan("dev", dev, "no-changes")
        plans["destroy"] = plan("dev", {**dev, "TF_VAR_name_prefix": "ddb-warmer-renamed"}, "destroy")
    finally:
        terragrunt(["run", "--all", "destroy"], FIXTURE / "dev", dev)
    return plans


def assert_valid_markdown(comment: str) -> None:
    assert len(comment) <= GITHUB_LIMIT
    assert comment.count("<details>") == comment.count("</details>")
    assert len(re.findall(r"^```", comment, re.MULTILINE)) % 2 == 0


pytestmark = pytest.mark.slow


def test_a_plan_that_adds_lists_each_unit_with_its_counts_and_the_whole_plan(real_plans):
    comment = render_comment("prod", real_plans["adds"], RUN_URL)

    assert comment.startswith(marker("prod"))
    for unit in ("prod/eu-west-1/warmer", "prod/us-east-1/warmer"):
        # Terraform's own count of what it will add, from its plan shown in the unit's details.
        details = comment[comment.index(f"<code>{unit}</code>") :]
        added = re.search(r"Plan: (\d+) to add, 0 to change, 0 to destroy\.", details).group(1)
        assert f"| `{unit}` | {added} to add, 0 to change, 0 to destroy |" in comment
    assert "aws_lambda_function.this will be created" in comment
    assert "CAUTION" not in comment
    assert f"[Plan files of every unit (artifact)]({RUN_URL})" in comment
    assert_valid_markdown(comment)


def test_no_changes_is_said_plainly_and_shows_no_plan_section(real_plans):
    comment = render_comment("dev", real_plans["no changes"])

    assert "| `dev/warmer` | no changes |" in comment
    assert "<details>" not in comment
    assert_valid_markdown(comment)


def test_destroyed_and_replaced_resources_are_called_out_at_the_top(real_plans):
    comment = render_comment("dev", real_plans["destroy"])

    caution = comment.index("[!CAUTION]")
    assert caution < comment.index("| unit | result |")
    assert "`dev/warmer`: `aws_lambda_function.this (replaced)`" in comment
    assert_valid_markdown(comment)


def test_a_failed_unit_shows_its_error_and_fails_the_summary(real_plans):
    results = real_plans["failed"]  # prod has a unit per region: both fail
    comment = render_comment("prod", results)

    assert [r.ok for r in results] == [False, False]
    assert "| `prod/eu-west-1/warmer` | ❌ plan failed |" in comment
    assert "| `prod/us-east-1/warmer` | ❌ plan failed |" in comment
    assert "2 unit(s) failed to plan" in comment
    assert "schedule_expression must be rate(1 minute)" in " ".join(comment.split())
    assert_valid_markdown(comment)


def test_an_oversized_plan_is_cut_in_its_details_never_in_its_summary(real_plans):
    real = real_plans["adds"][0]
    huge = [UnitPlan(f"prod/warmer-{i}", True, add=12, text=real.text * 40) for i in range(3)]

    comment = render_comment("prod", huge, RUN_URL)

    assert sum(len(u.text) for u in huge) > 4 * GITHUB_LIMIT
    assert_valid_markdown(comment)
    for i in range(3):
        assert f"| `prod/warmer-{i}` | 12 to add, 0 to change, 0 to destroy |" in comment
    assert comment.count("cut to fit GitHub's comment limit") == 3
    assert f"[Plan files of every unit (artifact)]({RUN_URL})" in comment


def test_a_sensitive_value_never_reaches_the_comment(tmp_path, emulator_env):
    secret = "s3cr3t-value-that-must-not-leak"
    (tmp_path / "main.tf").write_text("""
provider "aws" {
  region = "eu-west-1"
}
variable "token" {
  type      = string
  sensitive = true
}
resource "aws_ssm_parameter" "token" {
  name  = "/ddb-warmer/test/token"
  type  = "SecureString"
  value = var.token
}
""")
    env = {**emulator_env, "TF_VAR_token": secret}
    for args in (["init", "-input=false"], ["plan", "-input=false", "-out=tfplan"]):
        subprocess.run(["terraform", *args, "-no-color"], cwd=tmp_path, env=env, check=True, capture_output=True)
    text = subprocess.run(
        ["terraform", "show", "-no-color", "tfplan"], cwd=tmp_path, env=env, check=True, capture_output=True, text=True
    ).stdout

    comment = render_comment("dev", [UnitPlan("dev/secrets", True, add=1, text=text)])

    assert "(sensitive value)" in comment
    assert secret not in comment


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
