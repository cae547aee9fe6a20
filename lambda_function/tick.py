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
from enum import StrEnum

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
from .request_path import PathReport, stock_report, warm_sender
from .schema import SchemaCache, TableSchema
from .targets import TargetCache

# Error codes that mean the cached key schema may be stale.
SCHEMA_ERRORS = {"ValidationException"}
# How a failed discovery is reported: no table name can hold parentheses.
DISCOVERY = "(discovery)"
FAILURES = (ClientError, BotoCoreError, OutOfTime)


class Status(StrEnum):
    """What a table came to in a tick (the summary's JSON says the value)."""

    PENDING = "pending"
    WARMED = "warmed"
    SKIPPED = "skipped"
    FAILED = "failed"
    PLANNED = "planned"  # a dry run


# A request's outcome that sent nothing: planned in a dry run, or not started for lack of time.
NOT_SENT_OUTCOMES = ("planned (dry run)", "not sent")


@dataclass
class RequestOutcome:
    """One dimension's request in a tick: what was sent, what DynamoDB said it consumed, how it ended."""

    index: str | None  # None: the table itself
    dimension: str  # read | write
    operation: str  # GetItem | DeleteItem | Query | UpdateItem
    consumed: float | None  # capacity units reported; None when DynamoDB reports none (a failed condition)
    outcome: str  # "ok…", "error", "not sent", "planned (dry run)"
    error: str | None = None
    duration_ms: float | None = None  # None: nothing was timed (a dry run)

    @property
    def sent(self) -> bool:
        return self.outcome not in NOT_SENT_OUTCOMES

    @property
    def failed(self) -> bool:
        return self.outcome in ("error", "not sent")

    def as_dict(self) -> dict:
        entry = {
            "index": self.index,
            "dimension": self.dimension,
            "operation": self.operation,
            "consumed": self.consumed,
            "outcome": self.outcome,
        }
        if self.error is not None:
            entry["error"] = self.error
        if self.duration_ms is not None:
            entry["duration_ms"] = self.duration_ms
        return entry


@dataclass
class TableResult:
    table: str
    status: Status = Status.PENDING
    reason: str | None = None
    dimensions: list[RequestOutcome] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "table": self.table,
            "status": self.status.value,
            "reason": self.reason,
            "dimensions": [d.as_dict() for d in self.dimensions],
        }


@dataclass
class TickSummary:
    """A tick's report: `as_dict()` is the handler's JSON-serialisable return value and log line."""

    dry_run: bool
    duration_ms: float
    tables: list[TableResult]
    discovered: int
    request_path: PathReport

    @property
    def requests_sent(self) -> list[RequestOutcome]:
        return [d for t in self.tables for d in t.dimensions if d.sent]

    @property
    def failed(self) -> list[TableResult]:
        return [t for t in self.tables if t.status is Status.FAILED]

    def as_dict(self) -> dict:
        sent = self.requests_sent
        return {
            "dry_run": self.dry_run,
            "duration_ms": self.duration_ms,
            "tables": [t.as_dict() for t in self.tables],
            "discovered": self.discovered,
            "counts": {
                status.value: sum(1 for t in self.tables if t.status is status)
                for status in (Status.WARMED, Status.SKIPPED, Status.FAILED, Status.PLANNED)
            },
            "requests": len(sent),
            "dimensions_warmed": sum(1 for d in sent if d.outcome != "error"),
            # Capacity DynamoDB reported; a request it reported none for (a failed
            # condition) counts in capacity_not_reported instead of a guess.
            "consumed": {
                kind: round(sum(d.consumed or 0.0 for d in sent if d.dimension == kind), 2)
                for kind in ("read", "write")
            },
            "capacity_not_reported": sum(1 for d in sent if d.consumed is None),
            "request_path": self.request_path.as_dict(),
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
    *,
    dynamodb,
    autoscaling,
    cache: SchemaCache,
    deadline: Deadline | None = None,
    targets: TargetCache | None = None,
    pool: ThreadPoolExecutor | None = None,
    sender=None,
) -> TickSummary:
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
                planned = _outcome(dimension, consumed=0.0, outcome="planned (dry run)")
                _record(results[table.name], planned)
        else:
            futures = [
                (table, pool.submit(_send, sender, cache, schema, dimension, deadline))
                for table, schema, dimension in work
            ]
            for table, future in futures:
                _record(results[table.name], future.result())
    for result in results.values():
        _settle(result, config.dry_run)
    return TickSummary(
        dry_run=config.dry_run,
        duration_ms=round((time.perf_counter() - started) * 1000, 1),
        tables=list(results.values()),
        discovered=len(tables) - len(config.tables),
        request_path=getattr(sender, "report", None) or stock_report(),
    )


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
        if schema is None or results[table.name].status is Status.FAILED:
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


def _outcome(dimension: Dimension, **fields) -> RequestOutcome:
    return RequestOutcome(
        index=dimension.index, dimension=dimension.kind, operation=planned_operation(dimension), **fields
    )


def _send(
    dynamodb, cache: SchemaCache, schema: TableSchema, dimension: Dimension, deadline: Deadline
) -> RequestOutcome:
    started = time.perf_counter()
    try:
        deadline.check(planned_operation(dimension))
        if dimension.index is None:
            send = requests.table_write if dimension.kind == "write" else requests.table_read
            answer = send(dynamodb, schema, dimension)
        elif dimension.kind == "read":
            answer = requests.index_read(dynamodb, schema, dimension)
        else:
            answer = requests.index_write(dynamodb, schema, dimension)
        outcome = _outcome(dimension, consumed=answer["consumed"], outcome=answer["outcome"])
    except (*FAILURES, ValueError) as error:
        if isinstance(error, ClientError) and error.response["Error"]["Code"] in SCHEMA_ERRORS:
            cache.forget(schema.name)  # the next tick learns the table again
        out_of_time = isinstance(error, OutOfTime)
        outcome = _outcome(
            dimension,
            consumed=None if out_of_time else 0.0,
            outcome="not sent" if out_of_time else "error",
            error=error_text(error),
        )
    outcome.duration_ms = round((time.perf_counter() - started) * 1000, 1)
    return outcome


def _record(result: TableResult, outcome: RequestOutcome) -> None:
    result.dimensions.append(outcome)
    log_event("request", table=result.table, **outcome.as_dict())


def _fail(result: TableResult, reason: str) -> None:
    result.status, result.reason = Status.FAILED, reason
    log_event("table_failed", table=result.table, reason=reason)


def _skip(result: TableResult, reason: str) -> None:
    result.status, result.reason = Status.SKIPPED, reason
    log_event("table_skipped", table=result.table, reason=reason)


def _settle(result: TableResult, dry_run: bool) -> None:
    if result.status is not Status.PENDING:
        return
    errors = [d for d in result.dimensions if d.failed]
    if errors:
        _fail(result, "; ".join(f"{dimension_label(d.index, d.dimension)}: {d.error}" for d in errors))
    else:
        result.status = Status.PLANNED if dry_run else Status.WARMED
