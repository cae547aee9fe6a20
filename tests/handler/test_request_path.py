"""The warm requests stay lean while the runtime's botocore allows it and fall back to the stock client when
it does not (lambda_function/request_path.py): every dimension is still warmed, no item is changed, one
warning names the botocore version, and the tick's summary says which path the requests took.

A botocore that lost or renamed an internal is shown by renaming it where the lean path reads it
(wire.INTERNALS): the stock client, which reads its own internals, is untouched, as on such a botocore.
"""

from __future__ import annotations

import json
import logging

import boto3
import botocore
import pytest
from botocore.awsrequest import AWSResponse

from ddb_warmer.local.seed import COLLIDING_ITEM, IndexSpec, TableSpec
from lambda_function import main, wire
from lambda_function.config import parse_config
from lambda_function.request_path import RequestPath, warm_sender
from lambda_function.requests import SENTINEL_MARKER
from lambda_function.schema import wire_value
from lambda_function.tick import run_tick
from lambda_function.wire_probe import probe
from tests.handler.botocore_path import LEAN_PROBLEM, needs_lean_path

CONFIG = {
    "tables": [
        {"name": "strings", "read": True, "write": True, "indexes": [{"name": "by_user", "read": True, "write": True}]},
        {"name": "numbers", "read": True, "write": True},
        {"name": "colliding", "read": True, "write": True},
    ]
}
DIMENSIONS = 2 + 2 + 2 + 2  # strings (table and index, read and write), numbers, colliding


@pytest.fixture
def tables(aws):
    aws.table(
        TableSpec("strings", ("pk", "S"), ("sk", "S"), indexes=(IndexSpec("by_user", ("user", "S")),)), scaled=False
    )
    aws.table(TableSpec("numbers", ("n", "N")), scaled=False)
    aws.table(TableSpec("colliding", ("pk", "S"), ("sk", "S"), items=(COLLIDING_ITEM,)), scaled=False)
    return aws


def fresh_client():
    """A client as a cold start makes it: its warm sender not probed yet."""
    return boto3.client("dynamodb", config=main.boto_config(4))


def tick(aws, client) -> dict:
    return run_tick(
        parse_config(json.dumps(CONFIG)), dynamodb=client, autoscaling=aws.autoscaling, cache=aws.cache
    ).as_dict()


def wire_sends(client) -> list[str]:
    """Every warm request put on the wire (moto answers in the before-send hook), by operation."""
    sent: list[str] = []

    def keep(request, event_name, **_):
        operation = event_name.rsplit(".", 1)[1]
        if operation in wire.OPERATIONS.values():
            sent.append(operation)

    client.meta.events.register("before-send.dynamodb", keep)
    return sent


def assert_every_dimension_warmed(summary: dict) -> None:
    assert {t["table"]: t["status"] for t in summary["tables"]} == dict.fromkeys(
        ("strings", "numbers", "colliding"), "warmed"
    )
    assert summary["dimensions_warmed"] == DIMENSIONS


def fallback_warnings(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if getattr(r, "event", None) == "request_path_fallback"]


def test_the_tick_reports_the_path_the_cold_start_check_chose_on_this_botocore(tables, caplog):
    client = fresh_client()

    with caplog.at_level(logging.WARNING, logger="ddb_warmer"):
        summary = tick(tables, client)

    assert probe(client) == LEAN_PROBLEM
    if LEAN_PROBLEM is None:
        assert summary["request_path"] == {"path": "lean", "botocore": botocore.__version__}
        assert fallback_warnings(caplog) == []
    else:
        assert summary["request_path"] == {
            "path": "stock",
            "botocore": botocore.__version__,
            "reason": f"cold-start check: {LEAN_PROBLEM}",
        }
        assert len(fallback_warnings(caplog)) == 1
    assert_every_dimension_warmed(summary)


