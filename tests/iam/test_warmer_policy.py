"""The function's policy, as planned for 10, 40 and 400 tables and for name patterns, judged by the IAM evaluator.

Proves four things on policies read from a real plan (`terraform show -json` on the emulator):
its size does not grow with the table count; every request the handler sends anywhere in the
handler tests (recorded with the context keys AWS sets) is allowed; a battery of requests
that would read or change a user's data, or a table, is denied; and the function reads its own
configuration parameters, no one else's, only when its configuration is too large for its environment.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from ddb_warmer.build.toolenv import ROOT
from lambda_function.schema import SENTINEL_VALUES
from tests.handler.requests_log import ACCOUNT, IN_PROCESS, RECORD_ENV, leading_key_value
from tests.iam.evaluator import ALLOWED, available, evaluate, explain
from tests.module.conftest import terraform

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(available() is not None, reason=f"IAM evaluator unavailable: {available()}"),
]

MODULE = ROOT / "modules" / "dynamodb-warmer"
REGION = "eu-west-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/policy-test-warmer-{REGION}"
TABLE = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table"
SENTINEL = SENTINEL_VALUES["S"]


def names(count: int) -> list[dict]:
    """`count` tables with typical long names; one warms a GSI write, so UpdateItem and TTL reads are in."""
    tables = [{"name": f"a-rather-long-application-table-name-{i:03d}"} for i in range(count)]
    tables[0] = {**tables[0], "indexes": [{"name": "by_user", "write": True}]}
    return tables


CONFIGURATIONS = {
    "10 tables": {"tables": names(10)},
    "40 tables": {"tables": names(40), "table_name_patterns": ["app-*"]},
    "400 tables": {"tables": names(400), "table_name_patterns": ["app-*"]},
    "patterns": {
        "tables": [],
        "table_name_patterns": ["prod-*", "app-*"],
        "exclude_table_name_patterns": ["prod-tmp-*"],
    },
}


@pytest.fixture(scope="module")
def planned_policies(tmp_path_factory, emulator_env) -> dict[str, dict]:
    """The function's policy document for each configuration, from one plan: a module instance per
    configuration, so the provider loads once."""
    folder = tmp_path_factory.mktemp("policy-plans")
    (folder / "setups.auto.tfvars.json").write_text(json.dumps({"setups": CONFIGURATIONS}))
    (folder / "main.tf").write_text(f"""
provider "aws" {{
  region = "{REGION}"
}}

variable "setups" {{
  type = any
}}

