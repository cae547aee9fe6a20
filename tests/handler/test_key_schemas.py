"""Multi-attribute GSI keys, the TTL description cached with the schema, and capacity as DynamoDB reports it."""

from __future__ import annotations

import pytest

from ddb_warmer.local.seed import IndexSpec, TableSpec
from lambda_function.schema import SENTINEL_VALUES

MULTI_KEY_INDEX = {
    "IndexName": "by_tenant_user_day",
    # Up to four HASH and four RANGE elements (DynamoDB, November 2025).
    "KeySchema": [
        {"AttributeName": "tenant", "KeyType": "HASH"},
        {"AttributeName": "user", "KeyType": "HASH"},
        {"AttributeName": "region", "KeyType": "HASH"},
        {"AttributeName": "day", "KeyType": "RANGE"},
        {"AttributeName": "hour", "KeyType": "RANGE"},
    ],
    "Projection": {"ProjectionType": "ALL"},
    "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
}
TYPES = {"id": "S", "tenant": "S", "user": "N", "region": "B", "day": "S", "hour": "N"}
REAL_ITEM = {
    "id": {"S": "order-1"},
    "tenant": {"S": "acme"},
    "user": {"N": "7"},
    "region": {"B": b"eu"},
    "day": {"S": "2026-11-30"},
    "hour": {"N": "1"},
}


@pytest.fixture
def multi_key_table(aws):
    aws.dynamodb.create_table(
        TableName="events",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": t} for n, t in TYPES.items()],
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
        GlobalSecondaryIndexes=[MULTI_KEY_INDEX],
    )
    aws.dynamodb.put_item(TableName="events", Item=REAL_ITEM)
    return "events"


def test_a_multi_attribute_gsi_is_queried_with_every_partition_attribute(aws, multi_key_table):
    queries = []
    aws.dynamodb.meta.events.register(
        "provide-client-params.dynamodb.Query", lambda params, **_: queries.append(params)
    )
    config = {
        "tables": [
            {"name": "events", "read": False, "write": False, "indexes": [{"name": "by_tenant_user_day", "read": True}]}
        ]
    }

    summary = aws.tick(config)

    assert summary["tables"][0]["status"] == "warmed", summary["tables"][0]
    [query] = queries
    assert query["KeyConditionExpression"] == "#p0 = :p0 AND #p1 = :p1 AND #p2 = :p2"
    assert query["ExpressionAttributeNames"] == {"#p0": "tenant", "#p1": "user", "#p2": "region"}
    assert query["ExpressionAttributeValues"] == {
        ":p0": {"S": SENTINEL_VALUES["S"]},
        ":p1": {"N": str(SENTINEL_VALUES["N"])},
        ":p2": {"B": SENTINEL_VALUES["B"]},
    }
    assert query["Select"] == "COUNT"


def test_a_multi_attribute_gsi_write_sets_every_key_attribute_and_leaves_real_items_alone(aws, multi_key_table):
    config = {
        "tables": [
            {
                "name": "events",
                "read": False,
                "write": False,
                "indexes": [{"name": "by_tenant_user_day", "write": True}],
            }
        ]
    }

    for _ in range(2):
        assert aws.tick(config)["counts"]["warmed"] == 1

    items = aws.items("events")
    assert REAL_ITEM in items and len(items) == 2
    sentinel = next(i for i in items if i != REAL_ITEM)
    assert set(sentinel) >= {"tenant", "user", "region", "day", "hour"}


def test_the_ttl_description_is_learned_once_with_the_schema(aws):
    aws.table(TableSpec("events", ("id", "S"), indexes=(IndexSpec("by_user", ("user", "S")),)), scaled=False)
    aws.dynamodb.update_time_to_live(
        TableName="events", TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"}
    )
    config = {
        "tables": [{"name": "events", "read": False, "write": False, "indexes": [{"name": "by_user", "write": True}]}]
    }

    for _ in range(3):
        outcome = aws.tick(config)["tables"][0]["dimensions"][0]["outcome"]

    assert outcome == "ok (sentinel item expires through TTL attribute expires)"
    assert [c[0] for c in aws.recorder.calls].count("DescribeTimeToLive") == 1


def test_a_failed_condition_claims_no_capacity_dynamodb_did_not_report(aws):
    key = {"pk": {"S": SENTINEL_VALUES["S"]}}
    aws.table(TableSpec("orders", ("pk", "S"), items=({**key, "note": {"S": "real"}},)), scaled=False)

    summary = aws.tick({"tables": [{"name": "orders", "write": True}]})

    [write] = summary["tables"][0]["dimensions"]
    assert write["outcome"] == "ok (condition failed: existing item kept)"
    assert write["consumed"] is None
    assert summary["capacity_not_reported"] == 1 and summary["consumed"]["write"] == 0.0
