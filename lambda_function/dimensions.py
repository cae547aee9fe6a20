"""Which dimensions of a table get a request this tick.

A dimension is (table or one of its GSIs) x (read or write). Explicit
`read`/`write` settings win; what is left unset is decided automatically
when the table (or an index listed with neither setting) is in auto mode:
warmed if Application Auto Scaling has a scalable target for it. GSI writes
are never chosen automatically: warming them needs a sentinel item.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass

from .config import TableConfig
from .schema import TableSchema

# Application Auto Scaling accepts at most 50 resource ids per request.
RESOURCE_ID_BATCH = 50


def dimension_label(index: str | None, kind: str) -> str:
    """How logs, reports and errors name a dimension: "table read", "index by_user write"."""
    return f"{'table' if index is None else 'index ' + index} {kind}"


def resource_id(table: str, index: str | None = None) -> str:
    """Application Auto Scaling's id of a table or of one of its GSIs."""
    return f"table/{table}" if index is None else f"table/{table}/index/{index}"


def scalable_dimension(index: str | None, kind: str) -> str:
    capacity = "ReadCapacityUnits" if kind == "read" else "WriteCapacityUnits"
    return f"dynamodb:{'table' if index is None else 'index'}:{capacity}"


class DimensionNames:
    """A dimension's names in each AWS service, for any class with `table`, `index` and `kind`."""

    table: str
    index: str | None
    kind: str  # "read" or "write"

    @property
    def label(self) -> str:
        return dimension_label(self.index, self.kind)

    @property
    def resource_id(self) -> str:
        return resource_id(self.table, self.index)

    @property
    def scalable_dimension(self) -> str:
        return scalable_dimension(self.index, self.kind)


@dataclass(frozen=True)
class Dimension(DimensionNames):
    table: str
    index: str | None
    kind: str  # "read" or "write"


class UnknownIndex(LookupError):
    """The configuration names an index the table does not have."""


def needs_autoscaling_lookup(table: TableConfig) -> bool:
    return table.auto or any(index.auto for index in table.indexes)


def resource_ids(schema: TableSchema) -> list[str]:
    """Application Auto Scaling's ids of a table and of each of its GSIs."""
    return [resource_id(schema.name), *(resource_id(schema.name, index) for index in sorted(schema.indexes))]


def scalable_targets(autoscaling, schemas: list[TableSchema]) -> dict[tuple[str, str], dict]:
    """Every DynamoDB scalable target of these tables and their GSIs, by (resource id, scalable dimension).

    Asked by resource id, in batches of 50 (the API's limit), so an account's
    other targets are never listed; the ids of GSIs are known from DescribeTable.
    """
    ids = [resource for schema in schemas for resource in resource_ids(schema)]
    found: dict[tuple[str, str], dict] = {}
    paginator = autoscaling.get_paginator("describe_scalable_targets")
    for first in range(0, len(ids), RESOURCE_ID_BATCH):
        for page in paginator.paginate(ServiceNamespace="dynamodb", ResourceIds=ids[first : first + RESOURCE_ID_BATCH]):
            found.update({(t["ResourceId"], t["ScalableDimension"]): t for t in page["ScalableTargets"]})
    return found


def choose_dimensions(table: TableConfig, schema: TableSchema, targets: Container[tuple[str, str]]) -> list[Dimension]:
    chosen: list[Dimension] = []

    def decide(dimension: Dimension, explicit: bool | None, auto: bool) -> None:
        if explicit is True or (explicit is None and auto and _has_target(dimension, targets)):
            chosen.append(dimension)

    decide(Dimension(table.name, None, "read"), table.read, table.auto)
    decide(Dimension(table.name, None, "write"), table.write, table.auto)

    configured = {index.name: index for index in table.indexes}
    for name in configured:
        if name not in schema.indexes:
            have = ", ".join(sorted(schema.indexes)) or "none"
            raise UnknownIndex(f"index {name!r} is not a global secondary index of {table.name} (it has: {have})")
    for name in sorted(schema.indexes):
        index = configured.get(name)
        index_auto = table.auto if index is None else index.auto
        decide(Dimension(table.name, name, "read"), index.read if index else None, index_auto)
        # GSI writes need a sentinel item: only when asked for explicitly.
        decide(Dimension(table.name, name, "write"), index.write if index else None, False)
    return chosen


def _has_target(dimension: Dimension, targets: Container[tuple[str, str]]) -> bool:
    return (dimension.resource_id, dimension.scalable_dimension) in targets
