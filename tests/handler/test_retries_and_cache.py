"""Throttling is retried and then reported; the key schema is learned once and relearned on a schema error."""

from __future__ import annotations

import json
from types import SimpleNamespace

import boto3
from botocore.awsrequest import AWSResponse

from ddb_warmer.local.seed import TableSpec
from lambda_function import main
from lambda_function.config import parse_config
from lambda_function.tick import run_tick


class Throttle:
    """Answers every GetItem with a throttling error, counting the attempts."""

    def __init__(self):
        self.attempts = 0

    def __call__(self, request, **_):
        self.attempts += 1
        body = json.dumps(
            {
                "__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
                "message": "The level of configured provisioned throughput for the table was exceeded.",
            }
        )
        return AWSResponse(request.url, 400, {"x-amzn-RequestId": "r"}, RawBody(body.encode()))


class RawBody:
    """The little of a urllib3 response that botocore reads."""

    def __init__(self, data: bytes):
        self.data = data

    def stream(self):
        yield self.data


def test_throttling_is_retried_then_reported_with_its_error_code(aws, monkeypatch):
    aws.table(TableSpec("orders", ("pk", "S")), scaled=False)
    aws.table(TableSpec("events", ("pk", "S")), scaled=False)
    sleeps = []
    monkeypatch.setattr("botocore.endpoint.time", SimpleNamespace(sleep=sleeps.append))
    monkeypatch.setattr("lambda_function.wire.sleep", sleeps.append)  # the warm requests' path
    dynamodb = boto3.client("dynamodb", config=main.boto_config(4))
    throttle = Throttle()
    dynamodb.meta.events.register("before-send.dynamodb.GetItem", throttle)
    config = parse_config(json.dumps({"tables": [{"name": "orders", "read": True}, {"name": "events", "write": True}]}))

    summary = run_tick(config, dynamodb=dynamodb, autoscaling=aws.autoscaling, cache=aws.cache).as_dict()

    assert throttle.attempts == main.TOTAL_ATTEMPTS
    assert len(sleeps) == throttle.attempts - 1  # backed off between attempts
    by_table = {t["table"]: t for t in summary["tables"]}
    assert by_table["orders"]["status"] == "failed"
    assert by_table["orders"]["reason"].startswith("table read: ProvisionedThroughputExceededException")
    assert by_table["events"]["status"] == "warmed"


def test_warm_ticks_reuse_the_learned_key_schema(aws):
    aws.table(TableSpec("orders", ("pk", "S")), scaled=False)
    config = parse_config('{"tables": [{"name": "orders", "read": true}]}')

    for _ in range(3):
        run_tick(config, dynamodb=aws.dynamodb, autoscaling=aws.autoscaling, cache=aws.cache).as_dict()

    describes = [c for c in aws.recorder.calls if c[0] == "DescribeTable"]
    assert describes == [("DescribeTable", "orders", None)]


def test_a_schema_error_makes_the_next_tick_learn_the_table_again(aws):
    aws.table(TableSpec("orders", ("pk", "S")), scaled=False)
    config = parse_config('{"tables": [{"name": "orders", "read": true}]}')
    run_tick(config, dynamodb=aws.dynamodb, autoscaling=aws.autoscaling, cache=aws.cache).as_dict()
    # The table is recreated with another key type: the cached sentinel key is now wrong.
    aws.dynamodb.delete_table(TableName="orders")
    aws.table(TableSpec("orders", ("id", "N")), scaled=False)

    failed = run_tick(config, dynamodb=aws.dynamodb, autoscaling=aws.autoscaling, cache=aws.cache).as_dict()
    recovered = run_tick(config, dynamodb=aws.dynamodb, autoscaling=aws.autoscaling, cache=aws.cache).as_dict()

    assert failed["tables"][0]["status"] == "failed"
    assert "ValidationException" in failed["tables"][0]["reason"]
    assert recovered["tables"][0]["status"] == "warmed"
    assert [c for c in aws.recorder.calls if c[0] == "DescribeTable"] == [("DescribeTable", "orders", None)] * 2
