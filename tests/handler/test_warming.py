"""The handler against DynamoDB (moto in-process): which requests, and that no data changes."""

from __future__ import annotations

import json

import pytest

from ddb_warmer.local.seed import IndexSpec, TableSpec
from lambda_function import main
from lambda_function.schema import SENTINEL_VALUES


def test_explicit_read_and_write_send_exactly_one_get_and_one_conditional_delete_per_table(aws):
    for name in ("orders", "events"):
        aws.table(TableSpec(name, ("pk", "S")), scaled=False)

    summary = aws.tick(
        {
            "tables": [
                {"name": "orders", "read": True, "write": True},
                {"name": "events", "read": True, "write": True},
            ]
        },
    )

    assert aws.recorder.requests() == [
        ("DeleteItem", "events", None),
        ("DeleteItem", "orders", None),
        ("GetItem", "events", None),
        ("GetItem", "orders", None),
    ]
    assert summary["counts"]["warmed"] == 2
    assert summary["consumed"] == {"read": 1.0, "write": 2.0}


def test_an_item_on_the_sentinel_key_survives_many_ticks_byte_for_byte(aws):
    key = {"pk": {"S": SENTINEL_VALUES["S"]}, "sk": {"S": SENTINEL_VALUES["S"]}}
    real_item = {**key, "payload": {"B": b"\x00\x01real"}, "n": {"N": "3.14"}, "tags": {"SS": ["a", "b"]}}
    aws.table(TableSpec("orders", ("pk", "S"), ("sk", "S"), items=(real_item,)), scaled=False)
    before = aws.dynamodb.get_item(TableName="orders", Key=key, ConsistentRead=True)["Item"]

    for _ in range(5):
        summary = aws.tick({"tables": [{"name": "orders", "read": True, "write": True}]})
        outcomes = {d["operation"]: d["outcome"] for d in summary["tables"][0]["dimensions"]}
        assert outcomes["DeleteItem"] == "ok (condition failed: existing item kept)"

    assert aws.dynamodb.get_item(TableName="orders", Key=key, ConsistentRead=True)["Item"] == before
    assert aws.items("orders") == [before]


def test_a_missing_table_does_not_stop_the_others_and_the_invocation_names_it(aws, monkeypatch):
    aws.table(TableSpec("orders", ("pk", "S")), scaled=False)
    aws.table(TableSpec("events", ("id", "N")), scaled=False)
    config = {
        "tables": [
            {"name": "orders", "read": True, "write": True},
            {"name": "gone", "read": True},
            {"name": "events", "read": True, "write": True},
        ]
    }
    monkeypatch.setenv("WARMER_CONFIG", json.dumps(config))
    main.clients.cache_clear()
    monkeypatch.setattr(main, "SCHEMA_CACHE", aws.cache)

    with pytest.raises(main.WarmingFailed) as failure:
        main.lambda_handler({}, None)

    assert str(failure.value).splitlines() == [
        "1 of 3 tables failed:",
        "gone: DescribeTable failed: ResourceNotFoundException: Requested resource not found: Table: gone not found",
    ]
    # The others were warmed all the same: through the handler's own client,
    # so their effect is checked on the tables' consumed requests instead.
    summary = aws.tick(
        {
            "tables": [
                {"name": "orders", "read": True, "write": True},
                {"name": "events", "read": True, "write": True},
            ]
        },
    )
    assert summary["counts"] == {"warmed": 2, "skipped": 0, "failed": 0, "planned": 0}


def test_failed_table_is_reported_while_the_others_get_their_requests(aws):
    aws.table(TableSpec("orders", ("pk", "S")), scaled=False)

    summary = aws.tick({"tables": [{"name": "gone", "read": True}, {"name": "orders", "read": True}]})

    by_table = {t["table"]: t for t in summary["tables"]}
    assert by_table["gone"]["status"] == "failed"
    assert "ResourceNotFoundException" in by_table["gone"]["reason"]
    assert by_table["orders"]["status"] == "warmed"
    assert aws.recorder.requests() == [("GetItem", "orders", None)]


def test_auto_mode_warms_exactly_the_dimensions_that_have_a_scalable_target(aws):
    aws.table(TableSpec("both", ("pk", "S")))
    aws.table(TableSpec("reads", ("pk", "S"), scaled=("read",)))
    aws.table(TableSpec("unscaled", ("pk", "S")), scaled=False)
    aws.table(
        TableSpec(
            "indexed",
            ("pk", "S"),
            scaled=(),
            indexes=(IndexSpec("by_user", ("user", "N"), scaled=("read", "write")),),
        )
    )

    summary = aws.tick({"tables": [{"name": n} for n in ("both", "reads", "unscaled", "indexed")]})

    assert aws.recorder.requests() == [
        ("DeleteItem", "both", None),
        ("GetItem", "both", None),
        ("GetItem", "reads", None),
        # The index write has a target too, but GSI writes are only warmed when asked for.
        ("Query", "indexed", "by_user"),
    ]
    statuses = {t["table"]: (t["status"], t["reason"]) for t in summary["tables"]}
    assert statuses["unscaled"][0] == "skipped"


