"""What the warmer learns about a table: key schema, billing mode, indexes.

Learned from DescribeTable, never configured, and cached per container so a
warm start costs no DescribeTable. The cache is dropped for a table when a
request says the key was wrong (the schema changed under us).
"""

from __future__ import annotations

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
    name: str
    partition_key: KeyAttribute
    sort_key: KeyAttribute | None


@dataclass(frozen=True)
class TableSchema:
    name: str
    partition_key: KeyAttribute
    sort_key: KeyAttribute | None
    on_demand: bool
    indexes: dict[str, IndexSchema]

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


def schema_from_description(table: dict) -> TableSchema:
    types = {a["AttributeName"]: a["AttributeType"] for a in table["AttributeDefinitions"]}
    indexes = {
        index["IndexName"]: IndexSchema(
            name=index["IndexName"],
            partition_key=_key(index["KeySchema"], "HASH", types),
            sort_key=_key(index["KeySchema"], "RANGE", types),
        )
        for index in table.get("GlobalSecondaryIndexes", [])
    }
    billing = table.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED")
    return TableSchema(
        name=table["TableName"],
        partition_key=_key(table["KeySchema"], "HASH", types),
        sort_key=_key(table["KeySchema"], "RANGE", types),
        on_demand=billing == "PAY_PER_REQUEST",
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

    def get(self, dynamodb, table_name: str) -> TableSchema:
        cached = self.fresh(table_name)
        if cached is not None:
            return cached
        schema = schema_from_description(dynamodb.describe_table(TableName=table_name)["Table"])
        with self._lock:
            self._entries[table_name] = (self._clock(), schema)
        return schema

    def forget(self, table_name: str) -> None:
        with self._lock:
            self._entries.pop(table_name, None)
