"""`terragrunt run --all` on live/ against the emulator, each environment in its own account: every
environment planned, each kind of environment (the first, one with several regions, one in another
account) applied from its saved plans, planned again and destroyed, once per worker (tests/live/applied.py,
shared with tests/iam/test_ci_permissions.py). Every expectation comes from what live/ holds
(ddb_warmer/local/seed.py)."""

from __future__ import annotations

import json

import pytest

from ddb_warmer.build.live import environments
from ddb_warmer.build.package import base64_sha256, build_zip
from ddb_warmer.build.terragrunt import LIVE, terragrunt, unit_dirs, unit_region
from ddb_warmer.local.emulator import running_emulator
from ddb_warmer.local.seed import Seeded
from ddb_warmer.names import state_bucket
from tests.checkout_copy import READ_ONLY_INIT, copied
from tests.live.applied import assert_no_deprecation_warning, kinds

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


ENVIRONMENTS = [e.name for e in environments()]
APPLIED = sorted({e.name for e in kinds().values()}, key=ENVIRONMENTS.index)


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
def test_plan_creates_the_whole_warmer_with_the_tables_live_names(environment, emulator, live):
    plans = live.plans[environment]
    found = seeded(emulator, environment)
    assert_no_deprecation_warning(live.plan_runs[environment])

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
def test_each_warmer_of_an_environment_has_role_names_of_its_own_region(environment, live):
    plans = live.plans[environment]

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
    unit = unit_dirs(copied(LIVE / first.name))[0]
    run = terragrunt(["plan", "-lock=false"], unit, emulator.env(account=other) | READ_ONLY_INIT, check=False)
    assert run.returncode != 0
    assert f"AWS account ID not allowed: {other}" in run.stdout + run.stderr


def test_apply_deploys_the_local_package_that_runs_in_the_lambda_runtime_with_alarms_to_its_destination(live):
    """The first environment's first unit, read back while deployed (tests/live/applied.py)."""
    deployed = live.applied[ENVIRONMENTS[0]].deployed
    function, inputs, found, schedule, tick = (
        deployed.function,
        deployed.inputs,
        deployed.seeded,
        deployed.schedule,
        deployed.tick,
    )
    assert function["CodeSha256"] == base64_sha256(build_zip())
    assert (function["Runtime"], function["Architectures"], function["MemorySize"]) == (
        "python3.13",
        ["arm64"],
        inputs.get("memory_size", 128),
    )

    # The demo's path: the schedule read back, its target's deployed package run in the Lambda runtime
    # with the deployed handler, environment, memory, timeout and JSON logging.
    assert schedule.function_name == function["FunctionName"]
    assert schedule.expression == inputs.get("schedule_expression", schedule.expression)
    assert deployed.configuration["LoggingConfig"]["LogFormat"] == "JSON"
    if deployed.missing:  # a listed table the region does not hold (a new account): the tick fails, naming it
        assert not tick.ok and all(t in tick.error_message for t in deployed.missing), tick.error_message
    else:
        assert tick.ok, tick.error_message
        assert tick.payload["counts"]["warmed"] == len(found.expected)
        assert tick.payload["counts"]["failed"] == 0
    assert deployed.task_root_has_handler
    assert tick.report.startswith("REPORT RequestId:") and f"Memory Size: {function['MemorySize']} MB" in tick.report

    if deployed.later:  # a table created after the deploy that a pattern matches is warmed on the next tick
        next_tick = deployed.next_tick
        assert next_tick.ok, next_tick.error_message
        new = next(t for t in next_tick.payload["tables"] if t["table"] == deployed.later)
        assert new["status"] == "warmed"
        assert sorted(d["operation"] for d in new["dimensions"]) == ["DeleteItem", "GetItem"]

    # Every alarm sends ALARM and OK to the environment's destination.
    assert len(deployed.alarms) == 5
    assert all(deployed.topic in a["AlarmActions"] and deployed.topic in a["OKActions"] for a in deployed.alarms)


@pytest.mark.parametrize("environment", APPLIED)
def test_the_reviewed_plans_apply_a_second_plan_has_no_changes_and_destroy_removes_all(environment, live):
    """Each kind of environment live/ holds (one region, several, another account): its saved plans applied
    as a merge applies them, planned again with nothing to change, then destroyed whole, without warnings."""
    done = live.applied[environment]
    assert_no_deprecation_warning(done.apply)
    created = sorted(
        len([c for c in plan["resource_changes"] if c["change"]["actions"] == ["create"]])
        for plan in live.plans[environment].values()
    )
    assert done.added() == created, f"the apply did not create what its plans planned (log: {done.apply.log_path})"

    assert done.replan.returncode == 0, f"the plan after apply has changes (log: {done.replan.log_path})"
    assert done.replan.stdout.count("No changes.") >= len(live.plans[environment])

    assert_no_deprecation_warning(done.destroy)
    assert done.destroyed() == done.added()


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
