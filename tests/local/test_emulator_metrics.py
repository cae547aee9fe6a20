"""The local AWS publishes DynamoDB's consumed capacity for the requests it serves, as DynamoDB does."""

from __future__ import annotations

import datetime as dt

import boto3
import pytest

from ddb_warmer.local.seed import IndexSpec, TableSpec, create_table

pytestmark = pytest.mark.slow


def consumed(cloudwatch, metric: str, table: str, index: str | None = None) -> float:
    dimensions = [{"Name": "TableName", "Value": table}]
    if index:
        dimensions.append({"Name": "GlobalSecondaryIndexName", "Value": index})
    now = dt.datetime.now(dt.UTC)
    points = cloudwatch.get_metric_statistics(
        Namespace="AWS/DynamoDB",
        MetricName=metric,
        Dimensions=dimensions,
        StartTime=now - dt.timedelta(minutes=5),
        EndTime=now + dt.timedelta(minutes=1),
        Period=60,
        Statistics=["Sum"],
    )["Datapoints"]
    return sum(p["Sum"] for p in points)


def test_reads_writes_failed_conditions_and_index_queries_are_published_and_errors_are_not(emulator):
    dynamodb = boto3.client("dynamodb", region_name=emulator.region)
    cloudwatch = boto3.client("cloudwatch", region_name=emulator.region)
    create_table(dynamodb, TableSpec("metrics-probe", ("pk", "S")))
    # moto's statistics match dimensions as a subset: the index query gets a table of its own.
    create_table(dynamodb, TableSpec("metrics-probe-gsi", ("pk", "S"), indexes=(IndexSpec("by_user", ("u", "S")),)))
    dynamodb.put_item(TableName="metrics-probe", Item={"pk": {"S": "a"}, "u": {"S": "x"}})

    dynamodb.get_item(TableName="metrics-probe", Key={"pk": {"S": "a"}})  # eventually consistent: 0.5
    dynamodb.get_item(TableName="metrics-probe", Key={"pk": {"S": "a"}}, ConsistentRead=True)  # 1
    with pytest.raises(dynamodb.exceptions.ConditionalCheckFailedException):
        dynamodb.delete_item(
            TableName="metrics-probe", Key={"pk": {"S": "a"}}, ConditionExpression="attribute_not_exists(pk)"
        )
    dynamodb.query(
        TableName="metrics-probe-gsi",
        IndexName="by_user",
        KeyConditionExpression="u = :u",
        ExpressionAttributeValues={":u": {"S": "x"}},
    )
    with pytest.raises(dynamodb.exceptions.ResourceNotFoundException):
        dynamodb.get_item(TableName="metrics-probe-missing", Key={"pk": {"S": "a"}})

    assert consumed(cloudwatch, "ConsumedReadCapacityUnits", "metrics-probe") == 1.5
    assert consumed(cloudwatch, "ConsumedWriteCapacityUnits", "metrics-probe") == 2  # the put and the failed delete
    assert consumed(cloudwatch, "ConsumedReadCapacityUnits", "metrics-probe-gsi", "by_user") == 0.5
    assert consumed(cloudwatch, "ConsumedReadCapacityUnits", "metrics-probe-missing") == 0
