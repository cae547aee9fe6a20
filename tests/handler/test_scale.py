"""One tick over 1,000 tables: every table and GSI dimension gets exactly its request, no item changes."""

from __future__ import annotations

import json

import pytest
from moto.applicationautoscaling.models import applicationautoscaling_backends
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends

from ddb_warmer.local.seed import IndexSpec, TableSpec, create_table_request, resource_id
from lambda_function.config import parse_config
from lambda_function.tick import run_tick

pytestmark = pytest.mark.slow

TABLES = 1000


def seed_in_moto(region: str, spec: TableSpec, targets: list[tuple[str, str]]) -> None:
    """The table (the same CreateTable parameters as ddb_warmer/local/seed.py's) and its scalable targets,
    written into moto's backends, as moto's own CreateTable and RegisterScalableTarget handlers write them:
    through botocore each of these 3,100 calls takes about 3 ms of CPU (10 s in all), which the tick's own
    calls, the subject here, still take."""
    request = create_table_request(spec)
    dynamodb_backends[DEFAULT_ACCOUNT_ID][region].create_table(
        request["TableName"],
        schema=request["KeySchema"],
        throughput=request["ProvisionedThroughput"],
        attr=request["AttributeDefinitions"],
        global_indexes=request.get("GlobalSecondaryIndexes", []),
        indexes=[],
        streams=None,
        billing_mode="PROVISIONED",
        sse_specification=None,
        tags=[],
        deletion_protection_enabled=False,
        warm_throughput=None,
    )
    for resource, dimension in targets:
        applicationautoscaling_backends[DEFAULT_ACCOUNT_ID][region].register_scalable_target(
            "dynamodb", resource, dimension, min_capacity=1, max_capacity=100, role_arn=None, suspended_state=None
        )


def test_a_thousand_table_tick_warms_every_dimension_once(aws):
    specs = [
        TableSpec(
            f"app-{i:04d}",
            ("pk", "S"),
            indexes=(IndexSpec("by_user", ("user", "S"), scaled=("read",)),) if i % 10 == 0 else (),
        )
        for i in range(TABLES)
    ]
    # Read, write and (one in ten) a GSI read with an auto scaling target: the tick reads the targets
    # alone, so no scaling policy is made.
    for spec in specs:
        scaled = [
            (resource_id(spec.name), "table", "ReadCapacityUnits"),
            (resource_id(spec.name), "table", "WriteCapacityUnits"),
        ]
        scaled += [(resource_id(spec.name, index.name), "index", "ReadCapacityUnits") for index in spec.indexes]
        seed_in_moto(aws.dynamodb.meta.region_name, spec, [(r, f"dynamodb:{k}:{c}") for r, k, c in scaled])
    config = parse_config(json.dumps({"patterns": ["app-*"]}))

    summary = run_tick(config, dynamodb=aws.dynamodb, autoscaling=aws.autoscaling, cache=aws.cache).as_dict()

    assert summary["counts"] == {"warmed": TABLES, "skipped": 0, "failed": 0, "planned": 0}
    expected = sorted(
        [("GetItem", s.name, None) for s in specs]
        + [("DeleteItem", s.name, None) for s in specs]
        + [("Query", s.name, "by_user") for s in specs if s.indexes]
    )
    assert aws.recorder.requests() == expected
    assert summary["requests"] == 2 * TABLES + TABLES // 10
    # Discovery listed 10 pages and asked Application Auto Scaling in batches of 50 ids.
    assert [c[0] for c in aws.recorder.calls].count("ListTables") == 10
    assert [c[0] for c in aws.recorder.calls].count("DescribeScalableTargets") >= (TABLES + TABLES // 10) // 50
    assert aws.items("app-0000") == []
