"""Seed the emulator with what a real account already has before the warmer arrives.

The users' tables, their auto scaling targets and target-tracking policies are
not ours to manage, so Terraform never creates them: this step does, with
boto3, the way they exist in a real account. What it creates follows live/:
every table a unit lists (scaled as its entry says), one table each of its
name patterns finds, and one each of its exclude patterns leaves out, in the
unit's account and region. It also creates each account's state buckets, as
that account's bootstrap unit does on AWS.
"""

from __future__ import annotations

import contextlib
import fnmatch
from dataclasses import dataclass, field
from pathlib import Path

from ddb_warmer.build.live import LIVE, Environment, environments, unit_dirs, unit_inputs, unit_region
from ddb_warmer.local.emulator import Emulator
from ddb_warmer.names import state_bucket
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
# Key schemas the seeded tables take in turn, so every key type reaches the warmer.
KEY_SCHEMAS: tuple[tuple[tuple[str, str], tuple[str, str] | None], ...] = (
    (("pk", "S"), ("sk", "S")),
    (("id", "S"), None),
    (("pk", "S"), ("sk", "N")),
    (("id", "N"), None),
    (("event_id", "B"), ("ts", "N")),
)


@dataclass(frozen=True)
class Seeded:
    """What one unit's account and region hold before its warmer arrives."""

    unit: str  # path under live/
    account: str
    region: str
    tables: tuple[TableSpec, ...]
    listed: tuple[str, ...]  # the unit's `tables`, in order
    expected: tuple[str, ...]  # what its warmer resolves: listed and found by a pattern, not excluded
    patterns: tuple[str, ...] = ()  # the unit's table_name_patterns


def matches(name: str, patterns: list[str]) -> bool:
    # The module's patterns: `*` any run, `?` one character (fnmatchcase has the same two wildcards).
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)


def example_name(pattern: str, word: str) -> str:
    return pattern.replace("*", word).replace("?", "x")


def unit_tables(inputs: dict) -> tuple[list[TableSpec], list[str]]:
    """The tables a unit's inputs name or find, as TableSpecs, and the names its warmer resolves."""
    patterns = inputs.get("table_name_patterns") or []
    excludes = inputs.get("exclude_table_name_patterns") or []
    specs: list[TableSpec] = []

    def spec(name: str, scaled: tuple[str, ...], indexes: tuple[IndexSpec, ...] = ()) -> TableSpec:
        partition_key, sort_key = KEY_SCHEMAS[len(specs) % len(KEY_SCHEMAS)]
        items = (
            ({"pk": {"S": "customer#1"}, "sk": {"S": "order#1"}, "total": {"N": "42"}}, COLLIDING_ITEM)
            if not specs
            else ()
        )
        return TableSpec(name, partition_key, sort_key, scaled, indexes, items)

    for table in inputs.get("tables") or []:
        scaled = tuple(d for d in ("read", "write") if table.get(d) is not False)
        indexes = tuple(
            IndexSpec(
                index["name"],
                (f"{index['name']}_pk", "S"),
                scaled=tuple(
                    d for d in ("read", "write") if index.get(d) is True or (d == "read" and index.get(d) is None)
                ),
            )
            for index in table.get("indexes") or []
        )
        specs.append(spec(table["name"], scaled or ("read",), indexes))
    listed = [s.name for s in specs]
    for pattern in patterns:
        name = example_name(pattern, "found")
        if not matches(name, excludes) and name not in listed:
            specs.append(spec(name, ("read", "write")))
    for pattern in excludes:
        name = example_name(pattern, "left-out")
        if matches(name, patterns) and name not in listed:
            specs.append(spec(name, ("read", "write")))
    expected = [
        s.name for s in specs if s.name in listed or (matches(s.name, patterns) and not matches(s.name, excludes))
    ]
    return specs, expected


def seeded_units(environment: Environment, live: Path = LIVE, tables: bool = True) -> list[Seeded]:
    """What each unit of an environment finds in its account and region, from the unit's inputs; with
    tables=False, regions that hold no table yet (a new account, tables that come later)."""
    seeded = []
    for unit in unit_dirs(live / environment.name):
        inputs = unit_inputs(unit)
        specs, expected = unit_tables(inputs) if tables else ([], [])
        seeded.append(
            Seeded(
                unit=unit.relative_to(live).as_posix(),
                account=environment.account,
                region=unit_region(unit),
                tables=tuple(specs),
                listed=tuple(t["name"] for t in inputs.get("tables") or []),
                patterns=tuple(inputs.get("table_name_patterns") or []),
                expected=tuple(expected),
            )
        )
    return seeded