module "warmer" {{
  for_each                    = var.setups
  source                      = "{MODULE.parent}//{MODULE.name}"
  name_prefix                 = "policy-test"
  package_path                = "{MODULE}/tests/fixture-package.zip"
  tables                      = each.value.tables
  table_name_patterns         = try(each.value.table_name_patterns, [])
  exclude_table_name_patterns = try(each.value.exclude_table_name_patterns, [])
}}
""")
    terraform(["init", "-input=false"], folder, emulator_env)
    terraform(["plan", "-input=false", "-out=tfplan"], folder, emulator_env)
    plan = json.loads(terraform(["show", "-json", "tfplan"], folder, emulator_env).stdout)
    policies = {
        change["module_address"]: change["change"]["after"]["policy"]  # as IAM stores it: minified
        for change in plan["resource_changes"]
        if change["address"].endswith(".aws_iam_role_policy.lambda")
    }
    return {name: policies[f'module.warmer["{name}"]'] for name in CONFIGURATIONS}


@pytest.fixture(scope="module")
def policies(planned_policies) -> dict[str, dict]:
    return {name: json.loads(text) for name, text in planned_policies.items()}


@pytest.fixture(scope="module")
def recorded_requests(request, tmp_path_factory) -> list[dict]:
    """Every distinct request the handler sends in the (fast) handler tests, as IAM sees it: as they
    recorded it in this process, when every one of them ran here before (make test: one xdist group,
    tests/conftest.py); else from a run of them of its own."""
    handler_tests = {
        item.nodeid
        for item in request.session.items
        if item.nodeid.startswith("tests/handler/") and not item.get_closest_marker("slow")
    }
    if handler_tests and handler_tests <= IN_PROCESS.tests:
        lines = IN_PROCESS.lines
    else:
        log = tmp_path_factory.mktemp("recorded") / "requests.jsonl"
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "tests/handler", "-m", "not slow", "-q", "-p", "no:cacheprovider", "-x"],
            cwd=ROOT,
            env={**os.environ, RECORD_ENV: str(log)},
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stdout[-3000:]
        lines = log.read_text().splitlines()
    unique = {line: json.loads(line) for line in lines}
    assert len(unique) > 100, "too few requests recorded to stand for the handler tests"
    return [{k: v for k, v in r.items() if k != "operation"} for r in unique.values()]


def judge(policy: dict, requests: list[dict]) -> list[dict]:
    return evaluate([{"policies": {"identity": [policy]}, "principal": ROLE, **r} for r in requests])


def test_the_policy_has_the_same_size_for_40_and_400_tables_and_fits_iams_limit(planned_policies):
    size = {name: len(text) for name, text in planned_policies.items()}

    assert size["40 tables"] == size["400 tables"], size
    assert max(size.values()) <= 10_240, size
    print(f"policy characters: {size}")


def test_every_request_the_handler_sends_is_allowed_by_the_policy_for_400_tables(policies, recorded_requests):
    operations = {r["action"] for r in recorded_requests}
    assert operations >= {
        "dynamodb:DescribeTable",
        "dynamodb:DescribeTimeToLive",
        "dynamodb:ListTables",
        "dynamodb:GetItem",
        "dynamodb:DeleteItem",
        "dynamodb:UpdateItem",
        "dynamodb:Query",
        "application-autoscaling:DescribeScalableTargets",
    }, operations

    results = judge(policies["400 tables"], recorded_requests)

    refused = [
        explain(r) + f" {req}" for r, req in zip(results, recorded_requests, strict=True) if r["decision"] != ALLOWED
    ]
    assert refused == []


def test_with_patterns_the_handler_is_allowed_on_matching_tables_only(policies, recorded_requests):
    on_tables = [r for r in recorded_requests if r["resource"].startswith(f"{TABLE}/")]
    table_of = [r["resource"].removeprefix(f"{TABLE}/").split("/")[0] for r in on_tables]
    matching = [t.startswith(("prod-", "app-")) for t in table_of]
    assert any(matching) and not all(matching)

    results = judge(policies["patterns"], on_tables)

    decisions = [r["decision"] for r in results]
    assert [d for d, m in zip(decisions, matching, strict=True) if m] == [ALLOWED] * sum(matching)
    assert set(d for d, m in zip(decisions, matching, strict=True) if not m) == {"ImplicitlyDenied"}


def item(action: str, key: str, **context) -> dict:
    return {"action": action, "resource": f"{TABLE}/prod-orders", "context": {"dynamodb:LeadingKeys": [key], **context}}


def index_query(context: dict, index: str = "by_user") -> dict:
    return {"action": "dynamodb:Query", "resource": f"{TABLE}/prod-orders/index/{index}", "context": context}


FORBIDDEN = {
    "Scan": {"action": "dynamodb:Scan", "resource": f"{TABLE}/prod-orders", "context": {"dynamodb:Select": "COUNT"}},
    "GetItem on a real key": item("dynamodb:GetItem", "customer#1"),
    "GetItem with no key in the context": {
        "action": "dynamodb:GetItem",
        "resource": f"{TABLE}/prod-orders",
        "context": {},
    },
    "DeleteItem of a real key": item("dynamodb:DeleteItem", "customer#1"),
    "DeleteItem of the sentinel returning the old item": item(
        "dynamodb:DeleteItem", SENTINEL, **{"dynamodb:ReturnValues": "ALL_OLD"}
    ),
    "UpdateItem of a real key": item("dynamodb:UpdateItem", "customer#1"),
    "PutItem of a real key": item("dynamodb:PutItem", "customer#1"),
    "PutItem of the sentinel": item("dynamodb:PutItem", SENTINEL),
    "BatchGetItem of the sentinel": item("dynamodb:BatchGetItem", SENTINEL),
    "BatchWriteItem of the sentinel": item("dynamodb:BatchWriteItem", SENTINEL),
    "TransactGetItems of the sentinel": item(
        "dynamodb:GetItem", SENTINEL, **{"dynamodb:EnclosingOperation": "TransactGetItems"}
    ),
    "TransactWriteItems deleting the sentinel": item(
        "dynamodb:DeleteItem", SENTINEL, **{"dynamodb:EnclosingOperation": "TransactWriteItems"}
    ),
    "ConditionCheckItem": item("dynamodb:ConditionCheckItem", SENTINEL),
    "PartiQLSelect": item("dynamodb:PartiQLSelect", SENTINEL),
    "PartiQLDelete": item("dynamodb:PartiQLDelete", SENTINEL),
    "Query of the table itself": {
        **index_query({"dynamodb:LeadingKeys": [SENTINEL], "dynamodb:Select": "COUNT"}),
        "resource": f"{TABLE}/prod-orders",
    },
    "Query of a GSI returning attributes": index_query(
        {"dynamodb:LeadingKeys": [SENTINEL], "dynamodb:Select": "ALL_PROJECTED_ATTRIBUTES"}
    ),
    "Query of a GSI without Select": index_query({"dynamodb:LeadingKeys": [SENTINEL]}),
    "Query of a GSI counting a real key": index_query(
        {"dynamodb:LeadingKeys": ["customer#1"], "dynamodb:Select": "COUNT"}
    ),
    "Query of an LSI with ALL_ATTRIBUTES": index_query(
        {"dynamodb:LeadingKeys": [SENTINEL], "dynamodb:Select": "ALL_ATTRIBUTES"}, "by_day_lsi"
    ),
    "UpdateTable": {"action": "dynamodb:UpdateTable", "resource": f"{TABLE}/prod-orders", "context": {}},
    "DeleteTable": {"action": "dynamodb:DeleteTable", "resource": f"{TABLE}/prod-orders", "context": {}},
    "UpdateTimeToLive": {"action": "dynamodb:UpdateTimeToLive", "resource": f"{TABLE}/prod-orders", "context": {}},
    "ExportTableToPointInTime": {
        "action": "dynamodb:ExportTableToPointInTime",
        "resource": f"{TABLE}/prod-orders",
        "context": {},
    },
    "GetItem of the sentinel in another region": {
        **item("dynamodb:GetItem", SENTINEL),
        "resource": f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/prod-orders",
    },
    "GetItem of the sentinel in another account": {
        **item("dynamodb:GetItem", SENTINEL),
        "resource": f"arn:aws:dynamodb:{REGION}:999999999999:table/prod-orders",
    },
}


@pytest.mark.parametrize("configuration", ["400 tables", "patterns"])
def test_requests_that_would_read_or_change_data_or_tables_are_denied(configuration, policies):
    results = judge(policies[configuration], list(FORBIDDEN.values()))

    decisions = {name: r["decision"] for name, r in zip(FORBIDDEN, results, strict=True)}
    assert decisions == dict.fromkeys(FORBIDDEN, "ImplicitlyDenied"), [
        explain(r) for r in results if r["decision"] != "ImplicitlyDenied"
    ]


def test_the_sentinel_of_each_key_type_is_allowed_as_the_policy_renders_it(policies):
    keys = [leading_key_value({kind: value if kind != "N" else str(value)}) for kind, value in SENTINEL_VALUES.items()]

    results = judge(policies["400 tables"], [item("dynamodb:GetItem", key) for key in keys])

    assert [r["decision"] for r in results] == [ALLOWED] * 3


PARAMETER = f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter"


def ssm(action: str, name: str) -> dict:
    return {"action": f"ssm:{action}", "resource": f"{PARAMETER}{name}", "context": {}}


def test_a_large_configuration_is_readable_from_its_own_parameters_only(policies):
    requests = [
        ssm("GetParameters", "/policy-test-warmer/config/000"),
        ssm("GetParameters", "/policy-test-warmer/config/012"),
        ssm("GetParameters", "/other-app/database-password"),
        ssm("GetParameters", "/policy-test-warmer/other"),
        ssm("GetParameter", "/policy-test-warmer/config/000"),
        ssm("GetParametersByPath", "/policy-test-warmer/config"),
        ssm("PutParameter", "/policy-test-warmer/config/000"),
        ssm("DeleteParameter", "/policy-test-warmer/config/000"),
    ]

    decisions = [r["decision"] for r in judge(policies["400 tables"], requests)]

    assert decisions[:2] == [ALLOWED, ALLOWED]
    assert all(d != ALLOWED for d in decisions[2:]), decisions


def test_a_configuration_in_the_environment_grants_no_parameter_read(policies):
    (result,) = judge(policies["10 tables"], [ssm("GetParameters", "/policy-test-warmer/config/000")])

    assert result["decision"] != ALLOWED
