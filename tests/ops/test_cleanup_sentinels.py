"""`ddb-warmer cleanup-sentinels` on moto: the warmer's own GSI sentinel is listed and, once confirmed,
removed; a real item on the sentinel key, and every other item, is never touched."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from ddb_warmer.local.seed import COLLIDING_ITEM, IndexSpec, TableSpec, create_table
from ddb_warmer.ops import cli
from ddb_warmer.ops.cleanup import find_sentinels, remove_sentinels
from lambda_function.config import parse_config
from lambda_function.requests import SENTINEL_MARKER
from lambda_function.schema import SchemaCache
from lambda_function.tick import run_tick

pytestmark = pytest.mark.usefixtures("aws_credentials")

EVENTS = TableSpec("events", ("pk", "S"), ("sk", "S"), indexes=(IndexSpec("by_user", ("user", "S")),))
ORDERS = TableSpec("orders", ("pk", "S"), ("sk", "S"), items=(COLLIDING_ITEM, {"pk": {"S": "o-1"}, "sk": {"S": "x"}}))


@pytest.fixture
def dynamodb():
    with mock_aws():
        client = boto3.client("dynamodb")
        for spec in (EVENTS, ORDERS):
            create_table(client, spec)
        client.put_item(TableName="events", Item={"pk": {"S": "e-1"}, "sk": {"S": "y"}, "user": {"S": "u"}})
        # One tick with the opt-in GSI write leaves the warmer's sentinel item in events.
        config = parse_config(
            json.dumps({"tables": [{"name": "events", "indexes": [{"name": "by_user", "write": True}]}]})
        )
        summary = run_tick(
            config, dynamodb=client, autoscaling=boto3.client("application-autoscaling"), cache=SchemaCache()
        ).as_dict()
        assert summary["counts"]["failed"] == 0, summary
        yield client


def items(dynamodb, table: str) -> list[dict]:
    return sorted(dynamodb.scan(TableName=table, ConsistentRead=True)["Items"], key=repr)


def test_it_lists_ours_and_the_real_item_and_without_confirmation_removes_nothing(dynamodb, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    before = {t: items(dynamodb, t) for t in ("events", "orders")}

    code = cli.main(["cleanup-sentinels", "--table", "events", "--table", "orders", "--region", "eu-west-1"])

    out = capsys.readouterr()
    assert code == cli.USAGE and "run again with --yes" in out.err
    assert "events: sentinel item (ours)" in out.out
    assert "orders: a real item on the sentinel key: kept, not ours" in out.out
    assert {t: items(dynamodb, t) for t in ("events", "orders")} == before


def test_confirmed_it_removes_only_the_warmers_own_item(dynamodb, capsys):
    orders_before = items(dynamodb, "orders")

    code = cli.main(["cleanup-sentinels", "--table", "events", "--table", "orders", "--region", "eu-west-1", "--yes"])

    assert code == cli.OK and "removed 1 sentinel item(s)" in capsys.readouterr().out
    assert [i for i in items(dynamodb, "events") if SENTINEL_MARKER in i] == []
    assert [i["pk"]["S"] for i in items(dynamodb, "events")] == ["e-1"]
    assert items(dynamodb, "orders") == orders_before  # the real item on the sentinel key included


def test_a_real_item_that_replaced_ours_after_listing_is_kept(dynamodb):
    found = find_sentinels(dynamodb, ["events"])
    real = {**found[0].key, "note": {"S": "written by the application since"}}
    dynamodb.put_item(TableName="events", Item=real)

    assert remove_sentinels(dynamodb, found) == []
    assert real in items(dynamodb, "events")
