"""One tick: every configured table, every chosen dimension, one request each, in parallel.

Two phases, each on a bounded thread pool:
1. learn each table (DescribeTable, cached) and, when a table is in auto mode,
   the account's DynamoDB scalable targets (one listing per tick);
2. send one request per chosen dimension.
A table that fails in either phase is reported and does not stop the others.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from botocore.exceptions import BotoCoreError, ClientError

from . import requests
from .config import TableConfig, WarmerConfig
from .dimensions import (
    Dimension,
    UnknownIndex,
    choose_dimensions,
    dimension_label,
    needs_autoscaling_lookup,
    scalable_targets,
)
from .log import log_event
from .schema import SchemaCache, TableSchema

# Error codes that mean the cached key schema may be stale.
SCHEMA_ERRORS = {"ValidationException"}


@dataclass
class TableResult:
    table: str
    status: str = "pending"  # warmed | skipped | failed | planned (dry run)
    reason: str | None = None
    dimensions: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "table": self.table,
            "status": self.status,
            "reason": self.reason,
            "dimensions": self.dimensions,
        }


def error_text(error: Exception) -> str:
    """'<AWS error code>: <message>' for AWS errors, the exception's words otherwise."""
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        return f"{details.get('Code', 'Unknown')}: {details.get('Message', '')}".rstrip(": ")
    return f"{type(error).__name__}: {error}"


def run_tick(config: WarmerConfig, dynamodb, autoscaling, cache: SchemaCache) -> dict:
    started = time.perf_counter()
    results = {table.name: TableResult(table.name) for table in config.tables}
    with ThreadPoolExecutor(max_workers=config.max_workers, thread_name_prefix="warm") as pool:
        schemas = _learn_tables(config, dynamodb, pool, cache, results)
        targets = _autoscaling_targets(config, autoscaling, schemas, results)
        work = _plan_requests(config, schemas, targets, results)
        if config.dry_run:
            for table, _schema, dimension in work:
                _record(
                    results[table.name],
                    dimension,
                    {
                        "operation": planned_operation(dimension),
                        "consumed": 0.0,
                        "outcome": "planned (dry run)",
                    },
                )
        else:
            futures = [
                (table, dimension, pool.submit(_send, dynamodb, cache, schema, dimension))
                for table, schema, dimension in work
            ]
            for table, dimension, future in futures:
                _record(results[table.name], dimension, future.result())
    for result in results.values():
        _settle(result, config.dry_run)
    return _summary(config, results, time.perf_counter() - started)


def _learn_tables(config, dynamodb, pool, cache, results) -> dict[str, TableSchema]:
    schemas = {t.name: cache.fresh(t.name) for t in config.tables}
    # Only tables not learned yet cost a request (and a thread): on a warm start, none.
    futures = {name: pool.submit(cache.get, dynamodb, name) for name, schema in schemas.items() if schema is None}
    schemas = {name: schema for name, schema in schemas.items() if schema is not None}
    for name, future in futures.items():
        try:
            schemas[name] = future.result()
        except (ClientError, BotoCoreError) as error:
            _fail(results[name], f"DescribeTable failed: {error_text(error)}")
    return schemas


def _autoscaling_targets(config, autoscaling, schemas, results) -> dict[tuple[str, str], dict]:
    auto_tables = [t.name for t in config.tables if needs_autoscaling_lookup(t) and t.name in schemas]
    if not auto_tables:
        return {}
    try:
        return scalable_targets(autoscaling, [schemas[name] for name in auto_tables])
    except (ClientError, BotoCoreError) as error:
        for name in auto_tables:
            _fail(results[name], f"DescribeScalableTargets failed (needed for auto mode): {error_text(error)}")
        return {}


def _plan_requests(config, schemas, targets, results) -> list[tuple[TableConfig, TableSchema, Dimension]]:
    work = []
    for table in config.tables:
        schema = schemas.get(table.name)
        if schema is None or results[table.name].status == "failed":
            continue
        if schema.on_demand:
            _skip(results[table.name], "on-demand (PAY_PER_REQUEST): no auto scaling to unblock")
            continue
        try:
            dimensions = choose_dimensions(table, schema, targets)
        except UnknownIndex as error:
            _fail(results[table.name], str(error))
            continue
        if not dimensions:
            _skip(results[table.name], "no dimension has an auto scaling target, and none is set explicitly")
        work += [(table, schema, dimension) for dimension in dimensions]
    return work


def planned_operation(dimension: Dimension) -> str:
    if dimension.index is None:
        return "DeleteItem" if dimension.kind == "write" else "GetItem"
    return "UpdateItem" if dimension.kind == "write" else "Query"


def _send(dynamodb, cache: SchemaCache, schema: TableSchema, dimension: Dimension) -> dict:
    started = time.perf_counter()
    try:
        if dimension.index is None:
            send = requests.table_write if dimension.kind == "write" else requests.table_read
            outcome = send(dynamodb, schema, dimension)
        elif dimension.kind == "read":
            outcome = requests.index_read(dynamodb, schema, dimension)
        else:
            ttl = dynamodb.describe_time_to_live(TableName=schema.name)["TimeToLiveDescription"]
            attribute = ttl.get("AttributeName") if ttl.get("TimeToLiveStatus") == "ENABLED" else None
            outcome = requests.index_write(dynamodb, schema, dimension, attribute)
    except (ClientError, BotoCoreError, ValueError) as error:
        if isinstance(error, ClientError) and error.response["Error"]["Code"] in SCHEMA_ERRORS:
            cache.forget(schema.name)  # the next tick learns the table again
        outcome = {
            "operation": planned_operation(dimension),
            "consumed": 0.0,
            "outcome": "error",
            "error": error_text(error),
        }
    outcome["duration_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return outcome


def _record(result: TableResult, dimension: Dimension, outcome: dict) -> None:
    entry = {"index": dimension.index, "dimension": dimension.kind, **outcome}
    result.dimensions.append(entry)
    log_event("request", table=result.table, **entry)


def _fail(result: TableResult, reason: str) -> None:
    result.status, result.reason = "failed", reason
    log_event("table_failed", table=result.table, reason=reason)


def _skip(result: TableResult, reason: str) -> None:
    result.status, result.reason = "skipped", reason
    log_event("table_skipped", table=result.table, reason=reason)


def _settle(result: TableResult, dry_run: bool) -> None:
    if result.status != "pending":
        return
    errors = [d for d in result.dimensions if d["outcome"] == "error"]
    if errors:
        _fail(result, "; ".join(f"{dimension_label(d['index'], d['dimension'])}: {d['error']}" for d in errors))
    else:
        result.status = "planned" if dry_run else "warmed"


def _summary(config: WarmerConfig, results: dict[str, TableResult], seconds: float) -> dict:
    tables = [result.as_dict() for result in results.values()]
    requests_sent = [d for t in tables for d in t["dimensions"] if d["outcome"] != "planned (dry run)"]
    return {
        "dry_run": config.dry_run,
        "duration_ms": round(seconds * 1000, 1),
        "tables": tables,
        "counts": {
            status: sum(1 for t in tables if t["status"] == status)
            for status in ("warmed", "skipped", "failed", "planned")
        },
        "requests": len(requests_sent),
        "dimensions_warmed": sum(1 for d in requests_sent if d["outcome"] != "error"),
        "consumed": {
            kind: round(sum(d["consumed"] for d in requests_sent if d["dimension"] == kind), 2)
            for kind in ("read", "write")
        },
    }
