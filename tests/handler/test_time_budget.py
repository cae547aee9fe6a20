"""The tick's time budget: no request starts within the margin before the timeout, what was not
reached is reported as failed ("out of time"), and the invocation raises with the report intact.

The slow ticks run on a clock that moves only when a warm request is sent, so what the deadline lets
start is the same on an idle laptop and on a loaded CI runner (no wall-time assertion)."""

from __future__ import annotations

import json
import threading
import time

import boto3
import pytest

from ddb_warmer.local.seed import TableSpec
from lambda_function import main, wire
from lambda_function.config import parse_config
from lambda_function.deadline import Deadline
from lambda_function.tick import run_tick


class Context:
    """Lambda's context, its clock running from creation, with this much time left."""

    function_name = "warmer"

    def __init__(self, remaining_seconds: float, clock=time.monotonic):
        self.clock = clock
        self.end = clock() + remaining_seconds

    def get_remaining_time_in_millis(self) -> int:
        return int((self.end - self.clock()) * 1000)


class RequestClock:
    """A clock that moves only when a GetItem or DeleteItem is sent: each takes `step` seconds of it.
    It records the time each request started, to compare with the deadline."""

    def __init__(self, client, step: float):
        self.now = 0.0
        self.starts: list[float] = []
        self._lock = threading.Lock()
        self._step = step
        for operation in ("GetItem", "DeleteItem"):
            client.meta.events.register(f"before-send.dynamodb.{operation}", self._send)

    def __call__(self) -> float:
        return self.now

    def _send(self, **_) -> None:
        with self._lock:
            self.starts.append(self.now)
            self.now += self._step


def a_slow_tick(config, client, aws):
    """Learn the schemas first (only warm requests are timed), then tick with 1.3 s left and a 1 s margin
    on a clock where each request takes 0.1 s: the deadline stops new requests at 0.3 s."""
    run_tick(config, dynamodb=client, autoscaling=aws.autoscaling, cache=aws.cache)
    clock = RequestClock(client, 0.1)
    deadline = Deadline.from_context(Context(1.3, clock), margin_seconds=1.0, clock=clock)
    summary = run_tick(config, dynamodb=client, autoscaling=aws.autoscaling, cache=aws.cache, deadline=deadline)
    return summary.as_dict(), clock


def assert_started_before_the_deadline_only(clock: RequestClock, max_workers: int) -> None:
    """Every request started before the deadline (0.3 s); the tick ended with at most one request per worker
    in flight past it, never the whole 2 s that 20 requests take."""
    assert clock.starts and max(clock.starts) < 0.3 + 1e-9, clock.starts
    assert clock.now <= 0.3 + max_workers * 0.1 + 1e-9, clock.now


def test_a_slow_tick_stops_starting_requests_at_the_margin_and_reports_the_rest_out_of_time(aws):
    names = [f"table-{i:02d}" for i in range(20)]
    for name in names:
        aws.table(TableSpec(name, ("pk", "S")), scaled=False)
    config = parse_config(json.dumps({"tables": [{"name": n, "read": True} for n in names], "max_workers": 2}))

    summary, clock = a_slow_tick(config, aws.dynamodb, aws)

    statuses = [t["status"] for t in summary["tables"]]
    warmed, failed = statuses.count("warmed"), statuses.count("failed")
    assert warmed + failed == 20 and 2 <= warmed <= 5, statuses  # 3 starts before 0.3 s, one per worker at most more
    out_of_time = [t for t in summary["tables"] if t["status"] == "failed"]
    assert all(t["reason"].startswith("table read: out of time: GetItem not started") for t in out_of_time)
    assert_started_before_the_deadline_only(clock, max_workers=2)
    sent = [c for c in aws.recorder.calls if c[0] == "GetItem"]
    assert len(sent) == 20 + warmed  # the first tick's 20, then only the ones started in time


def test_the_handler_raises_after_an_out_of_time_tick_naming_every_table_not_reached(aws, monkeypatch):
    names = [f"table-{i:02d}" for i in range(6)]
    for name in names:
        aws.table(TableSpec(name, ("pk", "S")), scaled=False)
    monkeypatch.setenv("WARMER_CONFIG", json.dumps({"tables": [{"name": n, "write": True} for n in names]}))
    monkeypatch.setattr(main, "SCHEMA_CACHE", aws.cache)
    main.clients.cache_clear()

    # Less time left than the margin: nothing may start, the report still comes.
    with pytest.raises(main.WarmingFailed) as failure:
        main.lambda_handler({}, Context(main.TIME_MARGIN_SECONDS - 0.5))

    lines = str(failure.value).splitlines()
    assert lines[0] == "6 of 6 tables failed:"
    assert all("out of time" in line for line in lines[1:]) and len(lines) == 7
    assert [t for t in aws.items("table-00")] == []


def test_the_margin_covers_one_calls_worst_case_with_its_retries():
    # 3 attempts of a 1 s connect and 3 s read timeout, and standard-mode backoff of up to 1 s then 2 s.
    assert main.CALL_WORST_CASE_SECONDS == 15
    assert main.TIME_MARGIN_SECONDS > main.CALL_WORST_CASE_SECONDS


def test_on_the_stock_path_a_tick_too_long_for_its_time_still_ends_in_its_budget_saying_what_it_skipped(
    aws, monkeypatch
):
    """A fallback costs CPU (bench/tick_benchmark.py: a 5,000-table tick at 128 MB models past the 60 s
    timeout on the stock path): the time margin still stops it, and the report names what was skipped."""
    names = [f"table-{i:02d}" for i in range(20)]
    for name in names:
        aws.table(TableSpec(name, ("pk", "S")), scaled=False)
    config = parse_config(json.dumps({"tables": [{"name": n, "write": True} for n in names], "max_workers": 2}))
    monkeypatch.setattr(wire, "ENDPOINT", "_endpoint_renamed")  # a botocore without it: the stock path
    client = boto3.client("dynamodb", config=main.boto_config(2))

    summary, clock = a_slow_tick(config, client, aws)

    assert summary["request_path"]["path"] == "stock"
    statuses = [t["status"] for t in summary["tables"]]
    assert statuses.count("warmed") + statuses.count("failed") == 20 and 2 <= statuses.count("warmed") <= 5
    skipped = [t for t in summary["tables"] if t["status"] == "failed"]
    assert all(t["reason"].startswith("table write: out of time: DeleteItem not started") for t in skipped)
    assert_started_before_the_deadline_only(clock, max_workers=2)
