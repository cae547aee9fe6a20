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
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config

from .config import WarmerConfig, config_location, parse_config, read_parameter_config
from .deadline import Deadline
from .log import emit_tick_metrics, flush_log, log_event
from .schema import SchemaCache
from .targets import TargetCache
from .tick import run_tick

# Small timeouts and few attempts: one slow table must not eat the tick, and
# the next tick comes within a minute anyway. Worst case of one call:
# 3 attempts x (1 s connect + 3 s read) + backoff of the standard retry mode
# (up to 1 s, then 2 s) = 15 s.
CONNECT_TIMEOUT_SECONDS = 1
READ_TIMEOUT_SECONDS = 3
TOTAL_ATTEMPTS = 3
CALL_WORST_CASE_SECONDS = TOTAL_ATTEMPTS * (CONNECT_TIMEOUT_SECONDS + READ_TIMEOUT_SECONDS) + (1 + 2)
# No request starts later than this before the function's timeout: one started
# just before it still ends (worst case) with 1 s left to log the report and
# raise. So a tick never runs into the timeout, however many calls it chains
# (ListTables pages, DescribeTable, DescribeScalableTargets, warm requests).
TIME_MARGIN_SECONDS = CALL_WORST_CASE_SECONDS + 1


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
TARGET_CACHE = TargetCache()  # and, for a few minutes, DescribeScalableTargets


class WarmingFailed(RuntimeError):
    """At least one table failed; the message has one line per failed table."""


@functools.lru_cache(maxsize=4)
def clients(max_workers: int):
    # Created on first use, not at import: the endpoint and credentials are
    # read from the environment at creation, which tests and local runs set
    # after importing this module. Warm starts reuse them all the same.
    config = boto_config(max_workers)
    return boto3.client("dynamodb", config=config), boto3.client("application-autoscaling", config=config)


@functools.lru_cache(maxsize=4)
def thread_pool(max_workers: int) -> ThreadPoolExecutor:
    # Kept for the container's life: a warm tick does not start its threads again.
    return ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="warm")


@functools.lru_cache(maxsize=2)
def parameter_config(location: tuple[str, int, str]) -> WarmerConfig:
    # Read once per container: the location holds the JSON's hash, and a new
    # configuration is a new function configuration, so new containers.
    ssm = boto3.client("ssm", config=boto_config(1))
    return parse_config(read_parameter_config(location, ssm.get_parameters))


def load_config() -> WarmerConfig:
    location = config_location(os.environ)
    return parse_config(os.environ.get("WARMER_CONFIG")) if location is None else parameter_config(location)


def lambda_handler(event, context):
    config = load_config()
    dynamodb, autoscaling = clients(config.max_workers)
    deadline = Deadline.from_context(context, TIME_MARGIN_SECONDS)
    tick = run_tick(
        config,
        dynamodb=dynamodb,
        autoscaling=autoscaling,
        cache=SCHEMA_CACHE,
        deadline=deadline,
        targets=TARGET_CACHE,
        pool=thread_pool(config.max_workers),
    )
    summary = tick.as_dict()
    log_event("tick", **{k: v for k, v in summary.items() if k != "tables"})
    emit_tick_metrics(summary, getattr(context, "function_name", None))
    flush_log()
    if tick.failed:
        raise WarmingFailed(
            f"{len(tick.failed)} of {len(tick.tables)} tables failed:\n"
            + "\n".join(f"{t.table}: {t.reason}" for t in tick.failed)
        )
    return summary
