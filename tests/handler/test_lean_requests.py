"""The lean request path (lambda_function/wire.py) sends what the stock client sends, signed as botocore
signs it, and ends the same way: same outcomes, same capacity, errors raised as the client's own classes."""

from __future__ import annotations

import datetime
import json
from types import SimpleNamespace

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest, AWSResponse
from botocore.credentials import Credentials
from botocore.exceptions import EndpointConnectionError

from ddb_warmer.local.seed import COLLIDING_ITEM, IndexSpec, TableSpec
from lambda_function import main
from lambda_function.config import parse_config
from lambda_function.schema import wire_value
from lambda_function.tick import run_tick
from lambda_function.wire import CONTENT_TYPE, LeanDynamoDB, lean, sigv4_headers, wire_body
from tests.handler.botocore_path import needs_lean_path

NOW = datetime.datetime(2026, 12, 1, 5, 30, 7, tzinfo=datetime.UTC)
CONFIG = {
    "tables": [
        {"name": "strings", "read": True, "write": True, "indexes": [{"name": "by_user", "read": True, "write": True}]},
        {"name": "numbers", "read": True, "write": True},
        {"name": "blobs", "read": True, "write": True},
        {"name": "colliding", "read": True, "write": True},
    ]
}

# The table read of "numbers" as requests.table_read sends it (the IAM proof records lean sends as the handler's).
TABLE_READ = {
    "TableName": "numbers",
    "Key": {"n": wire_value("N")},
    "ConsistentRead": False,
    "ProjectionExpression": "#pk",
    "ExpressionAttributeNames": {"#pk": "n"},
    "ReturnConsumedCapacity": "TOTAL",
}


class Body:
    def __init__(self, data: bytes):
        self.data = data

    def stream(self):
        yield self.data


def answer(status: int, body: dict):
    def send(request, **_):
        return AWSResponse(request.url, status, {"x-amzn-RequestId": "r"}, Body(json.dumps(body).encode()))

    return send


@pytest.fixture
def tables(aws):
    aws.table(
        TableSpec("strings", ("pk", "S"), ("sk", "S"), indexes=(IndexSpec("by_user", ("user", "S")),)), scaled=False
    )
    aws.table(TableSpec("numbers", ("n", "N")), scaled=False)
    aws.table(TableSpec("blobs", ("b", "B"), ("n", "N")), scaled=False)
    aws.table(TableSpec("colliding", ("pk", "S"), ("sk", "S"), items=(COLLIDING_ITEM,)), scaled=False)
    return aws


def wire_requests(client) -> list:
    """Every warm request as it goes on the wire: (X-Amz-Target, JSON body)."""
    sent = []

    def keep(request, event_name, **_):
        if not event_name.endswith(("DescribeTable", "DescribeTimeToLive")):
            target = request.headers["X-Amz-Target"]
            sent.append((target.decode() if isinstance(target, bytes) else target, json.loads(request.body)))

    client.meta.events.register("before-send.dynamodb", keep)
    return sent


def without_timing(summary: dict) -> dict:
    summary = json.loads(json.dumps(summary))
    summary.pop("duration_ms")
    summary.pop("request_path")  # which path the requests took: the one thing meant to differ
    for table in summary["tables"]:
        for dimension in table["dimensions"]:
            dimension.pop("duration_ms")
        table["dimensions"].sort(key=lambda d: (d["index"] or "", d["dimension"]))
    return summary


@needs_lean_path  # it freezes the clock through botocore.auth.get_current_datetime, not in botocore 1.35
@pytest.mark.parametrize("token", [None, "session-token"])
@pytest.mark.parametrize("url", ["https://dynamodb.eu-west-1.amazonaws.com/", "http://127.0.0.1:5000/"])
def test_the_lean_signature_is_the_one_botocore_computes(url, token, monkeypatch):
    monkeypatch.setattr("botocore.auth.get_current_datetime", lambda: NOW.replace(tzinfo=None))
    body = wire_body({"TableName": "orders", "Key": {"b": {"B": b"\x00k"}}, "ReturnConsumedCapacity": "TOTAL"})
    target = "DynamoDB_20120810.GetItem"
    lean_headers = sigv4_headers(
        url=url,
        region="eu-west-1",
        service="dynamodb",
        target=target,
        body=body,
        access_key="AKIDEXAMPLE",
        secret_key="secret",
        token=token,
        stamp=NOW.strftime("%Y%m%dT%H%M%SZ"),
        signing_keys={},
    )
    request = AWSRequest("POST", url, data=body, headers={"Content-Type": CONTENT_TYPE, "X-Amz-Target": target})
    SigV4Auth(Credentials("AKIDEXAMPLE", "secret", token), "dynamodb", "eu-west-1").add_auth(request)

    assert lean_headers["Authorization"] == request.headers["Authorization"]
    assert lean_headers["X-Amz-Date"] == request.headers["X-Amz-Date"]
    assert lean_headers.get("X-Amz-Security-Token") == request.headers.get("X-Amz-Security-Token")


