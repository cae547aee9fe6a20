"""The Terraform module: `terraform test`, the examples planned on the emulator and the complete one
applied, least-privilege IAM read from the plan, and checkov on the plan."""

from __future__ import annotations

import base64
import json
import re

import pytest

from ddb_warmer.build.checkov import checkov_report, failed_checks
from ddb_warmer.build.package import build_zip, write_if_changed
from ddb_warmer.build.toolenv import ROOT
from lambda_function.schema import SENTINEL_VALUES
from tests.module.conftest import terraform, warmer_root

pytestmark = pytest.mark.slow

MODULE = ROOT / "modules" / "dynamodb-warmer"


def test_terraform_test_passes_every_plan_and_validation_case(module_copy, tools_env):
    done = terraform(["test"], module_copy, tools_env)

    # Every run block of the test file passes, none skipped.
    runs = len(re.findall(r'^run "', (module_copy / "tests" / "module.tftest.hcl").read_text(), re.MULTILINE))
    assert "0 failed" in done.stdout
    assert f"{runs} passed" in done.stdout


@pytest.fixture(scope="module")
def example_plans(modules_copy, examples_emulator):
    """Each example planned on its emulator, as plan JSON (saved as tfplan in its folder). The examples
    live in this file's copy of modules/: their state, plans and locks stay out of the checkout."""
    emulator_env = examples_emulator.env()
    plans = {}
    for example in ("minimal", "complete"):
        folder = modules_copy / MODULE.name / "examples" / example
        write_if_changed(folder / "lambda_function.zip", build_zip())
        terraform(["init", "-input=false"], folder, emulator_env)
        terraform(["plan", "-input=false", "-out=tfplan"], folder, emulator_env)
        plans[example] = json.loads(terraform(["show", "-json", "tfplan"], folder, emulator_env).stdout)
    return plans


def lambda_policy(plan: dict) -> dict:
    policy = next(c for c in plan["resource_changes"] if c["address"] == "module.warmer.aws_iam_role_policy.lambda")
    return json.loads(policy["change"]["after"]["policy"])


def is_scoped(resource: str) -> bool:
    """An ARN naming this partition, service, region and account, with a wildcard at most at its tail
    (a table's indexes, a log group's streams)."""
    parts = resource.split(":")
    return (
        resource != "*"
        and len(parts) >= 6
        and "*" not in ":".join(parts[:5])
        and ("*" not in resource or resource.endswith(("/index/*", ":*")))
    )


def test_no_statement_grants_a_wildcard_resource_where_a_scoped_one_exists(example_plans):
    for name, plan in example_plans.items():
        for statement in lambda_policy(plan)["Statement"]:
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            if statement["Sid"] == "FindScaledDimensions":
                # DescribeScalableTargets has no resource-level permissions at all.
                assert statement["Action"] == "application-autoscaling:DescribeScalableTargets"
                continue
            assert all(is_scoped(r) for r in resources), (name, statement)


def test_both_roles_carry_the_permissions_boundary_when_given_and_none_otherwise(example_plans):
    def boundaries(plan: dict) -> set:
        roles = [c for c in plan["resource_changes"] if c["address"].startswith("module.warmer.aws_iam_role.")]
        assert len(roles) == 2
        return {c["change"]["after"].get("permissions_boundary") for c in roles}

    (given,) = boundaries(example_plans["complete"])
    assert given.endswith(":policy/ddb-warmer-bootstrap-warmer-boundary")
    assert boundaries(example_plans["minimal"]) == {None}


def test_the_scoping_check_itself_rejects_wildcards():
    assert not is_scoped("*")
    assert not is_scoped("arn:aws:dynamodb:*:123456789012:table/orders")
    assert not is_scoped("arn:aws:dynamodb:eu-west-1:123456789012:table/*")
    assert is_scoped("arn:aws:dynamodb:eu-west-1:123456789012:table/orders/index/*")


