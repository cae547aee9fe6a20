"""One JSON log line per request and per tick, and one Embedded Metric Format document per tick."""

from __future__ import annotations

import contextlib
import json

from ddb_warmer.local.seed import TableSpec
from lambda_function import main


def run_handler(aws, monkeypatch, capsys, config: dict) -> list[dict]:
    monkeypatch.setenv("WARMER_CONFIG", json.dumps(config))
    monkeypatch.setattr(main, "SCHEMA_CACHE", aws.cache)
    main.clients.cache_clear()
    with contextlib.suppress(main.WarmingFailed):
        main.lambda_handler({}, None)
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_each_request_is_one_log_line_with_table_dimension_capacity_latency_and_outcome(aws, monkeypatch, capsys):
    aws.table(TableSpec("orders", ("pk", "S")), scaled=False)

    lines = run_handler(aws, monkeypatch, capsys, {"tables": [{"name": "orders", "read": True, "write": True}]})

    requests = [line for line in lines if line.get("event") == "request"]
    assert len(requests) == 2
    for line in requests:
        assert {"table", "index", "dimension", "operation", "consumed", "duration_ms", "outcome"} <= set(line)
        assert line["table"] == "orders" and line["outcome"] == "ok"
    ticks = [line for line in lines if line.get("event") == "tick"]
    assert len(ticks) == 1 and ticks[0]["requests"] == 2


def test_each_tick_emits_one_emf_document_with_the_tick_metrics(aws, monkeypatch, capsys):
    aws.table(TableSpec("orders", ("pk", "S")), scaled=False)
    config = {"tables": [{"name": "orders", "read": True}, {"name": "missing", "read": True}]}

    lines = run_handler(aws, monkeypatch, capsys, config)

    documents = [line for line in lines if "_aws" in line]
    assert len(documents) == 1
    emf = documents[0]
    declared = {m["Name"] for m in emf["_aws"]["CloudWatchMetrics"][0]["Metrics"]}
    assert declared == {
        "TablesWarmed",
        "TablesSkipped",
        "TablesFailed",
        "DimensionsWarmed",
        "SuccessfulTick",
        "TickDuration",
    }
    assert (emf["TablesWarmed"], emf["TablesFailed"], emf["SuccessfulTick"]) == (1, 1, 0)
    assert emf["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "DdbWarmer"


def test_a_dry_run_emits_no_metrics(aws, monkeypatch, capsys):
    aws.table(TableSpec("orders", ("pk", "S")), scaled=False)

    lines = run_handler(aws, monkeypatch, capsys, {"tables": [{"name": "orders", "read": True}], "dry_run": True})

    assert not [line for line in lines if "_aws" in line]
