"""`ddb-warmer cleanup-sentinels`: find the sentinel items the warmer may have left, and remove only its own.

Only the opt-in GSI write ever creates an item: one per table, on the table's
sentinel key, carrying the marker attribute `ddb_warmer_sentinel = true`
(lambda_function/requests.py). Cleanup reads that one key per table and lists
what it finds; an item there without the marker is a real item and is only
reported, never touched. The delete repeats the marker check as its condition,
so an item replaced by a real one in between is kept too.
"""

from __future__ import annotations

from dataclasses import dataclass

from lambda_function.requests import SENTINEL_MARKER
from lambda_function.schema import schema_from_description


@dataclass(frozen=True)
class Found:
    table: str
    key: dict  # the item's primary key, low-level format
    ours: bool  # carries the marker: the warmer wrote it

    def describe(self) -> str:
        key = ", ".join(f"{name}={next(iter(value.values()))!r}" for name, value in self.key.items())
        what = "sentinel item (ours)" if self.ours else "a real item on the sentinel key: kept, not ours"
        return f"{self.table}: {what} [{key}]"


def find_sentinels(dynamodb, tables: list[str]) -> list[Found]:
    """The item on each table's sentinel key, where there is one."""
    found = []
    for table in tables:
        description = dynamodb.describe_table(TableName=table)["Table"]
        schema = schema_from_description(description)
        key = schema.sentinel_key()
        item = dynamodb.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")
        if item is not None:
            found.append(Found(table, key, item.get(SENTINEL_MARKER) == {"BOOL": True}))
    return found


def remove_sentinels(dynamodb, found: list[Found]) -> list[Found]:
    """Delete the items that are ours, each only while it still carries the marker; returns those deleted."""
    removed = []
    for item in found:
        if not item.ours:
            continue
        try:
            dynamodb.delete_item(
                TableName=item.table,
                Key=item.key,
                ConditionExpression="#marker = :true",
                ExpressionAttributeNames={"#marker": SENTINEL_MARKER},
                ExpressionAttributeValues={":true": {"BOOL": True}},
            )
        except dynamodb.exceptions.ConditionalCheckFailedException:
            continue  # replaced by a real item since it was read: kept
        removed.append(item)
    return removed
