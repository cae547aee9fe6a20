"""Lambda entry point: `lambda_function.main.lambda_handler`.

A thin shell: read WARMER_CONFIG, run one tick with this container's clients
and schema cache, log a summary (one INFO record; the runtime's JSON logging
drops the DEBUG request records unless the log level asks for them), emit the
EMF metrics only when WARMER_EMF is on, raise if any table failed (so the Lambda
Errors metric, retries and alarms see it). The work is in `tick.run_tick`,
which tests call with their own clients.
"""

from __future__ import annotations

import functools
import os

import boto3
from botocore.config import Config

from .config import parse_config
from .log import emit_tick_metrics, flush_log, log_event
from .schema import SchemaCache
from .tick import run_tick

# Small timeouts and few attempts: one slow table must not eat the tick, and
# the next tick comes within a minute anyway. Worst case of one call:
# 3 attempts x (1 s connect + 3 s read) + backoff (up to 1 s + 2 s) = 15 s; a
# tick makes at most three such calls one after another (DescribeTable,
# DescribeScalableTargets, the warm request): 45 s, inside the 60 s timeout.
CONNECT_TIMEOUT_SECONDS = 1
READ_TIMEOUT_SECONDS = 3
TOTAL_ATTEMPTS = 3


def boto_config(max_workers: int) -> Config:
    return Config(
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=READ_TIMEOUT_SECONDS,
        retries={"mode": "standard", "total_max_attempts": TOTAL_ATTEMPTS},
        max_pool_connections=max_workers,
        # The handler builds every request itself from the typed config; skipping
        # botocore's re-validation of each one saves CPU, which a 128 MB Lambda has little of.
        parameter_validation=False,
    )


SCHEMA_CACHE = SchemaCache()  # lives as long as the container: warm starts skip DescribeTable


class WarmingFailed(RuntimeError):
    """At least one table failed; the message has one line per failed table."""


@functools.lru_cache(maxsize=4)
def clients(max_workers: int):
    # Created on first use, not at import: the endpoint and credentials are
    # read from the environment at creation, which tests and local runs set
    # after importing this module. Warm starts reuse them all the same.
    config = boto_config(max_workers)
    return boto3.client("dynamodb", config=config), boto3.client("application-autoscaling", config=config)


def lambda_handler(event, context):
    config = parse_config(os.environ.get("WARMER_CONFIG"))
    dynamodb, autoscaling = clients(config.max_workers)
    summary = run_tick(config, dynamodb, autoscaling, SCHEMA_CACHE)
    log_event("tick", **{k: v for k, v in summary.items() if k != "tables"})
    emit_tick_metrics(summary, getattr(context, "function_name", None))
    flush_log()
    failed = [t for t in summary["tables"] if t["status"] == "failed"]
    if failed:
        raise WarmingFailed(
            f"{len(failed)} of {len(summary['tables'])} tables failed:\n"
            + "\n".join(f"{t['table']}: {t['reason']}" for t in failed)
        )
    return summary
