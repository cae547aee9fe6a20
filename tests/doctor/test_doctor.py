"""`ddb-warmer doctor`: a verdict per table and dimension, from moto's alarms and written metrics."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from ddb_warmer.local.seed import TableSpec, seed_table
from ddb_warmer.ops import cli
from ddb_warmer.ops.alarm_model import DECREASES_PER_DAY
from ddb_warmer.ops.doctor import Warmer, diagnose, judge
from ddb_warmer.ops.doctor_output import render
from ddb_warmer.ops.inventory import DimensionState
from lambda_function.config import parse_config
from lambda_function.log import METRIC_NAMESPACE
from lambda_function.request_path import STOCK_PATH_METRIC, RequestPath

from .conftest import FUNCTION, NOW, consumed, put_minutes

TABLES = ["warm", "five-minutely", "silent", "indexed", "no-policy", "at-minimum", "on-demand", "unscaled"]
SNAPSHOT = Path(__file__).parent / "snapshots" / "doctor.txt"


def verdicts(report) -> dict[str, str]:
    return {f"{d.table} {d.label}": d.verdict for d in report.dimensions}


def test_each_situation_gets_its_verdict(with_metrics):
    report = diagnose(with_metrics, TABLES, None, NOW)

    got = verdicts(report)
    assert got["warm table read"] == got["warm table write"] == "OK"
    assert got["five-minutely table read"] == "BLOCKED"
    assert got["silent table write"] == "BLOCKED"
    assert got["indexed index by_user read"] == "OK"
    assert got["indexed index by_user write"] == "NOT NEEDED"
    assert got["no-policy table read"] == "BLOCKED"
    assert got["at-minimum table read"] == "AT MINIMUM"
    assert got["on-demand table read"] == "NOT NEEDED"
    assert got["unscaled table write"] == "NOT NEEDED"
    why = {f"{d.table} {d.label}": d.why for d in report.dimensions}
    assert why["five-minutely table read"].startswith("4 datapoints in AlarmLow's 20-minute evaluation range")
    assert "without a target-tracking policy" in why["no-policy table read"]
    assert report.blocked


def test_the_datapoint_strip_shows_every_minute_and_counts_the_gaps(with_metrics):
    report = diagnose(with_metrics, ["warm", "five-minutely", "silent"], None, NOW)

    strips = {d.table: d.minutes for d in report.dimensions if d.kind == "read"}
    assert strips["warm"] == [True] * 20
    assert strips["five-minutely"] == [m % 5 == 0 for m in range(19, -1, -1)]
    assert strips["silent"] == [False] * 20


LAMBDA = [{"Name": "FunctionName", "Value": FUNCTION}]
DELETED = "1 of 2 tables failed: deleted-table: ResourceNotFoundException: Requested resource not found"


def log_error_record(logs, minutes_ago: int, error_type: str, message: str) -> None:
    """The runtime's JSON record of the exception that ended an invocation, in the function's log group."""
    group, stream = f"/aws/lambda/{FUNCTION}", "2026/11/27/[$LATEST]abc"
    if not logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]:
        logs.create_log_group(logGroupName=group)
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
    record = {"timestamp": "2026-11-27T11:59:00Z", "level": "ERROR", "errorType": error_type, "errorMessage": message}
    when = int((NOW - dt.timedelta(minutes=minutes_ago)).timestamp() * 1000)
    logs.put_log_events(
        logGroupName=group, logStreamName=stream, logEvents=[{"timestamp": when, "message": json.dumps(record)}]
    )


def test_a_table_whose_warmers_last_ticks_fail_is_failing_with_the_last_error_whatever_its_datapoints(with_metrics):
    # "warm" has every datapoint (OK if the warmer worked); the last three ticks failed.
    put_minutes(with_metrics["cloudwatch"], "AWS/Lambda", "Errors", LAMBDA, [0, 1, 2])
    log_error_record(with_metrics["logs"], 3, "TableFailures", "an older failure")
    log_error_record(with_metrics["logs"], 1, "TableFailures", DELETED)
    with_metrics["lambda"].get_function_configuration = lambda **_: {}

    report = diagnose(with_metrics, ["warm", "on-demand"], FUNCTION, NOW)

    got = {f"{d.table} {d.label}": d for d in report.dimensions}
    assert got["warm table read"].verdict == got["warm table write"].verdict == "FAILING"
    assert got["warm table read"].why == (
        f"the warmer's last tick failed (3 errors in 20 invocations): TableFailures: {DELETED}"
    )
    assert got["on-demand table read"].verdict == "NOT NEEDED"  # needs no warming, failing or not
    assert report.blocked
    shown = render(report)
    assert f"its last tick FAILED: TableFailures: {DELETED}" in shown.splitlines()[1]
    assert "warm table read: FAILING: the warmer's last tick failed" in shown


def test_a_failing_warmer_whose_log_events_cannot_be_read_says_how_to_read_them(with_metrics):
    put_minutes(with_metrics["cloudwatch"], "AWS/Lambda", "Errors", LAMBDA, [0])
    with_metrics["lambda"].get_function_configuration = lambda **_: {}

    report = diagnose(with_metrics, ["warm"], FUNCTION, NOW)

    assert report.dimensions[0].verdict == "FAILING"
    assert report.warmer.last_error == f"its log group /aws/lambda/{FUNCTION} does not exist"


def test_an_earlier_failure_is_named_as_the_cause_of_the_gaps_once_the_warmer_ticks_again(with_metrics):
    # Three ticks failed, then the last three succeeded: not FAILING, but behind the gaps.
    put_minutes(with_metrics["cloudwatch"], "AWS/Lambda", "Errors", LAMBDA, [3, 4, 5])
    with_metrics["lambda"].get_function_configuration = lambda **_: {}

    report = diagnose(with_metrics, ["silent"], FUNCTION, NOW)

    assert (report.warmer.invocations, report.warmer.errors) == (20, 3)
    assert not report.warmer.last_tick_failed and report.warmer.last_error is None
    assert report.dimensions[0].verdict == "BLOCKED"
    assert "the warmer is failing (3 errors" in report.dimensions[0].why
    assert report.warmer.last_successful_tick == "2026-11-27T12:00:00+00:00"


def test_a_table_the_warmer_started_on_minutes_ago_is_warming_and_one_it_does_not_cover_is_blocked(with_metrics):
    cloudwatch = with_metrics["cloudwatch"]
    for table in ("fresh", "unwarmed"):
        seed_table(with_metrics["dynamodb"], with_metrics["application-autoscaling"], TableSpec(table, ("pk", "S")))
    consumed(cloudwatch, "fresh", every=1, minutes=range(3))  # ticks in the last 3 minutes
    consumed(cloudwatch, "unwarmed", every=1, minutes=range(3))  # the same datapoints, from its own traffic
    deployed = NOW - dt.timedelta(minutes=2, seconds=40)
    with_metrics["lambda"].get_function_configuration = lambda **_: {
        "LastModified": deployed.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
        "Environment": {"Variables": {"WARMER_CONFIG": json.dumps({"tables": [{"name": "fresh"}]})}},
    }

    report = diagnose(with_metrics, ["fresh", "unwarmed"], FUNCTION, NOW)

    got = {f"{d.table} {d.label}": d for d in report.dimensions}
    assert got["fresh table read"].verdict == "WARMING"
    assert got["fresh table read"].first_fire == "2026-11-27T12:13:00+00:00"
    assert "3 of 15 minutes" in got["fresh table read"].why
    assert got["unwarmed table read"].verdict == "BLOCKED"
    assert report.blocked


def test_without_any_dynamodb_metric_nothing_is_invented_and_nothing_is_blocked_for_it(account):
    report = diagnose(account, ["warm", "silent"], None, NOW)

    assert not report.metrics_available
    assert {d.verdict for d in report.dimensions} == {"UNKNOWN"}
    assert not report.blocked
    rows = render(report).splitlines()[5:9]
    assert len(rows) == 4 and all("no metrics from this endpoint" in row for row in rows)
    assert not any("█" in row or "·" in row for row in rows)


def test_todays_decrease_quota_used_up_blocks_scale_in():
    dimension = DimensionState(
        "orders", None, "read", provisioned=50, decreases_today=DECREASES_PER_DAY, minutes=[True] * 20
    )

    judge(dimension, {"MinCapacity": 1}, {"Alarms": []}, {"StateValue": "OK"}, True, Warmer("f"), NOW, NOW)

    assert dimension.verdict == "BLOCKED"
    assert "all 27 decreases of today used" in dimension.why


def test_a_table_the_warmers_patterns_find_counts_as_warmed_like_a_listed_one():
    config = parse_config(json.dumps({"tables": [{"name": "orders"}], "patterns": ["app-*"], "exclude": ["app-tmp-*"]}))
    warmer = Warmer("f", config=config)

    assert warmer.covers("orders") and warmer.covers("app-events")
    assert not warmer.covers("app-tmp-1") and not warmer.covers("archive")
    assert not Warmer("f", found=False, config=config).covers("orders")
    assert Warmer("f").covers("anything")  # a configuration it could not read: no table is ruled out


def run_cli(clients, monkeypatch, capsys, *argv) -> tuple[int, str]:
    monkeypatch.setattr(cli, "make_clients", lambda region=None: clients)
    original = cli.doctor

    def at_fixed_time(args, clients):
        return original(SimpleNamespace(**{**vars(args), "now": NOW}), clients)

    monkeypatch.setattr(cli, "doctor", at_fixed_time)
    code = cli.main(list(argv))
    return code, capsys.readouterr().out


def test_the_exit_code_is_one_when_anything_is_blocked_and_zero_otherwise(with_metrics, monkeypatch, capsys):
    blocked, _ = run_cli(with_metrics, monkeypatch, capsys, "doctor", "--table", "warm", "--table", "silent")
    fine, _ = run_cli(with_metrics, monkeypatch, capsys, "doctor", "--table", "warm", "--table", "on-demand")

    assert (blocked, fine) == (1, 0)


def test_the_json_output_has_a_stable_shape(with_metrics, monkeypatch, capsys):
    code, out = run_cli(with_metrics, monkeypatch, capsys, "doctor", "--table", "warm", "--json")

    data = json.loads(out)
    assert code == 0
    assert set(data) == {
        "checked_at",
        "window_minutes",
        "metrics_available",
        "warmer",
        "verdicts",
        "blocked",
        "dimensions",
    }
    first = data["dimensions"][0]
    assert {
        "table",
        "index",
        "kind",
        "label",
        "verdict",
        "why",
        "strip",
        "gaps",
        "provisioned",
        "min_capacity",
        "max_capacity",
        "target_value",
        "alarm_name",
        "alarm_state",
        "decreases_today",
    } <= set(first)
    assert first["strip"] == "█" * 20 and first["alarm_name"].startswith("TargetTracking-table/warm-AlarmLow-")
    assert data["verdicts"]["OK"] == 2


def test_the_human_output_matches_its_snapshot(with_metrics, monkeypatch, capsys):
    _, out = run_cli(with_metrics, monkeypatch, capsys, "doctor", *[a for t in TABLES for a in ("--table", t)])

    if not SNAPSHOT.exists():  # first run writes it; review and commit it
        SNAPSHOT.write_text(out)
        pytest.fail(f"snapshot written to {SNAPSHOT}: review it and run again")
    assert out == SNAPSHOT.read_text()


def test_ticks_on_the_stock_request_path_are_reported_with_the_warmer(with_metrics):
    put_minutes(with_metrics["cloudwatch"], f"DdbWarmer/{FUNCTION}", STOCK_PATH_METRIC, [], [0, 1, 2])
    with_metrics["lambda"].get_function_configuration = lambda **_: {}

    report = diagnose(with_metrics, ["warm"], FUNCTION, NOW)

    assert report.warmer.stock_path_ticks == 3
    assert report.as_json()["warmer"]["stock_path_ticks"] == 3
    assert "3 ticks took the stock request path" in render(report)


def test_a_warmer_on_the_lean_path_says_nothing_of_it(with_metrics):
    with_metrics["lambda"].get_function_configuration = lambda **_: {}

    report = diagnose(with_metrics, ["warm"], FUNCTION, NOW)

    assert report.warmer.stock_path_ticks == 0
    assert "stock request path" not in render(report)


def test_the_module_counts_stock_path_ticks_under_the_metric_doctor_reads():
    alarms = (Path(__file__).parents[2] / "modules" / "dynamodb-warmer" / "alarms.tf").read_text()
    metric_filter = alarms.split('resource "aws_cloudwatch_log_metric_filter" "stock_request_path"', 1)[1]
    metric_filter = metric_filter.split("\n}\n", 1)[0]

    assert f'name      = "{STOCK_PATH_METRIC}"' in metric_filter
    assert f'failing_tables_namespace = "{METRIC_NAMESPACE}/${{local.function_name}}"' in alarms
    assert "namespace = local.failing_tables_namespace" in metric_filter
    assert '$.request_path.path = \\"stock\\"' in metric_filter
    assert RequestPath.STOCK.value == "stock"