@pytest.mark.parametrize("internal", wire.INTERNALS)
def test_a_botocore_without_an_internal_the_lean_path_reads_warms_every_dimension_on_the_stock_path(
    tables, internal, monkeypatch, caplog
):
    tick(tables, fresh_client())  # schemas learned, the index sentinel written
    caplog.clear()  # (a botocore that takes the stock path already said so there)
    items_before = {name: users_items(tables, name) for name in ("strings", "numbers", "colliding")}
    name = next(constant for constant in dir(wire) if getattr(wire, constant) is internal and constant.isupper())
    monkeypatch.setattr(wire, name, f"{internal}_renamed")
    client = fresh_client()
    sent = wire_sends(client)

    with caplog.at_level(logging.WARNING, logger="ddb_warmer"):
        first, second = tick(tables, client), tick(tables, client)

    for summary in (first, second):
        assert_every_dimension_warmed(summary)
        assert summary["request_path"]["path"] == "stock"
        assert summary["request_path"]["botocore"] == botocore.__version__
        assert summary["request_path"]["reason"].startswith("cold-start check: ")
    assert len(sent) == 2 * DIMENSIONS  # each request sent once
    (warning,) = fallback_warnings(caplog)  # one warning for the container's life
    assert warning.levelno == logging.WARNING and warning.botocore == botocore.__version__
    assert {name: users_items(tables, name) for name in items_before} == items_before  # no user's item changed


@needs_lean_path
def test_a_lean_request_that_breaks_before_it_is_sent_is_sent_once_by_the_client_and_later_ones_too(
    tables, monkeypatch, caplog
):
    client = fresh_client()
    tick(tables, client)  # probed (lean), schemas learned
    sent = wire_sends(client)
    monkeypatch.setattr(wire, "RESOLVE_ENDPOINT", "_resolve_endpoint_ruleset_renamed")
    wire.lean(client)._endpoints.clear()  # the next request asks the endpoint rules again

    with caplog.at_level(logging.WARNING, logger="ddb_warmer"):
        first, second = tick(tables, client), tick(tables, client)

    assert_every_dimension_warmed(first)
    assert_every_dimension_warmed(second)
    assert len(sent) == 2 * DIMENSIONS
    assert first["request_path"]["path"] == second["request_path"]["path"] == "stock"
    assert "AttributeError" in first["request_path"]["reason"]
    assert warm_sender(client).report.path is RequestPath.STOCK
    assert len(fallback_warnings(caplog)) == 1


@needs_lean_path
def test_an_error_answer_the_lean_path_cannot_parse_is_not_sent_again_and_ends_as_the_clients_exception(
    tables, monkeypatch
):
    """The botocore 1.35 case: every 2xx works, the first error answer breaks the parser. The conditional
    delete that met the colliding item was answered: it is not sent again, and still ends as a kept item."""
    client = fresh_client()
    tick(tables, client)  # probed (lean)
    sent = wire_sends(client)
    items_before = tables.items("colliding")
    monkeypatch.setattr(wire, "PROTOCOL", "resolved_protocol_renamed")

    summary = run_tick(
        parse_config(json.dumps({"tables": [{"name": "colliding", "write": True, "read": False}]})),
        dynamodb=client,
        autoscaling=tables.autoscaling,
        cache=tables.cache,
    ).as_dict()

    assert sent == ["DeleteItem"]
    (table,) = summary["tables"]
    assert table["status"] == "warmed"
    assert table["dimensions"][0]["outcome"] == "ok (condition failed: existing item kept)"
    assert summary["request_path"]["path"] == "stock"
    assert tables.items("colliding") == items_before  # the real item under the sentinel key kept


@needs_lean_path
def test_an_error_answer_read_without_the_parser_is_the_clients_own_exception(tables, monkeypatch):
    client = fresh_client()
    sender = warm_sender(client)
    monkeypatch.setattr(wire, "PARSER_FACTORY", "_response_parser_factory_renamed")
    body = json.dumps({"__type": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", "message": "gone"})

    def not_found(request, **_):
        return AWSResponse(request.url, 400, {}, _Raw(body.encode()))

    client.meta.events.register("before-send.dynamodb.GetItem", not_found)
    with pytest.raises(client.exceptions.ResourceNotFoundException) as raised:
        sender.get_item(TableName="numbers", Key={"n": wire_value("N")})  # the sentinel key, as the handler sends

    assert raised.value.response["Error"] == {"Code": "ResourceNotFoundException", "Message": "gone"}
    assert sender.report.path is RequestPath.STOCK


class _Raw:
    def __init__(self, data: bytes):
        self.data = data

    def stream(self):
        yield self.data


def users_items(tables, name: str) -> list[dict]:
    """The table's items but the opt-in GSI write's sentinel item, whose index key flips each minute by design
    (a tick on either side of a minute's end writes the other value)."""
    return [item for item in tables.items(name) if SENTINEL_MARKER not in item]