def test_explicit_settings_override_auto_mode(aws):
    aws.table(TableSpec("orders", ("pk", "S")))  # read and write both scaled

    aws.tick({"tables": [{"name": "orders", "read": False, "write": True}]})

    assert aws.recorder.requests() == [("DeleteItem", "orders", None)]


def test_on_demand_tables_are_skipped_and_reported_not_failed(aws):
    aws.dynamodb.create_table(
        TableName="ondemand",
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
    )

    summary = aws.tick({"tables": [{"name": "ondemand", "read": True, "write": True}]})

    assert summary["tables"][0]["status"] == "skipped"
    assert "on-demand" in summary["tables"][0]["reason"]
    assert aws.recorder.requests() == []


def test_dry_run_plans_every_request_and_sends_none(aws):
    aws.table(TableSpec("orders", ("pk", "S")))

    summary = aws.tick({"tables": [{"name": "orders"}], "dry_run": True})

    assert aws.recorder.requests() == []
    assert [(d["operation"], d["outcome"]) for d in summary["tables"][0]["dimensions"]] == [
        ("GetItem", "planned (dry run)"),
        ("DeleteItem", "planned (dry run)"),
    ]
    assert summary["requests"] == 0


def test_index_read_is_one_query_on_the_index_with_limit_one(aws):
    aws.table(TableSpec("events", ("id", "S"), indexes=(IndexSpec("by_user", ("user", "B")),)), scaled=False)
    calls = []
    aws.dynamodb.meta.events.register("provide-client-params.dynamodb.Query", lambda params, **_: calls.append(params))

    aws.tick(
        {
            "tables": [
                {
                    "name": "events",
                    "read": False,
                    "write": False,
                    "indexes": [{"name": "by_user", "read": True}],
                }
            ]
        },
    )

    assert len(calls) == 1
    assert calls[0]["IndexName"] == "by_user" and calls[0]["Limit"] == 1


def test_opt_in_index_write_keeps_exactly_one_sentinel_item_and_no_other_change(aws):
    real = {"id": {"S": "order-1"}, "user": {"S": "ada"}}
    aws.table(
        TableSpec("events", ("id", "S"), indexes=(IndexSpec("by_user", ("user", "S")),), items=(real,)),
        scaled=False,
    )
    config = {
        "tables": [{"name": "events", "read": False, "write": False, "indexes": [{"name": "by_user", "write": True}]}]
    }

    for _ in range(4):
        summary = aws.tick(config)
        assert summary["counts"]["warmed"] == 1

    items = aws.items("events")
    assert real in items
    assert len(items) == 2
    sentinel = next(i for i in items if i != real)
    assert sentinel["id"] == {"S": SENTINEL_VALUES["S"]}
    assert sentinel["ddb_warmer_sentinel"] == {"BOOL": True}


def test_an_unknown_index_fails_its_table_with_the_indexes_it_has(aws):
    aws.table(TableSpec("events", ("id", "S"), indexes=(IndexSpec("by_user", ("user", "S")),)), scaled=False)

    summary = aws.tick({"tables": [{"name": "events", "indexes": [{"name": "by_day", "read": True}]}]})

    assert summary["tables"][0]["status"] == "failed"
    assert summary["tables"][0]["reason"] == (
        "index 'by_day' is not a global secondary index of events (it has: by_user)"
    )
    assert aws.recorder.requests() == []


@pytest.mark.parametrize("key_types", [("S", None), ("N", None), ("B", None), ("S", "N"), ("N", "B"), ("B", "S")])
def test_every_key_schema_gets_one_request_per_dimension_and_keeps_its_items(aws, key_types):
    partition, sort = key_types
    spec = aws.table(
        TableSpec(
            "things",
            ("pk", partition),
            ("sk", sort) if sort else None,
            indexes=(IndexSpec("gsi", ("g", "N" if partition == "S" else "S")),),
        ),
        scaled=False,
    )
    config = {"tables": [{"name": spec.name, "read": True, "write": True, "indexes": [{"name": "gsi", "read": True}]}]}

    for _ in range(3):
        assert aws.tick(config)["counts"]["warmed"] == 1

    assert aws.recorder.requests() == sorted(
        [("GetItem", "things", None), ("DeleteItem", "things", None), ("Query", "things", "gsi")] * 3
    )
    assert aws.items("things") == []


def test_auto_mode_finds_targets_beyond_the_first_batch_of_fifty_resource_ids(aws):
    names = [f"table-{i:02d}" for i in range(30)]  # 60 resource ids: a table and a GSI each
    for name in names:
        aws.table(TableSpec(name, ("pk", "S"), indexes=(IndexSpec("by_user", ("u", "S")),)), scaled=False)
    for resource, dimension in [
        ("table/table-00", "dynamodb:table:ReadCapacityUnits"),
        ("table/table-29/index/by_user", "dynamodb:index:ReadCapacityUnits"),
    ]:
        aws.autoscaling.register_scalable_target(
            ServiceNamespace="dynamodb", ResourceId=resource, ScalableDimension=dimension, MinCapacity=1, MaxCapacity=10
        )

    aws.tick({"tables": [{"name": name} for name in names]})

    assert aws.recorder.requests() == [("GetItem", "table-00", None), ("Query", "table-29", "by_user")]
