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
    """A dimension's names in each AWS service, for any class with `table`, `index` and `kind`: the
    function's Dimension below, and the tooling's view of one (ddb_warmer/ops/inventory.py)."""

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


def warmed_in_auto_mode(index: str | None, kind: str, has_target: bool) -> bool:
    """Auto mode's rule: a dimension with an auto scaling target is warmed, except a GSI's writes, which need
    a sentinel item and so are warmed only when asked for (docs/design.md). The tooling imports it too."""
    return has_target and not (index is not None and kind == "write")


class UnknownIndex(LookupError):
    """The configuration names an index the table does not have."""


def needs_autoscaling_lookup(table: TableConfig) -> bool:
    return table.auto or any(index.auto for index in table.indexes)


def resource_ids(schema: TableSchema) -> list[str]:
    """Application Auto Scaling's ids of a table and of each of its GSIs."""
    return [resource_id(schema.name), *(resource_id(schema.name, index) for index in sorted(schema.indexes))]


def choose_dimensions(table: TableConfig, schema: TableSchema, targets: Container[tuple[str, str]]) -> list[Dimension]:
    chosen: list[Dimension] = []

    def decide(dimension: Dimension, explicit: bool | None, auto: bool) -> None:
        has_target = (dimension.resource_id, dimension.scalable_dimension) in targets
        if explicit is True or (
            explicit is None and auto and warmed_in_auto_mode(dimension.index, dimension.kind, has_target)
        ):
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
        decide(Dimension(table.name, name, "write"), index.write if index else None, index_auto)
    return chosen
