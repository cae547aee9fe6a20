"""One tick over 1,000 tables: every table and GSI dimension gets exactly its request, no item changes."""

from __future__ import annotations

import json

import pytest

from ddb_warmer.local.seed import IndexSpec, TableSpec, create_table, resource_id
from lambda_function.config import parse_config
from lambda_function.tick import run_tick

pytestmark = pytest.mark.slow

TABLES = 1000


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
    # alone, so no scaling policy is made (half the seeding's calls).
    for spec in specs:
        create_table(aws.dynamodb, spec)
        scaled = [
            (resource_id(spec.name), "table", "ReadCapacityUnits"),
            (resource_id(spec.name), "table", "WriteCapacityUnits"),
        ]
        scaled += [(resource_id(spec.name, index.name), "index", "ReadCapacityUnits") for index in spec.indexes]
        for resource, kind, capacity in scaled:
            aws.autoscaling.register_scalable_target(
                ServiceNamespace="dynamodb",
                ResourceId=resource,
                ScalableDimension=f"dynamodb:{kind}:{capacity}",
                MinCapacity=1,
                MaxCapacity=100,
            )
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