@needs_lean_path
def test_a_tick_sends_the_same_requests_and_reports_the_same_outcomes_lean_as_through_the_client(tables, monkeypatch):
    monkeypatch.setattr("lambda_function.requests.time", SimpleNamespace(time=lambda: NOW.timestamp()))
    stock_client = boto3.client("dynamodb", config=main.boto_config(4))
    lean_client = boto3.client("dynamodb", config=main.boto_config(4))
    tick_on(tables, stock_client, CONFIG, sender=stock_client)  # schemas learned, the index sentinel written
    stock_sent, lean_sent = wire_requests(stock_client), wire_requests(lean_client)
    items_before = {name: tables.items(name) for name in ("strings", "numbers", "blobs", "colliding")}

    stock = tick_on(tables, stock_client, CONFIG, sender=stock_client)
    lean_summary = tick_on(tables, lean_client, CONFIG)

    assert sorted(lean_sent, key=repr) == sorted(stock_sent, key=repr)
    operations = {target.rsplit(".", 1)[1] for target, _ in lean_sent}
    assert operations == {"GetItem", "DeleteItem", "Query", "UpdateItem"}
    assert without_timing(lean_summary) == without_timing(stock)
    assert (lean_summary["request_path"]["path"], stock["request_path"]["path"]) == ("lean", "stock")
    outcomes = {t["table"]: t["status"] for t in lean_summary["tables"]}
    assert outcomes == dict.fromkeys(("strings", "numbers", "blobs", "colliding"), "warmed")
    colliding = next(t for t in lean_summary["tables"] if t["table"] == "colliding")
    write = next(d for d in colliding["dimensions"] if d["dimension"] == "write")
    assert write["outcome"] == "ok (condition failed: existing item kept)" and write["consumed"] is None
    assert {name: tables.items(name) for name in items_before} == items_before  # no item changed


def tick_on(aws, client, config: dict, **options) -> dict:
    return run_tick(
        parse_config(json.dumps(config)), dynamodb=client, autoscaling=aws.autoscaling, cache=aws.cache, **options
    ).as_dict()


@pytest.mark.parametrize(
    ("status", "error_type", "code"),
    [
        (400, "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", "ResourceNotFoundException"),
        (400, "com.amazon.coral.validate#ValidationException", "ValidationException"),
        (400, "com.amazon.coral.service#AccessDeniedException", "AccessDeniedException"),
    ],
)
@needs_lean_path
def test_an_error_answer_is_raised_as_the_clients_own_exception(tables, status, error_type, code):
    client = boto3.client("dynamodb", config=main.boto_config(4))
    client.meta.events.register("before-send.dynamodb.GetItem", answer(status, {"__type": error_type, "message": "no"}))
    params = dict(TABLE_READ)

    with pytest.raises(client.exceptions.ClientError) as stock:
        client.get_item(**params)
    with pytest.raises(client.exceptions.ClientError) as lean_error:
        lean(client).get_item(**params)

    assert type(lean_error.value) is type(stock.value)
    assert lean_error.value.response["Error"] == stock.value.response["Error"] == {"Code": code, "Message": "no"}
    assert str(lean_error.value) == str(stock.value)


def test_a_connection_that_keeps_failing_is_retried_then_reported(tables, monkeypatch):
    tables.tick({"tables": [{"name": "numbers", "read": True}]})  # schema learned
    client = boto3.client("dynamodb", config=main.boto_config(4))
    monkeypatch.setattr("lambda_function.wire.sleep", lambda _seconds: None)
    attempts = []

    def refuse(request, **_):
        attempts.append(request.url)
        raise EndpointConnectionError(endpoint_url=request.url)

    client.meta.events.register("before-send.dynamodb.GetItem", refuse)
    summary = tick_on(tables, client, {"tables": [{"name": "numbers", "read": True}]})

    assert len(attempts) == main.TOTAL_ATTEMPTS
    (table,) = summary["tables"]
    assert table["status"] == "failed"
    assert table["reason"].startswith("table read: EndpointConnectionError: Could not connect to the endpoint URL")


def test_each_client_has_one_lean_sender_and_observers_still_see_each_request(tables):
    client = boto3.client("dynamodb", config=main.boto_config(4))
    seen = []
    client.meta.events.register("provide-client-params.dynamodb.GetItem", lambda params, **_: seen.append(params))

    lean(client).get_item(**TABLE_READ)

    assert lean(client) is lean(client) and isinstance(lean(client), LeanDynamoDB)
    assert seen == [TABLE_READ]
