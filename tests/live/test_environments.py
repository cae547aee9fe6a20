"""`terragrunt run --all` on live/dev and live/prod against the emulator: plan, apply, re-plan, destroy."""

from __future__ import annotations

import json
import re
from pathlib import Path

import boto3
import pytest

from ddb_warmer.build.package import base64_sha256, build_zip
from ddb_warmer.build.terragrunt import LIVE, terragrunt
from ddb_warmer.local.demo import fetch_deployed_package, load_handler, run_ticks
from ddb_warmer.local.emulator import running_emulator, state_bucket
from ddb_warmer.local.seed import ENVIRONMENTS, TableSpec, seed_table

pytestmark = pytest.mark.slow

# What one environment's warmer unit creates.
WARMER_RESOURCES = sorted(
    [
        "aws_cloudwatch_log_group.this",
        'aws_cloudwatch_metric_alarm.this["dead-letters"]',
        'aws_cloudwatch_metric_alarm.this["errors"]',
        'aws_cloudwatch_metric_alarm.this["no-successful-tick"]',
        "aws_iam_role.lambda",
        "aws_iam_role.scheduler",
        "aws_iam_role_policy.lambda",
        "aws_iam_role_policy.scheduler",
        "aws_lambda_function.this",
        "aws_lambda_function_event_invoke_config.this",
        "aws_scheduler_schedule.this",
        "aws_sqs_queue.dead_letter",
    ]
)


def assert_no_deprecation_warning(run) -> None:
    noisy = [
        line
        for line in (run.stdout + run.stderr).splitlines()
        if re.search(r"deprecat", line, re.IGNORECASE) or re.search(r"\bWARN\b", line)
    ]
    assert noisy == [], f"terragrunt {' '.join(run.args)} printed warnings (log: {run.log_path})"


def planned_changes(environment: str, env: dict) -> dict[str, dict]:
    """The plan of every unit of the environment, by its path under live/<environment>."""
    run = terragrunt(["run", "--all", "plan", "--", "-out=tfplan"], LIVE / environment, env)
    assert_no_deprecation_warning(run)
    units = sorted(p.parent for p in (LIVE / environment).rglob("terragrunt.hcl") if ".terragrunt-cache" not in p.parts)
    return {
        unit.relative_to(LIVE / environment).as_posix(): json.loads(
            terragrunt(["show", "-json", "tfplan"], unit, env).stdout
        )
        for unit in units
    }


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_plan_creates_the_whole_warmer_with_the_environments_tables(environment, emulator_env):
    plans = planned_changes(environment, emulator_env)
    home = "warmer" if environment == "dev" else "eu-west-1/warmer"
    plan = plans[home]

    for unit_plan in plans.values():
        changes = unit_plan["resource_changes"]
        created = sorted(c["address"] for c in changes if c["change"]["actions"] == ["create"])
        assert created == WARMER_RESOURCES
        assert [c["address"] for c in changes if c["change"]["actions"] not in (["create"], ["read"])] == []

    function = next(c for c in plan["resource_changes"] if c["address"] == "aws_lambda_function.this")
    config = json.loads(function["change"]["after"]["environment"][0]["variables"]["WARMER_CONFIG"])
    assert [t["name"] for t in config["tables"]] == [spec.name for spec in ENVIRONMENTS[environment]]
    assert function["change"]["after"]["source_code_hash"] == base64_sha256(build_zip())
    assert function["change"]["after"]["filename"] == "lambda_function.zip"
    # The plan shows what the configuration resolves to: every configured table exists.
    assert sorted(plan["planned_values"]["outputs"]["resolved_tables"]["value"]) == sorted(
        spec.name for spec in ENVIRONMENTS[environment]
    )


