"""Structured output: log records for Lambda's JSON logging, metrics as Embedded Metric Format (opt-in).

Log lines cost money every minute, so the level decides what is written:
INFO (the module's default) gives one summary line per tick and one line per
failed table; each request and each skipped table is a DEBUG line. The Lambda
runtime formats the records as JSON (LoggingConfig LogFormat JSON, with the
fields below at the top level) and drops those under the application log level
(AWS_LAMBDA_LOG_LEVEL) before they reach CloudWatch Logs:
https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-log-level.html

The EMF document is printed as it is (CloudWatch Logs turns the line into
metrics), and only when WARMER_EMF is "true": custom metrics are billed per
metric a month, and the module's alarms need none of them.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time

METRIC_NAMESPACE = "DdbWarmer"
LOGGER = logging.getLogger("ddb_warmer")
# botocore logs at INFO where it found credentials and endpoints, on every cold
# start: lines nobody reads, paid for at the default level.
logging.getLogger("botocore").setLevel(logging.WARNING)
LEVELS = {
    "request": logging.DEBUG,
    "table_skipped": logging.DEBUG,  # the tick line counts them
    "table_failed": logging.ERROR,
    # Once per container at most: the warm requests left the lean path (request_path.py).
    "request_path_fallback": logging.WARNING,
    "tick": logging.INFO,
}


def log_event(event: str, **fields) -> None:
    level = LEVELS.get(event, logging.INFO)
    # Checked first: at INFO a request line costs nothing, not even its formatting.
    if LOGGER.isEnabledFor(level):
        LOGGER.log(level, event, extra={"event": event, **fields})


def flush_log() -> None:
    sys.stdout.flush()


def metrics_enabled() -> bool:
    return os.environ.get("WARMER_EMF", "false").lower() == "true"


def emit_tick_metrics(summary: dict, function_name: str | None = None) -> dict | None:
    """One EMF document per tick when WARMER_EMF is on; also returned so tests can read it."""
    if not metrics_enabled():
        return None
    name = function_name or os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "local")
    counts = summary["counts"]
    metrics = {
        "TablesWarmed": (counts["warmed"], "Count"),
        "TablesSkipped": (counts["skipped"], "Count"),
        "TablesFailed": (counts["failed"], "Count"),
        "DimensionsWarmed": (summary["dimensions_warmed"], "Count"),
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