def create_state_bucket(s3, region: str, account: str) -> str:
    bucket = state_bucket(region, account)
    with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou):
        # us-east-1 takes no location constraint (S3 refuses "us-east-1" as one).
        where = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        s3.create_bucket(Bucket=bucket, **where)
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


def create_table_request(spec: TableSpec) -> dict:
    """The parameters of DynamoDB's CreateTable for `spec`: provisioned, its indexes keys-only. Fresh dicts
    each time: moto's backend keeps (and adds to) the throughput it is given."""
    request = {
        "TableName": spec.name,
        "KeySchema": _key_schema(spec.partition_key, spec.sort_key),
        "AttributeDefinitions": _attributes(spec),
        "ProvisionedThroughput": dict(THROUGHPUT),
    }
    if spec.indexes:
        request["GlobalSecondaryIndexes"] = [
            {
                "IndexName": index.name,
                "KeySchema": _key_schema(index.partition_key, index.sort_key),
                "Projection": {"ProjectionType": "KEYS_ONLY"},
                "ProvisionedThroughput": dict(THROUGHPUT),
            }
            for index in spec.indexes
        ]
    return request


def create_table(dynamodb, spec: TableSpec) -> None:
    dynamodb.create_table(**create_table_request(spec))
    for item in spec.items:
        dynamodb.put_item(TableName=spec.name, Item=item)


def add_auto_scaling(
    autoscaling,
    resource_id: str,
    kind: str,
    dimensions: tuple[str, ...],
    minimum: int = 1,
    maximum: int = 100,
    target: float = TARGET_UTILISATION,
) -> None:
    """A scalable target and a target-tracking policy per scaled dimension, as the console makes them."""
    for dimension in dimensions:
        capacity = "Read" if dimension == "read" else "Write"
        scalable = f"dynamodb:{kind}:{capacity}CapacityUnits"
        autoscaling.register_scalable_target(
            ServiceNamespace="dynamodb",
            ResourceId=resource_id,
            ScalableDimension=scalable,
            MinCapacity=minimum,
            MaxCapacity=maximum,
        )
        autoscaling.put_scaling_policy(
            PolicyName=f"{capacity}Scaling:{resource_id}",
            ServiceNamespace="dynamodb",
            ResourceId=resource_id,
            ScalableDimension=scalable,
            PolicyType="TargetTrackingScaling",
            TargetTrackingScalingPolicyConfiguration={
                "TargetValue": target,
                "PredefinedMetricSpecification": {"PredefinedMetricType": f"DynamoDB{capacity}CapacityUtilization"},
            },
        )


def seed_table(dynamodb, autoscaling, spec: TableSpec) -> None:
    """The table, its items, and auto scaling on the dimensions the spec scales."""
    create_table(dynamodb, spec)
    add_auto_scaling(autoscaling, resource_id(spec.name), "table", spec.scaled)
    for index in spec.indexes:
        add_auto_scaling(autoscaling, resource_id(spec.name, index.name), "index", index.scaled)


def seed_environment(
    environment: Environment, emulator: Emulator, live: Path = LIVE, tables: bool = True
) -> list[Seeded]:
    """Create the state buckets and the tables of every unit of the environment (none with tables=False),
    in its account and each unit's region; returns what each unit finds."""
    seeded = seeded_units(environment, live, tables)
    for unit in seeded:
        session = emulator.session(unit.account, unit.region)
        create_state_bucket(session.client("s3"), unit.region, unit.account)
        dynamodb = session.client("dynamodb")
        autoscaling = session.client("application-autoscaling")
        existing = set(dynamodb.list_tables()["TableNames"])
        for spec in unit.tables:
            if spec.name not in existing:
                seed_table(dynamodb, autoscaling, spec)
    return seeded


def seed_live(emulator: Emulator, live: Path = LIVE, tables: bool = True) -> dict[str, list[Seeded]]:
    """Every environment of a live/ tree, each in its account: {environment: what each unit finds}."""
    return {e.name: seed_environment(e, emulator, live, tables) for e in environments(live)}
