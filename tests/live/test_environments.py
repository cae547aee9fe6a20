"""`terragrunt run --all` on each environment of live/ against the emulator, in its own account: plan,
apply, re-plan, destroy. Every expectation comes from what live/ holds (ddb_warmer/local/seed.py)."""

from __future__ import annotations

import json
import re

import pytest

from ddb_warmer.build.live import environment as live_environment
from ddb_warmer.build.live import environments, unit_inputs
from ddb_warmer.build.package import base64_sha256, build_zip
from ddb_warmer.build.terragrunt import LIVE, terragrunt, unit_dirs, unit_outputs, unit_region
from ddb_warmer.local import runtime
from ddb_warmer.local.emulator import running_emulator
from ddb_warmer.local.scheduled import deployed_schedule, fetch_deployed_package, run_ticks
from ddb_warmer.local.seed import Seeded, TableSpec, example_name, seed_table
from ddb_warmer.names import state_bucket

pytestmark = pytest.mark.slow

# What one environment's warmer unit creates.
WARMER_RESOURCES = sorted(
    [
        "aws_cloudwatch_log_group.this",
        "aws_cloudwatch_log_metric_filter.failing_tables",
        "aws_cloudwatch_log_metric_filter.stock_request_path",
        'aws_cloudwatch_metric_alarm.this["dead-letters"]',
        'aws_cloudwatch_metric_alarm.this["errors"]',
        'aws_cloudwatch_metric_alarm.this["failing-tables-grew"]',
        'aws_cloudwatch_metric_alarm.this["no-successful-tick"]',
        'aws_cloudwatch_metric_alarm.this["tick-not-running"]',
        "aws_iam_role.lambda",
        "aws_iam_role.scheduler",
        "aws_iam_role_policy.lambda",
        "aws_iam_role_policy.scheduler",
        "aws_lambda_function.this",
        "aws_lambda_function_event_invoke_config.this",
        "aws_lambda_runtime_management_config.this",
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


PLANS: dict[tuple[str, str], dict[str, dict]] = {}


def planned_changes(environment: str, env: dict) -> dict[str, dict]:
    """The plan of every unit of the environment, by its path under live/<environment>; made once per
    environment and emulator, before anything is applied, and read by every test that inspects it."""
    key = (environment, env["AWS_ENDPOINT_URL"])
    if key not in PLANS:
        run = terragrunt(["run", "--all", "plan", "--", "-out=tfplan"], LIVE / environment, env)
        assert_no_deprecation_warning(run)
        PLANS[key] = {
            unit.relative_to(LIVE / environment).as_posix(): json.loads(
                terragrunt(["show", "-json", "tfplan"], unit, env).stdout
            )
            for unit in unit_dirs(LIVE / environment)
        }
    return PLANS[key]


ENVIRONMENTS = [e.name for e in environments()]


def planned_config(changes: list[dict], variables: dict[str, str]) -> dict:
    """The warmer's configuration as planned: in its environment, or in parameters once past 3 KB."""
    if "WARMER_CONFIG" in variables:
        return json.loads(variables["WARMER_CONFIG"])
    parts = sorted(
        (c["change"]["after"]["name"], c["change"]["after"]["value"])
        for c in changes
        if c["address"].startswith("aws_ssm_parameter.config")
    )
    return json.loads("".join(value for _, value in parts))


def seeded(emulator, environment: str) -> dict[str, Seeded]:
    """What each unit of the environment found on the emulator, by its path under live/<environment>."""
    return {unit.unit.removeprefix(f"{environment}/"): unit for unit in emulator.seeded[environment]}


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_plan_creates_the_whole_warmer_with_the_tables_live_names(environment, emulator):
    env = emulator.env(account=live_environment(environment).account)
    plans = planned_changes(environment, env)
    found = seeded(emulator, environment)

    assert sorted(plans) == sorted(found)
    for unit, plan in plans.items():
        changes = plan["resource_changes"]
        created = sorted(c["address"] for c in changes if c["change"]["actions"] == ["create"])
        # The alarms' topic and its subscriptions are there when live/ asks for a topic of its own;
        # the configuration's parameters when it outgrows the function's environment.
        assert [a for a in created if not a.startswith(("aws_sns_topic", "aws_ssm_parameter.config"))] == (
            WARMER_RESOURCES
        ), unit
        # Every environment names where its alarms go (docs/operations.md).
        assert plan["variables"]["notifications"]["value"] is not None, unit
        assert [c["address"] for c in changes if c["change"]["actions"] not in (["create"], ["read"])] == []

        function = next(c for c in changes if c["address"] == "aws_lambda_function.this")
        config = planned_config(changes, function["change"]["after"]["environment"][0]["variables"])
        assert [t["name"] for t in config["tables"]] == list(found[unit].listed)
        assert function["change"]["after"]["source_code_hash"] == base64_sha256(build_zip())
        assert function["change"]["after"]["filename"] == "lambda_function.zip"
        # The plan shows what the configuration resolves to: the listed tables and those a pattern finds.
        resolved = plan["planned_values"]["outputs"]["resolved_tables"]["value"]
        assert sorted(resolved) == sorted(found[unit].expected), unit


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_each_warmer_of_an_environment_has_role_names_of_its_own_region(environment, emulator):
    env = emulator.env(account=live_environment(environment).account)
    plans = planned_changes(environment, env)

    roles = {
        unit: sorted(c["change"]["after"]["name"] for c in plan["resource_changes"] if c["type"] == "aws_iam_role")
        for unit, plan in plans.items()
    }
    names = [name for unit_roles in roles.values() for name in unit_roles]
    assert len(names) == len(set(names)) == 2 * len(plans)
    for unit, unit_roles in roles.items():
        region = unit_region(LIVE / environment / unit)
        assert all(name.endswith(f"-{region}") for name in unit_roles), (unit, unit_roles)


def test_the_provider_refuses_credentials_of_another_account(emulator):
    first = environments()[0]
    other = "999999999999" if first.account != "999999999999" else "888888888888"
    run = terragrunt(["plan", "-lock=false"], unit_dirs(LIVE / first.name)[0], emulator.env(account=other), check=False)
    assert run.returncode != 0
    assert f"AWS account ID not allowed: {other}" in run.stdout + run.stderr


def test_apply_deploys_the_local_package_and_a_second_plan_has_no_changes(emulator, tmp_path):
    first = environments()[0]
    env_dir, env = LIVE / first.name, emulator.env(account=first.account)
    unit = unit_dirs(env_dir)[0]
    found = emulator.seeded[first.name][0]
    inputs = unit_inputs(unit)
    apply = terragrunt(["run", "--all", "apply"], env_dir, env)
    assert_no_deprecation_warning(apply)

    session = emulator.session(first.account, found.region)
    function = session.client("lambda").get_function(FunctionName=f"{inputs['name_prefix']}-warmer")["Configuration"]
    assert function["CodeSha256"] == base64_sha256(build_zip())
    assert (function["Runtime"], function["Architectures"], function["MemorySize"]) == (
        "python3.13",
        ["arm64"],
        inputs.get("memory_size", 128),
    )

    # The demo's path: the schedule read back, its target's deployed package run in the Lambda runtime
    # with the deployed handler, environment, memory, timeout and JSON logging.
    schedule = deployed_schedule(session.client("scheduler"), unit_outputs(unit, env)["schedule_arn"])
    assert schedule.function_name == function["FunctionName"]
    assert schedule.expression == inputs.get("schedule_expression", schedule.expression)
    package, configuration = fetch_deployed_package(session.client("lambda"), schedule.function_name)
    assert configuration["LoggingConfig"]["LogFormat"] == "JSON"
    dynamodb = session.client("dynamodb")
    patterns = inputs.get("table_name_patterns") or []
    # A listed table the region does not hold (a new account): every tick fails, naming it.
    missing = [t for t in found.listed if t not in {s.name for s in found.tables}]
    later = example_name(patterns[0], "created-later") if patterns and not missing else None
    with runtime.running(package, configuration, env, tmp_path) as running:
        cloudwatch = session.client("cloudwatch")
        (tick,) = run_ticks(running, schedule, cloudwatch, 1)
        if missing:
            assert not tick.ok and all(t in tick.error_message for t in missing), tick.error_message
        else:
            assert tick.ok, tick.error_message
            assert tick.payload["counts"]["warmed"] == len(found.expected)
            assert tick.payload["counts"]["failed"] == 0
        task = tmp_path / f"lambda-{schedule.function_name}" / "task" / "lambda_function" / "main.py"
        assert task.exists()
        assert (
            tick.report.startswith("REPORT RequestId:") and f"Memory Size: {function['MemorySize']} MB" in tick.report
        )

        if later:  # a table created after the deploy that a pattern matches is warmed on the next tick
            seed_table(dynamodb, session.client("application-autoscaling"), TableSpec(later, ("id", "S")))
            try:
                (next_tick,) = run_ticks(running, schedule, cloudwatch, 1)
            finally:
                dynamodb.delete_table(TableName=later)  # the emulator is shared with other tests
    if later:
        assert next_tick.ok, next_tick.error_message
        new = next(t for t in next_tick.payload["tables"] if t["table"] == later)
        assert new["status"] == "warmed"
        assert sorted(d["operation"] for d in new["dimensions"]) == ["DeleteItem", "GetItem"]

    replan = terragrunt(["run", "--all", "plan", "--", "-detailed-exitcode"], env_dir, env, ok_codes=(0, 2))
    assert replan.returncode == 0, f"the plan after apply has changes (log: {replan.log_path})"
    assert "No changes." in replan.stdout

    # Every alarm sends ALARM and OK to the environment's destination.
    topic = unit_outputs(unit, env)["notification_topic_arn"]
    alarms = session.client("cloudwatch").describe_alarms(AlarmNamePrefix=f"{function['FunctionName']}-")
    assert len(alarms["MetricAlarms"]) == 5
    assert all(topic in a["AlarmActions"] and topic in a["OKActions"] for a in alarms["MetricAlarms"])

    managed = [
        len([a for a in terragrunt(["state", "list"], u, env).stdout.split() if not a.startswith("data.")])
        for u in unit_dirs(env_dir)
    ]
    destroy = terragrunt(["run", "--all", "destroy"], env_dir, env)
    assert_no_deprecation_warning(destroy)
    destroyed = re.findall(r"Destroy complete! Resources: (\d+) destroyed\.", destroy.stdout)
    assert sorted(int(n) for n in destroyed) == sorted(managed)


def test_backend_bootstrap_creates_a_versioned_encrypted_state_bucket_per_region_without_warnings():
    # Its own emulator: the shared one already has the buckets, as the bootstrap units make them.
    last = environments()[-1]
    with running_emulator(name="moto-bootstrap") as emulator:
        run = terragrunt(["backend", "bootstrap", "--all"], LIVE / last.name, emulator.env(account=last.account))
        s3 = emulator.session(last.account).client("s3")

        buckets = sorted(state_bucket(region, last.account) for region in last.regions)
        assert sorted(b["Name"] for b in s3.list_buckets()["Buckets"]) == buckets
        for bucket in buckets:
            assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
            assert s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert_no_deprecation_warning(run)
