"""One tick: every configured and discovered table, every chosen dimension, one request each, in parallel.

Phases, the later ones on a bounded thread pool:
1. discovery, when patterns are configured: ListTables, names matched locally;
2. learn each table (DescribeTable, cached; its TTL too when a GSI write is warmed)
   and, for tables in auto mode, their scalable targets (batched, cached);
3. send one request per chosen dimension.
A table that fails in any phase is reported and does not stop the others. No
request starts after the deadline: what was not reached is reported as failed,
"out of time", and the tick still returns its report.
"""

from __future__ import annotations

import contextlib
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from botocore.exceptions import BotoCoreError, ClientError

from . import requests
from .config import TableConfig, WarmerConfig
from .deadline import Deadline, OutOfTime
from .dimensions import (
    Dimension,
    UnknownIndex,
    choose_dimensions,
    dimension_label,
    needs_autoscaling_lookup,
    resource_ids,
)
from .discovery import discover
from .log import log_event
from .request_path import stock_report, warm_sender
from .schema import SchemaCache, TableSchema
from .targets import TargetCache

# Error codes that mean the cached key schema may be stale.
SCHEMA_ERRORS = {"ValidationException"}
# How a failed discovery is reported: no table name can hold parentheses.
DISCOVERY = "(discovery)"
FAILURES = (ClientError, BotoCoreError, OutOfTime)


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
    if isinstance(error, OutOfTime):
        return str(error)
    return f"{type(error).__name__}: {error}"


def run_tick(
    config: WarmerConfig,
    dynamodb,
    autoscaling,
    cache: SchemaCache,
    deadline: Deadline | None = None,
    targets: TargetCache | None = None,
    pool: ThreadPoolExecutor | None = None,
    sender=None,
) -> dict:
    """One tick. `pool`, when given, is reused (a warm container keeps its threads); otherwise
    one of config.max_workers threads is made for this tick. The warm requests go through
    `sender`: by default the warm sender of `dynamodb` (request_path.py: lean while it
    works); the client itself when given (the benchmark and the tests compare the two)."""
    sender = warm_sender(dynamodb) if sender is None else sender
    started = time.perf_counter()
    deadline = deadline or Deadline.none()
    targets = targets if targets is not None else TargetCache()
    tables, results = _tables(config, dynamodb, deadline)
    with contextlib.ExitStack() as stack:
        if pool is None:  # a pool of this tick's own, shut down when the tick ends
            pool = stack.enter_context(ThreadPoolExecutor(max_workers=config.max_workers, thread_name_prefix="warm"))
        schemas = _learn_tables(tables, dynamodb, pool, cache, results, deadline)
        found = _autoscaling_targets(tables, autoscaling, schemas, results, targets, pool, deadline)
        work = _plan_requests(tables, schemas, found, results)
        if config.dry_run:
            for table, _schema, dimension in work:
                outcome = {"operation": planned_operation(dimension), "consumed": 0.0, "outcome": "planned (dry run)"}
                _record(results[table.name], dimension, outcome)
        else:
            futures = [
                (table, dimension, pool.submit(_send, sender, cache, schema, dimension, deadline))
                for table, schema, dimension in work
            ]
            for table, dimension, future in futures:
                _record(results[table.name], dimension, future.result())
    for result in results.values():
        _settle(result, config.dry_run)
    path = getattr(sender, "report", None) or stock_report()
    summary = _summary(config, results, time.perf_counter() - started, len(tables) - len(config.tables))
    return {**summary, "request_path": path.as_dict()}


def _tables(config: WarmerConfig, dynamodb, deadline: Deadline) -> tuple[list[TableConfig], dict[str, TableResult]]:
    """The explicit tables, then the discovered ones; a failed discovery is one failed line of its own."""
    tables = list(config.tables)
    results = {table.name: TableResult(table.name) for table in tables}
    if config.patterns:
        try:
            discovered = discover(dynamodb, config, deadline)
        except FAILURES as error:
            results[DISCOVERY] = TableResult(DISCOVERY)
            _fail(
                results[DISCOVERY],
                f"ListTables failed, tables matching {list(config.patterns)} not warmed: {error_text(error)}",
            )
        else:
            tables += discovered
            results.update({table.name: TableResult(table.name) for table in discovered})
    return tables, results


