"""Tables in moto's in-process mock, and clients that record every request they send."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import boto3
import pytest
from moto import mock_aws

from ddb_warmer.local.seed import TableSpec, create_table, seed_table
from lambda_function.config import parse_config
from lambda_function.schema import SchemaCache
from lambda_function.tick import run_tick
from tests.handler.requests_log import IN_PROCESS, RequestRecorder, recording_path


@dataclass
class Recorder:
    """Every DynamoDB operation a client sent, as (operation, table, index)."""

    calls: list[tuple[str, str | None, str | None]] = field(default_factory=list)

    def __call__(self, model, params, **_):
        self.calls.append((model.name, params.get("TableName"), params.get("IndexName")))

    def requests(self, operations=("GetItem", "DeleteItem", "Query", "UpdateItem", "PutItem")):
        """The data-plane requests only (DescribeTable and the like left out)."""
        return sorted(c for c in self.calls if c[0] in operations)


@dataclass
class Aws:
    dynamodb: object
    autoscaling: object
    recorder: Recorder
    cache: SchemaCache

    def table(self, spec: TableSpec, scaled: bool = True) -> TableSpec:
        if scaled:
            seed_table(self.dynamodb, self.autoscaling, spec)
        else:
            create_table(self.dynamodb, spec)
        return spec

    def tick(self, config: dict, **options) -> dict:
        """One tick of the handler with `config` as WARMER_CONFIG holds it, on these clients and cache."""
        return run_tick(
            parse_config(json.dumps(config)),
            dynamodb=self.dynamodb,
            autoscaling=self.autoscaling,
            cache=self.cache,
            **options,
        ).as_dict()

    def items(self, table: str) -> list[dict]:
        items = self.dynamodb.scan(TableName=table, ConsistentRead=True)["Items"]
        return sorted(items, key=repr)


@pytest.fixture
def aws(aws_credentials):
    with mock_aws():
        dynamodb = boto3.client("dynamodb")
        recorder = Recorder()
        dynamodb.meta.events.register("provide-client-params.dynamodb.*", recorder)
        autoscaling = boto3.client("application-autoscaling")
        autoscaling.meta.events.register("provide-client-params.application-auto-scaling", recorder)
        yield Aws(dynamodb, autoscaling, recorder, SchemaCache())


@pytest.fixture(autouse=True)
def record_requests(request, monkeypatch):
    """Every request the handler sends in a test that is not slow, as IAM sees it, for the IAM tests
    (requests_log.py: in this process, and in the file DDB_WARMER_RECORD_REQUESTS names)."""
    if request.node.get_closest_marker("slow"):
        yield  # the 1,000-table tick: the same kinds of request, a thousand times
        return
    RequestRecorder(recording_path()).install(monkeypatch)
    yield
    IN_PROCESS.tests.add(request.node.nodeid)
