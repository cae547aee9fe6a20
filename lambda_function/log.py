"""Structured output: one JSON log line per event, metrics as Embedded Metric Format.

Plain stdout lines: CloudWatch Logs stores them as they are and turns the EMF
line into metrics without an extra API call or a dependency in the package.
"""

from __future__ import annotations

import json
import os
import sys
import time

METRIC_NAMESPACE = "DdbWarmer"


def log_event(event: str, **fields) -> None:
    line = {"level": "ERROR" if event == "table_failed" else "INFO", "event": event, **fields}
    # Not flushed line by line: one write per request would cost a tick of
    # hundreds of requests real CPU. The tick summary flushes (flush_log).
    print(json.dumps(line, default=str), file=sys.stdout)


def flush_log() -> None:
    sys.stdout.flush()


def emit_tick_metrics(summary: dict, function_name: str | None = None) -> dict:
    """One EMF document per tick; also returned so tests can read it."""
    name = function_name or os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "local")
    counts = summary["counts"]
    metrics = {
        "TablesWarmed": (counts["warmed"], "Count"),
        "TablesSkipped": (counts["skipped"], "Count"),
        "TablesFailed": (counts["failed"], "Count"),
        "DimensionsWarmed": (summary["dimensions_warmed"], "Count"),
        # 1 for a tick in which every table succeeded: the "no successful tick
        # in N minutes" alarm watches this metric's Sum.
        "SuccessfulTick": (1 if counts["failed"] == 0 else 0, "Count"),
        "TickDuration": (summary["duration_ms"], "Milliseconds"),
    }
    document = {
        "_aws": {
            "Timestamp": int(time.time() * 1000),
            "CloudWatchMetrics": [
                {
                    "Namespace": METRIC_NAMESPACE,
                    "Dimensions": [["FunctionName"]],
                    "Metrics": [{"Name": key, "Unit": unit} for key, (_, unit) in metrics.items()],
                }
            ],
        },
        "FunctionName": name,
        **{key: value for key, (value, _) in metrics.items()},
    }
    if not summary["dry_run"]:
        print(json.dumps(document), file=sys.stdout, flush=True)
    return document
