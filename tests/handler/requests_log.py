"""Every request the handler sends, with what IAM would see of it: action, resource ARN, context keys.

The handler tests record through `record_requests` (autouse in conftest.py): into IN_PROCESS, which
tests/iam/test_warmer_policy.py reads when the handler tests ran before it in the same process (one
xdist group, tests/conftest.py), and into the file DDB_WARMER_RECORD_REQUESTS names, when it is set
(test_warmer_policy.py runs the handler tests that way when they did not run in its process). Each
recorded request is then evaluated against the function's planned policy. Only calls made from the
handler's own code are recorded, not the fixtures' seeding and checks.
"""

from __future__ import annotations

import base64
import json
import os
import re
import sys
import threading
from dataclasses import dataclass, field

import boto3
import botocore.client

from lambda_function.wire import LeanDynamoDB

ACCOUNT = "123456789012"
RECORD_ENV = "DDB_WARMER_RECORD_REQUESTS"
_inside = threading.local()


def leading_key_value(value: dict) -> str:
    """A key value as IAM's dynamodb:LeadingKeys renders it (assumed: a number as written, bytes as base64)."""
    ((kind, raw),) = value.items()
    return base64.b64encode(raw).decode() if kind == "B" else str(raw)


def _from_handler() -> bool:
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_globals.get("__name__", "").startswith("lambda_function."):
            return True
        frame = frame.f_back
    return False


def _key_schema(client, table: str) -> dict:
    """DescribeTable by a client of its own (so no test's counting hook sees it), unrecorded:
    the table's and each index's partition key names."""
    _inside.active = True
    try:
        own = boto3.client("dynamodb", region_name=client.meta.region_name, endpoint_url=client.meta.endpoint_url)
        description = own.describe_table(TableName=table)["Table"]
    finally:
        _inside.active = False
    hashes = {"": [e["AttributeName"] for e in description["KeySchema"] if e["KeyType"] == "HASH"]}
    for index in description.get("GlobalSecondaryIndexes", []) + description.get("LocalSecondaryIndexes", []):
        hashes[index["IndexName"]] = [e["AttributeName"] for e in index["KeySchema"] if e["KeyType"] == "HASH"]
    return hashes


def iam_request(client, operation: str, params: dict) -> dict:
    service = client.meta.service_model.signing_name
    region = client.meta.region_name
    action = f"{'application-autoscaling' if service == 'application-autoscaling' else service}:{operation}"
    if service == "ssm":
        # GetParameters names parameters of one path (the configuration's parts): the first stands for all.
        return {
            "action": action,
            "resource": f"arn:aws:ssm:{region}:{ACCOUNT}:parameter{params['Names'][0]}",
            "context": {},
        }
    if service != "dynamodb" or operation == "ListTables":
        return {"action": action, "resource": "*", "context": {}}
    table = params["TableName"]
    resource = f"arn:aws:dynamodb:{region}:{ACCOUNT}:table/{table}"
    context: dict = {}
    if operation in ("GetItem", "DeleteItem", "UpdateItem"):
        partition = _key_schema(client, table)[""][0]
        # A key that does not fit the table (a stale schema) is refused by DynamoDB
        # anyway; IAM is asked about every value it names.
        key = [params["Key"][partition]] if partition in params["Key"] else list(params["Key"].values())
        context["dynamodb:LeadingKeys"] = [leading_key_value(value) for value in key]
    if operation == "Query":
        index = params.get("IndexName")
        if index:
            resource += f"/index/{index}"
        names = params.get("ExpressionAttributeNames", {})
        values = params.get("ExpressionAttributeValues", {})
        equal = dict(re.findall(r"(#\w+) = (:\w+)", params["KeyConditionExpression"]))
        partitions = _key_schema(client, table)[index or ""]
        # Assumed rendering of a multi-attribute partition key: one value per attribute.
        context["dynamodb:LeadingKeys"] = [
            leading_key_value(values[equal[alias]])
            for alias, name in names.items()
            if name in partitions and alias in equal
        ]
    if "Select" in params:
        context["dynamodb:Select"] = params["Select"]
    if "ReturnValues" in params:
        context["dynamodb:ReturnValues"] = params["ReturnValues"]
    if "ReturnConsumedCapacity" in params:
        context["dynamodb:ReturnConsumedCapacity"] = params["ReturnConsumedCapacity"]
    if "ProjectionExpression" in params:
        names = params.get("ExpressionAttributeNames", {})
        context["dynamodb:Attributes"] = [
            names.get(p.strip(), p.strip()) for p in params["ProjectionExpression"].split(",")
        ]
    return {"action": action, "resource": resource, "context": context}


@dataclass
class Recorded:
    """The requests recorded in this process (JSON lines, as in the file) and the tests that recorded them."""

    lines: list[str] = field(default_factory=list)
    tests: set[str] = field(default_factory=set)


IN_PROCESS = Recorded()


class RequestRecorder:
    def __init__(self, path: str | None):
        self.path = path
        self.lock = threading.Lock()
        self.original = botocore.client.BaseClient._make_api_call
        self.original_lean = LeanDynamoDB.send

    def install(self, monkeypatch) -> None:
        recorder = self

        def record(client, operation, params):
            if not getattr(_inside, "active", False) and _from_handler():
                line = json.dumps({"operation": operation, **iam_request(client, operation, params)})
                with recorder.lock:
                    IN_PROCESS.lines.append(line)
                    if recorder.path:
                        with open(recorder.path, "a") as log:
                            log.write(line + "\n")

        def recording(client, operation, params):
            record(client, operation, params)
            return recorder.original(client, operation, params)

        def recording_lean(sender, operation, params):  # the warm requests' path (lambda_function/wire.py)
            record(sender.client, operation, params)
            return recorder.original_lean(sender, operation, params)

        monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", recording)
        monkeypatch.setattr(LeanDynamoDB, "send", recording_lean)


def recording_path() -> str | None:
    return os.environ.get(RECORD_ENV)
