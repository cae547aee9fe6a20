"""Seed the emulator with what a real account already has before the warmer arrives.

The users' tables, their auto scaling targets and target-tracking policies are
not ours to manage, so Terraform never creates them: this step does, with
boto3, the way they exist in a real account. It also creates the state bucket
that an admin creates once per account and region (README).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

import boto3

from ddb_warmer.local.emulator import state_bucket
from lambda_function.dimensions import resource_id
from lambda_function.schema import SENTINEL_VALUES

TARGET_UTILISATION = 70.0


@dataclass(frozen=True)
class IndexSpec:
    name: str
    partition_key: tuple[str, str]
    sort_key: tuple[str, str] | None = None
    scaled: tuple[str, ...] = ("read",)  # dimensions with an auto scaling target


@dataclass(frozen=True)
class TableSpec:
    name: str
    partition_key: tuple[str, str]  # (attribute name, type S|N|B)
    sort_key: tuple[str, str] | None = None
    scaled: tuple[str, ...] = ("read", "write")
    indexes: tuple[IndexSpec, ...] = ()
    items: tuple[dict, ...] = field(default_factory=tuple)  # low-level format


# A real item that sits exactly on the sentinel key: the warmer must leave it alone.
COLLIDING_ITEM = {
    "pk": {"S": SENTINEL_VALUES["S"]},
    "sk": {"S": SENTINEL_VALUES["S"]},
    "note": {"S": "a real item on the sentinel key"},
}

ENVIRONMENTS: dict[str, tuple[TableSpec, ...]] = {
    "dev": (
        TableSpec(
            "dev-orders",
            ("pk", "S"),
            ("sk", "S"),
            items=(
                {"pk": {"S": "customer#1"}, "sk": {"S": "order#1"}, "total": {"N": "42"}},
                COLLIDING_ITEM,
            ),
        ),
        TableSpec(
            "dev-sessions",
            ("session_id", "S"),
            scaled=("read",),
            items=({"session_id": {"S": "s-1"}, "user": {"S": "ada"}},),
        ),
    ),
    "prod": (
        TableSpec("prod-orders", ("pk", "S"), ("sk", "N"), items=({"pk": {"S": "customer#1"}, "sk": {"N": "1"}},)),
        TableSpec("prod-customers", ("customer_id", "N")),
        TableSpec(
            "prod-events",
            ("event_id", "B"),
            ("ts", "N"),
            indexes=(IndexSpec("by_user", ("user_id", "S"), ("ts", "N")),),
        ),
    ),
}


# Tables an environment has in its other regions, by region: replicas of its
# global tables (each replica region has its own auto scaling), and one table
# the warmer there must leave out (live/prod/us-east-1 excludes prod-tmp-*).
OTHER_REGIONS: dict[str, dict[str, tuple[TableSpec, ...]]] = {
    "prod": {
        "us-east-1": (
            TableSpec("prod-customers", ("customer_id", "N")),
            TableSpec("prod-orders", ("pk", "S"), ("sk", "N")),
            TableSpec("prod-tmp-import", ("pk", "S")),
        ),
    },
}


def create_state_bucket(s3, region: str) -> str:
    bucket = state_bucket(region)
    with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou):
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    return bucket


def _attributes(spec: TableSpec) -> list[dict]:
    keys = {spec.partition_key, *([spec.sort_key] if spec.sort_key else [])}
    for index in spec.indexes:
        keys |= {index.partition_key, *([index.sort_key] if index.sort_key else [])}
    return [{"AttributeName": name, "AttributeType": kind} for name, kind in sorted(keys)]


def _key_schema(partition_key, sort_key) -> list[dict]:
    schema = [{"AttributeName": partition_key[0], "KeyType": "HASH"}]
    if sort_key:
        schema.append({"AttributeName": sort_key[0], "KeyType": "RANGE"})
    return schema


THROUGHPUT = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}


def create_table(dynamodb, spec: TableSpec) -> None:
    extra = {}
    if spec.indexes:
        extra["GlobalSecondaryIndexes"] = [
            {
                "IndexName": index.name,
                "KeySchema": _key_schema(index.partition_key, index.sort_key),
                "Projection": {"ProjectionType": "KEYS_ONLY"},
                "ProvisionedThroughput": THROUGHPUT,
            }
            for index in spec.indexes
        ]
    dynamodb.create_table(
        TableName=spec.name,
        KeySchema=_key_schema(spec.partition_key, spec.sort_key),
        AttributeDefinitions=_attributes(spec),
        ProvisionedThroughput=THROUGHPUT,
        **extra,
    )
    for item in spec.items:
        dynamodb.put_item(TableName=spec.name, Item=item)


def add_auto_scaling(autoscaling, resource_id: str, kind: str, dimensions: tuple[str, ...]) -> None:
    """A scalable target and a target-tracking policy per scaled dimension, as the console makes them."""
    for dimension in dimensions:
        capacity = "Read" if dimension == "read" else "Write"
        scalable = f"dynamodb:{kind}:{capacity}CapacityUnits"
        autoscaling.register_scalable_target(
            ServiceNamespace="dynamodb",
            ResourceId=resource_id,
            ScalableDimension=scalable,
            MinCapacity=1,
            MaxCapacity=100,
        )
        autoscaling.put_scaling_policy(
            PolicyName=f"{capacity}Scaling:{resource_id}",
            ServiceNamespace="dynamodb",
            ResourceId=resource_id,
            ScalableDimension=scalable,
            PolicyType="TargetTrackingScaling",
            TargetTrackingScalingPolicyConfiguration={
                "TargetValue": TARGET_UTILISATION,
                "PredefinedMetricSpecification": {"PredefinedMetricType": f"DynamoDB{capacity}CapacityUtilization"},
            },
        )


def seed_table(dynamodb, autoscaling, spec: TableSpec) -> None:
    """The table, its items, and auto scaling on the dimensions the spec scales."""
    create_table(dynamodb, spec)
    add_auto_scaling(autoscaling, resource_id(spec.name), "table", spec.scaled)
    for index in spec.indexes:
        add_auto_scaling(autoscaling, resource_id(spec.name, index.name), "index", index.scaled)


def seed_environment(environment: str, region: str, session: boto3.Session | None = None) -> list[str]:
    """Create the state bucket and the environment's tables, in its home region and its other
    regions; returns the table names of the home region."""
    session = session or boto3.Session(region_name=region)
    create_state_bucket(session.client("s3"), region)
    for where, specs in {region: ENVIRONMENTS[environment], **OTHER_REGIONS.get(environment, {})}.items():
        dynamodb = session.client("dynamodb", region_name=where)
        autoscaling = session.client("application-autoscaling", region_name=where)
        for spec in specs:
            seed_table(dynamodb, autoscaling, spec)
    return [spec.name for spec in ENVIRONMENTS[environment]]
