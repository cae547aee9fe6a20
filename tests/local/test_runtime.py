"""The package in the local Lambda runtime (aws-lambda-rie + awslambdaric, Python 3.13), against the emulator."""

from __future__ import annotations

import datetime as dt
import json

import boto3
import pytest

from ddb_warmer.build.package import build_zip
from ddb_warmer.local import runtime
from ddb_warmer.local.lambda_metrics import publish_error_record, publish_invocation
from ddb_warmer.local.seed import TableSpec, seed_table
from ddb_warmer.ops.doctor import last_error

pytestmark = pytest.mark.slow

HANDLER = "lambda_function.main.lambda_handler"
# The tests' own tables, in the emulator's default account: none of live/'s.
ORDERS, SESSIONS = "runtime-probe-orders", "runtime-probe-sessions"


@pytest.fixture(scope="module", autouse=True)
def runtime_tables(emulator):
    session = boto3.Session(region_name=emulator.region)
    dynamodb, autoscaling = session.client("dynamodb"), session.client("application-autoscaling")
    existing = set(dynamodb.list_tables()["TableNames"])
    for spec in (TableSpec(ORDERS, ("pk", "S"), ("sk", "S")), TableSpec(SESSIONS, ("id", "S"), scaled=("read",))):
        if spec.name not in existing:
            seed_table(dynamodb, autoscaling, spec)


def configuration(tables: list[dict], level: str = "INFO", handler: str = HANDLER, memory: int = 128) -> dict:
    """A function configuration shaped as Lambda's GetFunction returns it."""
    return {
        "FunctionName": "ddb-warmer-test-warmer",
        "Handler": handler,
        "MemorySize": memory,
        "Timeout": 60,
        "Environment": {"Variables": {"WARMER_CONFIG": json.dumps({"tables": tables})}},
        "LoggingConfig": {"LogFormat": "JSON", "ApplicationLogLevel": level, "SystemLogLevel": "WARN"},
    }


def function_lines(log_path) -> list[dict]:
    return [json.loads(line) for line in log_path.read_text().splitlines() if line.startswith("{")]


def test_a_tick_runs_the_package_by_its_handler_string_and_reports_like_lambda(emulator, emulator_env, tmp_path):
    config = configuration([{"name": ORDERS}, {"name": SESSIONS, "read": True, "write": False}])

    with runtime.running(build_zip(), config, emulator_env, tmp_path) as function:
        first, second = function.invoke({}), function.invoke({})

    assert first.ok and second.ok
    assert first.payload["counts"] == {"warmed": 2, "skipped": 0, "failed": 0, "planned": 0}
    assert second.report.startswith(f"REPORT RequestId: {second.request_id}\t")
    assert "Memory Size: 128 MB" in second.report
    # The emulator's own Max Memory Used is its memory size; the measured peak is the process's.
    assert 10 < second.max_memory_mb < 300
    assert f"Max Memory Used: {second.max_memory_mb} MB (peak RSS" in second.report_line(128)
    log = function.log_path.read_text()
    assert f"START RequestId: {first.request_id}" in log and f"END RequestId: {first.request_id}" in log


def test_at_info_the_function_logs_one_json_line_per_tick_and_at_debug_one_per_request(
    emulator, emulator_env, tmp_path
):
    tables = [{"name": ORDERS, "read": True, "write": True}]
    lines = {}
    for level in ("INFO", "DEBUG"):
        with runtime.running(build_zip(), configuration(tables, level), emulator_env, tmp_path / level) as function:
            function.invoke({})
            lines[level] = [line["event"] for line in function_lines(function.log_path) if "event" in line]

    assert lines["INFO"] == ["tick"]
    assert sorted(lines["DEBUG"]) == ["request", "request", "tick"]


def test_a_failing_tick_returns_lambdas_error_object(emulator, emulator_env, tmp_path):
    config = configuration([{"name": ORDERS}, {"name": "no-such-table", "read": True}])

    with runtime.running(build_zip(), config, emulator_env, tmp_path) as function:
        failed = function.invoke({})

    assert failed.error_type == "WarmingFailed"
    assert failed.error_message.startswith("1 of 2 tables failed:\nno-such-table: DescribeTable failed")
    assert {"errorType", "errorMessage", "stackTrace"} <= set(failed.payload)


def test_a_failed_ticks_error_record_reaches_the_log_group_where_doctor_reads_it(emulator, emulator_env, tmp_path):
    config = configuration([{"name": ORDERS}, {"name": "no-such-table", "read": True}])
    logs = boto3.client("logs", region_name=emulator.region)
    group = "/aws/lambda/ddb-warmer-test-warmer"
    if not logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]:
        logs.create_log_group(logGroupName=group)
    since = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)

    with runtime.running(build_zip(), config, emulator_env, tmp_path) as function:
        failed = function.invoke({})
    publish_error_record(logs, config, failed)

    read = last_error(logs, group, since, dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1))
    assert read == f"WarmingFailed: {failed.error_message}"
    assert "no-such-table: DescribeTable failed" in read


def test_a_wrong_handler_string_fails_as_lambda_says(emulator, emulator_env, tmp_path):
    config = configuration([{"name": ORDERS}], handler="lambda_function.main.handler")

    with runtime.running(build_zip(), config, emulator_env, tmp_path) as function:
        failed = function.invoke({})

    assert failed.error_type == "Runtime.HandlerNotFound"


def test_the_local_aws_publishes_consumed_capacity_and_the_invocation_metrics(emulator, emulator_env, tmp_path):
    config = configuration([{"name": SESSIONS, "read": True, "write": False}])
    cloudwatch = boto3.client("cloudwatch", region_name=emulator.region)
    since = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)

    with runtime.running(build_zip(), config, emulator_env, tmp_path) as function:
        invocation = function.invoke({})
    publish_invocation(cloudwatch, "ddb-warmer-test-warmer", invocation)

    def total(namespace, metric, dimensions):
        points = cloudwatch.get_metric_statistics(
            Namespace=namespace,
            MetricName=metric,
            Dimensions=dimensions,
            StartTime=since,
            EndTime=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1),
            Period=60,
            Statistics=["Sum"],
        )["Datapoints"]
        return sum(p["Sum"] for p in points)

    sessions = [{"Name": "TableName", "Value": SESSIONS}]
    function_dimension = [{"Name": "FunctionName", "Value": "ddb-warmer-test-warmer"}]
    assert total("AWS/DynamoDB", "ConsumedReadCapacityUnits", sessions) >= 0.5
    assert total("AWS/Lambda", "Invocations", function_dimension) == 1
    assert total("AWS/Lambda", "Errors", function_dimension) == 0