def test_prod_has_a_warmer_per_region_with_its_own_role_names_and_tables(emulator_env):
    plans = planned_changes("prod", emulator_env)

    assert sorted(plans) == ["eu-west-1/warmer", "us-east-1/warmer"]
    roles = {
        unit: sorted(c["change"]["after"]["name"] for c in plan["resource_changes"] if c["type"] == "aws_iam_role")
        for unit, plan in plans.items()
    }
    assert roles == {
        "eu-west-1/warmer": ["ddb-warmer-prod-sched-eu-west-1", "ddb-warmer-prod-warmer-eu-west-1"],
        "us-east-1/warmer": ["ddb-warmer-prod-sched-us-east-1", "ddb-warmer-prod-warmer-us-east-1"],
    }
    # us-east-1 holds the global tables' replicas, found by pattern; prod-tmp-* is excluded.
    resolved = plans["us-east-1/warmer"]["planned_values"]["outputs"]["resolved_tables"]["value"]
    assert sorted(resolved) == ["prod-customers", "prod-orders"]


def test_apply_deploys_the_local_package_and_a_second_plan_has_no_changes(
    emulator, emulator_env, tmp_path, monkeypatch
):
    apply = terragrunt(["run", "--all", "apply"], LIVE / "dev", emulator_env)
    assert_no_deprecation_warning(apply)

    function = boto3.client("lambda", region_name=emulator.region).get_function(FunctionName="ddb-warmer-dev-warmer")[
        "Configuration"
    ]
    assert function["CodeSha256"] == base64_sha256(build_zip())
    assert (function["Runtime"], function["Architectures"], function["MemorySize"]) == (
        "python3.13",
        ["arm64"],
        128,
    )

    # The demo's path: the deployed package fetched back from Lambda, its handler run in-process.
    package, configuration = fetch_deployed_package(
        boto3.client("lambda", region_name=emulator.region), "ddb-warmer-dev-warmer"
    )
    handler = load_handler(package, tmp_path / "deployed")
    assert Path(handler.__file__).is_relative_to(tmp_path)
    monkeypatch.setenv("WARMER_CONFIG", configuration["Environment"]["Variables"]["WARMER_CONFIG"])
    (summary,) = run_ticks(handler, configuration, 1, tmp_path / "ticks.log")
    assert summary["counts"]["warmed"] == 2 and summary["counts"]["failed"] == 0

    # A table created after the deploy (matching live/dev's "dev-*") is warmed on the next tick.
    session = boto3.Session(region_name=emulator.region)
    dynamodb = session.client("dynamodb")
    seed_table(dynamodb, session.client("application-autoscaling"), TableSpec("dev-created-later", ("id", "S")))
    try:
        (later,) = run_ticks(handler, configuration, 1, tmp_path / "later.log")
    finally:
        dynamodb.delete_table(TableName="dev-created-later")  # the emulator is shared with other tests
    new = next(t for t in later["tables"] if t["table"] == "dev-created-later")
    assert new["status"] == "warmed"
    assert sorted(d["operation"] for d in new["dimensions"]) == ["DeleteItem", "GetItem"]

    replan = terragrunt(
        ["run", "--all", "plan", "--", "-detailed-exitcode"], LIVE / "dev", emulator_env, ok_codes=(0, 2)
    )
    assert replan.returncode == 0, f"the plan after apply has changes (log: {replan.log_path})"
    assert "No changes." in replan.stdout

    destroy = terragrunt(["run", "--all", "destroy"], LIVE / "dev", emulator_env)
    assert_no_deprecation_warning(destroy)
    assert "Destroy complete! Resources: 12 destroyed." in destroy.stdout


def test_backend_bootstrap_creates_a_versioned_encrypted_state_bucket_without_warnings():
    # Its own emulator: the shared one already has the bucket, as an admin would have made it.
    with running_emulator(name="moto-bootstrap") as emulator:
        run = terragrunt(["backend", "bootstrap", "--all"], LIVE / "prod", emulator.env())
        s3 = boto3.client(
            "s3",
            endpoint_url=emulator.endpoint,
            region_name=emulator.region,
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )

        bucket = state_bucket(emulator.region)
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == [bucket]
        assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
        assert s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert_no_deprecation_warning(run)
