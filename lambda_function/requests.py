"""The one request per dimension: the cheapest that emits a datapoint and changes nothing.

| dimension   | request                                                    | data touched |
|-------------|------------------------------------------------------------|--------------|
| table write | DeleteItem of the sentinel key if attribute_not_exists(pk) | none         |
| table read  | GetItem of the sentinel key, eventually consistent         | none         |
| index read  | Query of the index for the sentinel value, Limit 1         | none         |
| index write | UpdateItem of the opt-in sentinel item (see below)         | that item    |

Each function returns what the summary reports: operation, consumed
capacity, outcome. AWS errors propagate as botocore ClientError.
"""

from __future__ import annotations

import time

from botocore.exceptions import ClientError

from .dimensions import Dimension
from .schema import ALTERNATE_SENTINEL_VALUES, IndexSchema, TableSchema, wire_value

SENTINEL_MARKER = "ddb_warmer_sentinel"  # marks the opt-in GSI sentinel item as ours
SENTINEL_TTL_SECONDS = 86_400


def _consumed(response: dict) -> float | None:
    """What DynamoDB says the request consumed (ReturnConsumedCapacity), None when it says nothing."""
    units = response.get("ConsumedCapacity", {}).get("CapacityUnits")
    return None if units is None else float(units)


def table_write(dynamodb, schema: TableSchema, dimension: Dimension) -> dict:
    # The condition fails whenever an item has this key, so a real item is
    # never deleted; DynamoDB still consumes (and reports) 1 WCU either way.
    try:
        response = dynamodb.delete_item(
            TableName=schema.name,
            Key=schema.sentinel_key(),
            ConditionExpression="attribute_not_exists(#pk)",
            ExpressionAttributeNames={"#pk": schema.partition_key.name},
            ReturnConsumedCapacity="TOTAL",
        )
        return {"operation": "DeleteItem", "consumed": _consumed(response), "outcome": "ok"}
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        # An item exists under the sentinel key: it was kept, and the
        # write still reached the table, which is all the warmer needs. A
        # failed condition is charged by the existing item's size, and AWS
        # returns no capacity figure with the exception, so none is claimed:
        # https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithItems.html#WorkingWithItems.ConditionalWrites.ReturnConsumedCapacity
        return {
            "operation": "DeleteItem",
            "consumed": _consumed(error.response),
            "outcome": "ok (condition failed: existing item kept)",
        }


def table_read(dynamodb, schema: TableSchema, dimension: Dimension) -> dict:
    response = dynamodb.get_item(
        TableName=schema.name,
        Key=schema.sentinel_key(),
        ConsistentRead=False,  # half the cost of a strongly consistent read
        ProjectionExpression="#pk",
        ExpressionAttributeNames={"#pk": schema.partition_key.name},
        ReturnConsumedCapacity="TOTAL",
    )
    return {"operation": "GetItem", "consumed": _consumed(response), "outcome": "ok"}


def index_key_condition(index) -> tuple[str, dict, dict]:
    """(KeyConditionExpression, names, values): the sentinel value on every partition key attribute.

    A multi-attribute GSI partition key must be given whole, every attribute with `=`
    (sort key attributes are optional, left to right); the warmer names none of them:
    https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.DesignPattern.MultiAttributeKeys.html
    """
    names = {f"#p{i}": key.name for i, key in enumerate(index.partition_keys)}
    values = {f":p{i}": wire_value(key.type) for i, key in enumerate(index.partition_keys)}
    expression = " AND ".join(f"#p{i} = :p{i}" for i in range(len(index.partition_keys)))
    return expression, names, values


def index_read(dynamodb, schema: TableSchema, dimension: Dimension) -> dict:
    index = _index_of(schema, dimension)
    expression, names, values = index_key_condition(index)
    response = dynamodb.query(
        TableName=schema.name,
        IndexName=index.name,
        KeyConditionExpression=expression,
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
        Limit=1,
        # Only a count comes back, never an attribute: the function's policy allows
        # Query on an index with dynamodb:Select = COUNT and nothing else.
        Select="COUNT",
        ReturnConsumedCapacity="INDEXES",
    )
    consumed = response.get("ConsumedCapacity", {})
    units = consumed.get("GlobalSecondaryIndexes", {}).get(index.name, {}).get("CapacityUnits")
    return {
        "operation": "Query",
        "consumed": float(units) if units is not None else _consumed(response),
        "outcome": "ok",
    }


def index_write(dynamodb, schema: TableSchema, dimension: Dimension, now: float | None = None) -> dict:
    """Opt-in: update the one sentinel item so that the index is written.

    Only a change to an item's index key is sure to write the index whatever
    its projection, so the index partition key alternates between two sentinel
    values, minute by minute. The item carries a marker attribute, and the
    condition refuses to touch an item without it: a real item under the
    sentinel key is never changed.
    """
    now = time.time() if now is None else now
    ttl_attribute = schema.ttl_attribute
    index = _index_of(schema, dimension)
    primary = schema.sentinel_key()
    # Index keys that are also table keys cannot be updated (they already
    # hold the sentinel values); the others, every attribute of a
    # multi-attribute key included, are set, the first alternating.
    settable = [k for k in index.key_attributes if k.name not in primary]
    if not settable:
        raise ValueError(f"index {index.name} has the same keys as the table; its writes follow the table's")
    names = {"#marker": SENTINEL_MARKER, "#pk": schema.partition_key.name}
    values: dict[str, dict] = {":true": {"BOOL": True}}
    updates = ["#marker = :true"]
    for position, key in enumerate(settable):
        names[f"#k{position}"] = key.name
        values[f":k{position}"] = _alternating(key.type, int(now // 60) % 2) if position == 0 else wire_value(key.type)
        updates.append(f"#k{position} = :k{position}")
    if ttl_attribute:
        names["#ttl"] = ttl_attribute
        values[":expires"] = {"N": str(int(now) + SENTINEL_TTL_SECONDS)}
        updates.append("#ttl = :expires")
    try:
        response = dynamodb.update_item(
            TableName=schema.name,
            Key=schema.sentinel_key(),
            UpdateExpression="SET " + ", ".join(updates),
            ConditionExpression="attribute_not_exists(#pk) OR #marker = :true",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
            ReturnConsumedCapacity="INDEXES",
        )
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            error.response["Error"]["Message"] = (
                "a real item holds the sentinel key, so the index sentinel was not written "
                "(the item was kept); turn off write warming for this index"
            )
        raise
    persistence = (
        f"sentinel item expires through TTL attribute {ttl_attribute}"
        if ttl_attribute
        else "sentinel item persists: the table has no TTL enabled"
    )
    return {"operation": "UpdateItem", "consumed": _consumed(response), "outcome": f"ok ({persistence})"}


def _alternating(attribute_type: str, parity: int) -> dict:
    if parity == 0:
        return wire_value(attribute_type)
    value = ALTERNATE_SENTINEL_VALUES[attribute_type]
    return {attribute_type: str(value) if attribute_type == "N" else value}


def _index_of(schema: TableSchema, dimension: Dimension) -> IndexSchema:
    """The index an index dimension names (a table dimension has none: a bug, not a user's error)."""
    if dimension.index is None:
        raise ValueError(f"{dimension} is not an index dimension")
    return schema.indexes[dimension.index]
