"""What the warmer learns about a table: key schema, billing mode, indexes, TTL attribute.

Learned from DescribeTable (and DescribeTimeToLive, only for a table whose GSI
writes are warmed), never configured, and cached per container so a warm
start costs neither. The cache is dropped for a table when a request says the
key was wrong (the schema changed under us).
"""

from __future__ import annotations

import dataclasses
import threading
import time
from dataclasses import dataclass
from decimal import Decimal

# Reserved-looking sentinel key values, one per key attribute type. Chosen so
# that no real application plausibly writes them; even if one does, the write
# request is conditional and the read requests read, so the item is kept.
SENTINEL_VALUES = {
    "S": "__ddb_warmer_sentinel__",
    "N": Decimal("-9.87654321012345678987654321E+125"),
    "B": b"\x00ddb-warmer-sentinel\x00",
}
# The GSI write sentinel alternates between SENTINEL_VALUES and these.
ALTERNATE_SENTINEL_VALUES = {
    "S": "__ddb_warmer_sentinel_b__",
    "N": Decimal("-9.87654321012345678987654322E+125"),
    "B": b"\x00ddb-warmer-sentinel-b\x00",
}
CACHE_SECONDS = 900  # billing mode or indexes changed by hand are noticed within 15 minutes


@dataclass(frozen=True)
class KeyAttribute:
    name: str
    type: str  # "S", "N" or "B"


@dataclass(frozen=True)
class IndexSchema:
    """A GSI's key. Since November 2025 a GSI key may have up to four partition and four sort
    key attributes (several HASH and several RANGE elements in its KeySchema):
    https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.DesignPattern.MultiAttributeKeys.html
    """

    name: str
    partition_keys: tuple[KeyAttribute, ...]
    sort_keys: tuple[KeyAttribute, ...] = ()

    @property
    def key_attributes(self) -> tuple[KeyAttribute, ...]:
        return self.partition_keys + self.sort_keys


@dataclass(frozen=True)
class TableSchema:
    name: str
    partition_key: KeyAttribute
    sort_key: KeyAttribute | None
    on_demand: bool
    indexes: dict[str, IndexSchema]
    # The TTL attribute when TTL is enabled; only learned (ttl_known) for tables whose GSI writes are warmed.
    ttl_attribute: str | None = None
    ttl_known: bool = False

    def sentinel_key(self) -> dict:
        """The primary key of the (normally absent) sentinel item, low-level format."""
        key = {self.partition_key.name: wire_value(self.partition_key.type)}
        if self.sort_key is not None:
            key[self.sort_key.name] = wire_value(self.sort_key.type)
        return key


def wire_value(attribute_type: str) -> dict:
    """The sentinel value of a key type as a low-level AttributeValue."""
    value = SENTINEL_VALUES[attribute_type]
    return {attribute_type: str(value) if attribute_type == "N" else value}


def _key(schema: list[dict], role: str, types: dict[str, str]) -> KeyAttribute | None:
    for element in schema:
        if element["KeyType"] == role:
            return KeyAttribute(element["AttributeName"], types[element["AttributeName"]])
    return None


def _keys(schema: list[dict], role: str, types: dict[str, str]) -> tuple[KeyAttribute, ...]:
    """Every attribute of a role, in KeySchema order (the order a multi-attribute key is queried in)."""
    return tuple(KeyAttribute(e["AttributeName"], types[e["AttributeName"]]) for e in schema if e["KeyType"] == role)


def _partition_key(table: dict) -> KeyAttribute:
    types = {a["AttributeName"]: a["AttributeType"] for a in table["AttributeDefinitions"]}
    key = _key(table["KeySchema"], "HASH", types)
    if key is None:  # DynamoDB never describes a table without one
        raise ValueError(f"table {table['TableName']} has no partition key in its description")
    return key


def billed_on_demand(description: dict) -> bool:
    """Whether a DescribeTable answer is of an on-demand table (no capacity, nothing to warm); DescribeTable
    omits BillingModeSummary for a table that was always provisioned. The tooling imports it too."""
    return description.get("BillingModeSummary", {}).get("BillingMode") == "PAY_PER_REQUEST"


def schema_from_description(table: dict) -> TableSchema:
    types = {a["AttributeName"]: a["AttributeType"] for a in table["AttributeDefinitions"]}
    indexes = {
        index["IndexName"]: IndexSchema(
            name=index["IndexName"],
            partition_keys=_keys(index["KeySchema"], "HASH", types),
            sort_keys=_keys(index["KeySchema"], "RANGE", types),
        )
        for index in table.get("GlobalSecondaryIndexes", [])
    }
    return TableSchema(
        name=table["TableName"],
        partition_key=_partition_key(table),
        sort_key=_key(table["KeySchema"], "RANGE", types),
        on_demand=billed_on_demand(table),
        indexes=indexes,
    )


class SchemaCache:
    """DescribeTable results per table name, shared by the threads of a tick."""

    def __init__(self, seconds: float = CACHE_SECONDS, clock=time.monotonic):
        self._seconds = seconds
        self._clock = clock
        self._entries: dict[str, tuple[float, TableSchema]] = {}
        self._lock = threading.Lock()

    def fresh(self, table_name: str) -> TableSchema | None:
        """The cached schema if it is recent enough, without asking DynamoDB."""
        with self._lock:
            entry = self._entries.get(table_name)
        if entry and self._clock() - entry[0] < self._seconds:
            return entry[1]
        return None

    def get(self, dynamodb, table_name: str, with_ttl: bool = False) -> TableSchema:
        """The table's schema; with_ttl also learns its TTL attribute, once per cache period."""
        cached = self.fresh(table_name)
        if cached is not None and (cached.ttl_known or not with_ttl):
            return cached
        schema = cached or schema_from_description(dynamodb.describe_table(TableName=table_name)["Table"])
        if with_ttl:
            ttl = dynamodb.describe_time_to_live(TableName=table_name)["TimeToLiveDescription"]
            enabled = ttl.get("TimeToLiveStatus") == "ENABLED"
            schema = dataclasses.replace(
                schema, ttl_attribute=ttl.get("AttributeName") if enabled else None, ttl_known=True
            )
        with self._lock:
            # A TTL learned later keeps the schema's learning time: both expire together.
            learned = self._entries.get(table_name, (self._clock(),))[0] if cached is not None else self._clock()
            self._entries[table_name] = (learned, schema)
        return schema

    def forget(self, table_name: str) -> None:
        with self._lock:
            self._entries.pop(table_name, None)
