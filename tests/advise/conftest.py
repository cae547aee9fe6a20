"""An account in moto with tables as advise finds them: provisioned capacity, auto scaling, and per-minute history."""

from __future__ import annotations

import datetime as dt

import pytest
from moto import mock_aws

from ddb_warmer.local.seed import add_auto_scaling
from ddb_warmer.ops.aws import make_clients
from lambda_function.dimensions import resource_id

REGION = "us-east-1"  # the figures: $0.625 / $0.125 a million request units
NOW = dt.datetime(2026, 11, 27, 12, 0, 30, tzinfo=dt.UTC)
START = NOW.replace(second=0) - dt.timedelta(days=1)  # the first minute of a one-day window
BATCH = 1000  # PutMetricData takes at most 1,000 datums a call


@pytest.fixture
def account(aws_credentials):
    with mock_aws():
        yield make_clients(REGION)


def create_table(clients, name: str, read: int, write: int, indexes: dict[str, tuple[int, int]] | None = None) -> None:
    attributes = [{"AttributeName": "pk", "AttributeType": "S"}]
    extra = {}
    if indexes:
        attributes += [{"AttributeName": f"{index}_key", "AttributeType": "S"} for index in indexes]
        extra["GlobalSecondaryIndexes"] = [
            {
                "IndexName": index,
                "KeySchema": [{"AttributeName": f"{index}_key", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
                "ProvisionedThroughput": {"ReadCapacityUnits": r, "WriteCapacityUnits": w},
            }
            for index, (r, w) in indexes.items()
        ]
    clients["dynamodb"].create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=attributes,
        ProvisionedThroughput={"ReadCapacityUnits": read, "WriteCapacityUnits": write},
        **extra,
    )


def auto_scale(clients, table: str, kind: str, minimum: int, maximum: int, target=70.0, index=None) -> None:
    """A scalable target and a target-tracking policy on one dimension, as the console makes them."""
    add_auto_scaling(
        clients["application-autoscaling"],
        resource_id(table, index),
        "index" if index else "table",
        (kind,),
        minimum,
        maximum,
        target,
    )


def consumed(clients, table: str, kind: str, sums: dict[int, float], index: str | None = None) -> None:
    """DynamoDB's per-minute Sum of consumed capacity: {minute of the window: units}, 1,000 datums a call."""
    dimensions = [{"Name": "TableName", "Value": table}]
    if index:
        dimensions.append({"Name": "GlobalSecondaryIndexName", "Value": index})
    data = [
        {
            "MetricName": f"Consumed{kind.title()}CapacityUnits",
            "Dimensions": dimensions,
            "Timestamp": START + dt.timedelta(minutes=minute, seconds=10),
            "Value": value,
            "Unit": "Count",
        }
        for minute, value in sorted(sums.items())
    ]
    for first in range(0, len(data), BATCH):
        clients["cloudwatch"].put_metric_data(Namespace="AWS/DynamoDB", MetricData=data[first : first + BATCH])
