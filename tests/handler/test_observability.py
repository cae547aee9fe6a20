"""Log records for Lambda's JSON logging (requests at DEBUG, one INFO line per tick), and EMF only when asked."""

from __future__ import annotations

import contextlib
import json
import logging

from ddb_warmer.local.seed import TableSpec
from lambda_function import main


def run_handler(aws, monkeypatch, capsys, caplog, config: dict, level=logging.DEBUG, emf=False):
    """(log records as dicts of their fields, EMF documents printed)."""
    monkeypatch.setenv("WARMER_CONFIG", json.dumps(config))
    monkeypatch.setenv("WARMER_EMF", "true" if emf else "false")
    monkeypatch.setattr(main, "SCHEMA_CACHE", aws.cache)
    main.clients.cache_clear()
    caplog.set_level(level, logger="ddb_warmer")
    with contextlib.suppress(main.WarmingFailed):
        main.lambda_handler({}, None)
    records = [{"level": r.levelname, **{k: v for k, v in vars(r).items() if k in FIELDS}} for r in caplog.records]
    documents = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    return records, documents


FIELDS = {"event", "table", "index", "dimension", "operation", "consumed", "duration_ms", "outcome", "reason"}
FIELDS |= {"requests", "counts"}


def test_each_request_is_one_debug_record_with_table_dimension_capacity_latency_and_outcome(
    aws, monkeypatch, capsys, caplog
):
    aws.table(TableSpec("orders", ("pk", "S")), scaled=False)

    records, _ = run_handler(
        aws, monkeypatch, capsys, caplog, {"tables": [{"name": "orders", "read": True, "write": True}]}
    )

    requests = [r for r in records if r.get("event") == "request"]
    assert len(requests) == 2
    for record in requests:
        assert {"table", "index", "dimension", "operation", "consumed", "duration_ms", "outcome"} <= set(record)
        assert record["table"] == "orders" and record["outcome"] == "ok" and record["level"] == "DEBUG"
    ticks = [r for r in records if r.get("event") == "tick"]
    assert len(ticks) == 1 and ticks[0]["requests"] == 2 and ticks[0]["level"] == "INFO"


def test_at_info_a_tick_logs_one_summary_line_and_one_line_per_failed_table(aws, monkeypatch, capsys, caplog):
    aws.table(TableSpec("orders", ("pk", "S")), scaled=False)
    config = {"tables": [{"name": "orders", "read": True, "write": True}, {"name": "missing", "read": True}]}

    records, documents = run_handler(aws, monkeypatch, capsys, caplog, config, level=logging.INFO)

    assert [(r["event"], r["level"]) for r in records] == [("table_failed", "ERROR"), ("tick", "INFO")]
    assert records[0]["table"] == "missing"
    assert documents == []  # and no custom metrics unless asked for


def test_with_custom_metrics_on_each_tick_emits_one_emf_document(aws, monkeypatch, capsys, caplog):
    aws.table(TableSpec("orders", ("pk", "S")), scaled=False)
    config = {"tables": [{"name": "orders", "read": True}, {"name": "missing", "read": True}]}

    _, documents = run_handler(aws, monkeypatch, capsys, caplog, config, emf=True)

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


def test_a_dry_run_emits_no_metrics_even_when_they_are_on(aws, monkeypatch, capsys, caplog):
    aws.table(TableSpec("orders", ("pk", "S")), scaled=False)

    _, documents = run_handler(
        aws, monkeypatch, capsys, caplog, {"tables": [{"name": "orders", "read": True}], "dry_run": True}, emf=True
    )

    assert documents == []
