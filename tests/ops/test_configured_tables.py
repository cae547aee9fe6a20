"""doctor and estimate check what a deployed warmer warms: its listed tables and what its patterns find."""

from __future__ import annotations

import json

import boto3
from moto import mock_aws

from ddb_warmer.local.seed import TableSpec, create_table
from ddb_warmer.ops.deployment import configured_tables


class DeployedFunction:
    """The one Lambda call configured_tables makes, answered with a given WARMER_CONFIG."""

    class exceptions:
        ResourceNotFoundException = LookupError

    def __init__(self, config: dict):
        self.config = config

    def get_function_configuration(self, FunctionName):
        return {"Environment": {"Variables": {"WARMER_CONFIG": json.dumps(self.config)}}}


def test_listed_tables_come_first_then_the_tables_the_patterns_find_today(aws_credentials):
    with mock_aws():
        dynamodb = boto3.client("dynamodb")
        for name in ("prod-orders", "prod-events", "prod-tmp-1", "dev-orders"):
            create_table(dynamodb, TableSpec(name, ("pk", "S")))
        function = DeployedFunction(
            {"tables": [{"name": "prod-orders", "read": True}], "patterns": ["prod-*"], "exclude": ["prod-tmp-*"]}
        )

        tables = configured_tables(function, "ddb-warmer-prod-warmer", dynamodb)

    assert tables == ["prod-orders", "prod-events"]
