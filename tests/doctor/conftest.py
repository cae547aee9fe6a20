"""An account in moto with one table per verdict, and metric datapoints that make each happen."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pytest
from moto import mock_aws

from ddb_warmer.local.seed import IndexSpec, TableSpec, add_auto_scaling, create_table, seed_table
from ddb_warmer.ops.aws import make_clients

NOW = dt.datetime(2026, 11, 27, 12, 0, 30, tzinfo=dt.UTC)
FUNCTION = "ddb-warmer-test-warmer"
PUT_METRIC_DATA_AT_MOST = 1000  # datums a call: PutMetricData's limit


def put_minutes(
    cloudwatch, namespace, metric, dimensions, minutes_ago: Iterable[int], value=1.0, now: dt.datetime = NOW
) -> None:
    """A datapoint of `value` in each of these minutes before `now`'s, as AWS services publish theirs."""
    start = now.replace(second=0, microsecond=0)
    data = [
        {
            "MetricName": metric,
            "Dimensions": dimensions,
            "Timestamp": start - dt.timedelta(minutes=m),
            "Value": value,
            "Unit": "Count",
        }
        for m in minutes_ago
    ]
    for first in range(0, len(data), PUT_METRIC_DATA_AT_MOST):
        cloudwatch.put_metric_data(Namespace=namespace, MetricData=data[first : first + PUT_METRIC_DATA_AT_MOST])


def consumed(
    cloudwatch, table: str, kinds=("Read", "Write"), every: int = 1, index: str | None = None, minutes=range(20)
) -> None:
    dimensions = [{"Name": "TableName", "Value": table}]
    if index:
        dimensions.append({"Name": "GlobalSecondaryIndexName", "Value": index})
    for kind in kinds:
        put_minutes(
            cloudwatch,
            "AWS/DynamoDB",
            f"Consumed{kind}CapacityUnits",
            dimensions,
            [m for m in minutes if m % every == 0],
        )


@pytest.fixture
def account(aws_credentials):
    """Tables: warm (a datapoint every minute, the current one included), five-minutely (the original 5-minute design),
    silent (no data), no-policy, at-minimum, on-demand, unscaled; a warmer that ticks."""
    with mock_aws():
        clients = make_clients("eu-west-1")
        dynamodb, autoscaling = clients["dynamodb"], clients["application-autoscaling"]
        for name in ("warm", "five-minutely", "silent"):
            seed_table(dynamodb, autoscaling, TableSpec(name, ("pk", "S")))
        create_table(dynamodb, TableSpec("indexed", ("pk", "S"), indexes=(IndexSpec("by_user", ("u", "S")),)))
        add_auto_scaling(autoscaling, "table/indexed/index/by_user", "index", ("read",))
        create_table(dynamodb, TableSpec("no-policy", ("pk", "S")))
        autoscaling.register_scalable_target(
            ServiceNamespace="dynamodb",
            ResourceId="table/no-policy",
            ScalableDimension="dynamodb:table:ReadCapacityUnits",
            MinCapacity=1,
            MaxCapacity=10,
        )
        create_table(dynamodb, TableSpec("at-minimum", ("pk", "S")))
        for capacity in ("Read", "Write"):
            autoscaling.register_scalable_target(
                ServiceNamespace="dynamodb",
                ResourceId="table/at-minimum",
                ScalableDimension=f"dynamodb:table:{capacity}CapacityUnits",
                MinCapacity=5,
                MaxCapacity=50,
            )
        add_auto_scaling(autoscaling, "table/at-minimum", "table", ())
        for capacity in ("Read", "Write"):
            autoscaling.put_scaling_policy(
                PolicyName=f"{capacity}:at-minimum",
                ServiceNamespace="dynamodb",
                ResourceId="table/at-minimum",
                ScalableDimension=f"dynamodb:table:{capacity}CapacityUnits",
                PolicyType="TargetTrackingScaling",
                TargetTrackingScalingPolicyConfiguration={
                    "TargetValue": 70.0,
                    "PredefinedMetricSpecification": {"PredefinedMetricType": f"DynamoDB{capacity}CapacityUtilization"},
                },
            )
        dynamodb.create_table(
            TableName="on-demand",
            BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        )
        create_table(dynamodb, TableSpec("unscaled", ("pk", "S")))
        yield clients


@pytest.fixture
def with_metrics(account):
    cloudwatch = account["cloudwatch"]
    consumed(cloudwatch, "warm")
    consumed(cloudwatch, "five-minutely", every=5)
    consumed(cloudwatch, "indexed", kinds=("Read",), index="by_user")
    put_minutes(cloudwatch, "AWS/Lambda", "Invocations", [{"Name": "FunctionName", "Value": FUNCTION}], list(range(20)))
    return account