def test_item_access_is_limited_to_the_sentinel_partition_key(example_plans):
    statement = next(s for s in lambda_policy(example_plans["complete"])["Statement"] if s["Sid"] == "WarmTables")

    allowed = statement["Condition"]["ForAllValues:StringEquals"]["dynamodb:LeadingKeys"]
    assert sorted(allowed) == sorted(
        [SENTINEL_VALUES["S"], str(SENTINEL_VALUES["N"]), base64.b64encode(SENTINEL_VALUES["B"]).decode()]
    )
    assert sorted(statement["Action"]) == ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:UpdateItem"]


def test_the_minimal_example_grants_no_update_and_no_time_to_live_read(example_plans):
    statements = {s["Sid"]: s for s in lambda_policy(example_plans["minimal"])["Statement"]}

    assert "dynamodb:UpdateItem" not in statements["WarmTables"]["Action"]
    assert statements["LearnTables"]["Action"] == "dynamodb:DescribeTable"


def resource_kinds(plan: dict) -> set[str]:
    return {c["type"] for c in plan["resource_changes"] if c["mode"] == "managed"}


@pytest.fixture(scope="module")
def applied_complete_example(modules_copy, example_plans, examples_emulator):
    """The complete example's saved plan applied on its emulator; (exit code, plan JSON, output) of a plan
    made right after. One apply: the complete example holds every kind of resource the module makes
    (test_the_minimal_example_plans_only_resource_kinds_the_complete_one_applies). Not destroyed: the
    emulator, the examples' own, takes it along when it stops."""
    folder = modules_copy / MODULE.name / "examples" / "complete"
    emulator_env = examples_emulator.env()
    terraform(["apply", "-input=false", "tfplan"], folder, emulator_env)
    replan = terraform(
        ["plan", "-input=false", "-detailed-exitcode", "-out=tfplan-after"], folder, emulator_env, ok_codes=(0, 2)
    )
    shown = terraform(["show", "-json", "tfplan-after"], folder, emulator_env)
    return replan.returncode, json.loads(shown.stdout), replan.stdout


def test_the_complete_example_applies_on_the_emulator_and_then_plans_no_changes(applied_complete_example):
    # A plan with no changes after the apply: the provider reads back every resource as configured.
    exit_code, _, output = applied_complete_example
    assert exit_code == 0, output[-3000:]


def test_the_minimal_example_plans_only_resource_kinds_the_complete_one_applies(example_plans):
    # The minimal example plans on the emulator, and every kind of resource it makes is one the complete
    # example applies and re-plans with no changes; the module's defaults are applied by tests/live.
    minimal, complete = resource_kinds(example_plans["minimal"]), resource_kinds(example_plans["complete"])

    assert "aws_lambda_function" in minimal
    assert minimal <= complete, minimal - complete


def test_checkov_passes_the_complete_example_as_deployed(modules_copy, applied_complete_example, tmp_path):
    # The plan made after apply: every value is known, so checkov judges what is deployed
    # (a first plan leaves the KMS key's ARN unknown).
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps(applied_complete_example[1]))
    example = modules_copy / MODULE.name / "examples" / "complete"

    report = checkov_report("--file", str(plan_file), "--repo-root-for-plan-enrichment", str(example))

    assert failed_checks(report) == []
    assert report["summary"]["passed"] > 20


def test_patterns_too_long_for_one_iam_policy_fail_the_plan_saying_what_to_change(tmp_path, examples_emulator):
    # The table count never grows the policy (tests/iam); only long patterns can.
    patterns = ", ".join(f'"{i:02d}-{"x" * 240}-*"' for i in range(20))
    root = warmer_root(MODULE, "eu-west-1", name_prefix='"too-long"', table_name_patterns=f"[{patterns}]")
    (tmp_path / "main.tf").write_text(root)
    emulator_env = examples_emulator.env()
    terraform(["init", "-input=false"], tmp_path, emulator_env)

    done = terraform(["plan", "-input=false"], tmp_path, emulator_env, ok_codes=(1,))

    message = " ".join(done.stderr.split())
    assert "over IAM's 10,240 for a role: use fewer or shorter table_name_patterns" in message
