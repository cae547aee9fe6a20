"""`terragrunt run --all` on live/dev and live/prod against the emulator: plan, apply, re-plan, destroy."""

from __future__ import annotations

import json
import re

import boto3
import pytest

from ddb_warmer.build.package import base64_sha256, build_zip
from ddb_warmer.build.terragrunt import LIVE, terragrunt, unit_dirs, unit_outputs
from ddb_warmer.local import runtime
from ddb_warmer.local.emulator import running_emulator, state_bucket
from ddb_warmer.local.scheduled import deployed_schedule, fetch_deployed_package, run_ticks
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
        # Terragrunt's own warnings have WARN in the level column, right after the time; a plan
        # that shows a value "WARN" (Lambda's system_log_level) is not one.
        if re.search(r"deprecat", line, re.IGNORECASE) or re.match(r"^\S+\s+WARN\b", line)
    ]
    assert noisy == [], f"terragrunt {' '.join(run.args)} printed warnings (log: {run.log_path})"


def planned_changes(environment: str, env: dict) -> dict[str, dict]:
    """The plan of every unit of the environment, by its path under live/<environment>."""
    run = terragrunt(["run", "--all", "plan", "--", "-out=tfplan"], LIVE / environment, env)
    assert_no_deprecation_warning(run)
    units = unit_dirs(LIVE / environment)
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


def test_apply_deploys_the_local_package_and_a_second_plan_has_no_changes(emulator, emulator_env, tmp_path):
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

    # The demo's path: the schedule read back, its target's deployed package run in the Lambda runtime
    # with the deployed handler, environment, memory, timeout and JSON logging.
    schedule = deployed_schedule(
        boto3.client("scheduler", region_name=emulator.region),
        unit_outputs(LIVE / "dev" / "warmer", emulator_env)["schedule_arn"],
    )
    assert (schedule.expression, schedule.function_name) == ("rate(1 minute)", "ddb-warmer-dev-warmer")
    package, configuration = fetch_deployed_package(
        boto3.client("lambda", region_name=emulator.region), schedule.function_name
    )
    assert configuration["LoggingConfig"]["LogFormat"] == "JSON"
    assert configuration["LoggingConfig"]["ApplicationLogLevel"] == "INFO"
    session = boto3.Session(region_name=emulator.region)
    dynamodb = session.client("dynamodb")
    with runtime.running(package, configuration, emulator_env, tmp_path) as function:
        cloudwatch = session.client("cloudwatch")
        (tick,) = run_ticks(function, schedule, cloudwatch, 1)
        assert tick.ok, tick.error_message
        assert tick.payload["counts"]["warmed"] == 2 and tick.payload["counts"]["failed"] == 0
        assert (tmp_path / "lambda-ddb-warmer-dev-warmer" / "task" / "lambda_function" / "main.py").exists()
        assert tick.report.startswith("REPORT RequestId:") and "Memory Size: 128 MB" in tick.report

        # A table created after the deploy (matching live/dev's "dev-*") is warmed on the next tick.
        seed_table(dynamodb, session.client("application-autoscaling"), TableSpec("dev-created-later", ("id", "S")))
        try:
            (later,) = run_ticks(function, schedule, cloudwatch, 1)
        finally:
            dynamodb.delete_table(TableName="dev-created-later")  # the emulator is shared with other tests
    assert later.ok, later.error_message
    new = next(t for t in later.payload["tables"] if t["table"] == "dev-created-later")
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