def _needs_ttl(table: TableConfig) -> bool:
    return any(index.write for index in table.indexes)


def _learn(cache: SchemaCache, dynamodb, table: TableConfig, deadline: Deadline) -> TableSchema:
    deadline.check("DescribeTable")
    return cache.get(dynamodb, table.name, with_ttl=_needs_ttl(table))


def _learn_tables(tables, dynamodb, pool, cache, results, deadline) -> dict[str, TableSchema]:
    schemas = {t.name: cache.fresh(t.name) for t in tables}
    # Only what is not learned yet costs a request (and a thread): on a warm start, nothing.
    futures = {
        t.name: pool.submit(_learn, cache, dynamodb, t, deadline)
        for t in tables
        if schemas[t.name] is None or (_needs_ttl(t) and not schemas[t.name].ttl_known)
    }
    schemas = {name: schema for name, schema in schemas.items() if schema is not None and name not in futures}
    for name, future in futures.items():
        try:
            schemas[name] = future.result()
        except FAILURES as error:
            _fail(results[name], f"DescribeTable failed: {error_text(error)}")
    return schemas


def _autoscaling_targets(tables, autoscaling, schemas, results, targets, pool, deadline) -> set[tuple[str, str]]:
    auto = [schemas[t.name] for t in tables if needs_autoscaling_lookup(t) and t.name in schemas]
    if not auto:
        return set()
    found, errors = targets.lookup(autoscaling, [r for schema in auto for r in resource_ids(schema)], pool, deadline)
    for schema in auto:
        error = next((errors[r] for r in resource_ids(schema) if r in errors), None)
        if error is not None:
            _fail(results[schema.name], f"DescribeScalableTargets failed (needed for auto mode): {error_text(error)}")
    return found


def _plan_requests(tables, schemas, targets, results) -> list[tuple[TableConfig, TableSchema, Dimension]]:
    work = []
    for table in tables:
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


def _send(dynamodb, cache: SchemaCache, schema: TableSchema, dimension: Dimension, deadline: Deadline) -> dict:
    started = time.perf_counter()
    try:
        deadline.check(planned_operation(dimension))
        if dimension.index is None:
            send = requests.table_write if dimension.kind == "write" else requests.table_read
            outcome = send(dynamodb, schema, dimension)
        elif dimension.kind == "read":
            outcome = requests.index_read(dynamodb, schema, dimension)
        else:
            outcome = requests.index_write(dynamodb, schema, dimension)
    except (*FAILURES, ValueError) as error:
        if isinstance(error, ClientError) and error.response["Error"]["Code"] in SCHEMA_ERRORS:
            cache.forget(schema.name)  # the next tick learns the table again
        outcome = {
            "operation": planned_operation(dimension),
            "consumed": None if isinstance(error, OutOfTime) else 0.0,
            "outcome": "not sent" if isinstance(error, OutOfTime) else "error",
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
    errors = [d for d in result.dimensions if d["outcome"] in ("error", "not sent")]
    if errors:
        _fail(result, "; ".join(f"{dimension_label(d['index'], d['dimension'])}: {d['error']}" for d in errors))
    else:
        result.status = "planned" if dry_run else "warmed"


def _summary(config: WarmerConfig, results: dict[str, TableResult], seconds: float, discovered: int) -> dict:
    tables = [result.as_dict() for result in results.values()]
    requests_sent = [
        d for t in tables for d in t["dimensions"] if d["outcome"] not in ("planned (dry run)", "not sent")
    ]
    return {
        "dry_run": config.dry_run,
        "duration_ms": round(seconds * 1000, 1),
        "tables": tables,
        "discovered": discovered,
        "counts": {
            status: sum(1 for t in tables if t["status"] == status)
            for status in ("warmed", "skipped", "failed", "planned")
        },
        "requests": len(requests_sent),
        "dimensions_warmed": sum(1 for d in requests_sent if d["outcome"] != "error"),
        # Capacity DynamoDB reported; a request it reported none for (a failed
        # condition) counts in capacity_not_reported instead of a guess.
        "consumed": {
            kind: round(sum(d["consumed"] or 0.0 for d in requests_sent if d["dimension"] == kind), 2)
            for kind in ("read", "write")
        },
        "capacity_not_reported": sum(1 for d in requests_sent if d["consumed"] is None),
    }
