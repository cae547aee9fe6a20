"""No CI role can make itself admin or read what is not ours: every escalation attempt against every CI role.

Every account's bootstrap unit of live/ is applied to the emulator and each role's
policies are read back from IAM; the IAM evaluator decides every attempt
(tests/iam/escalation.py) for each account's plan role and each apply role. All are denied; the warmer's own deploy,
with the boundary, stays allowed for its environment's apply role. The table is
printed (pytest -s, or `python -m tests.iam.escalation`).
"""

from __future__ import annotations

import json

import pytest

from ddb_warmer.local.emulator import running_emulator
from tests.iam.ci_roles import accounts, applied_bootstraps, every_role, role_arn
from tests.iam.escalation import deploy, escalations, matrix, render, where_of
from tests.iam.evaluator import available, evaluate, explain

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(available() is not None, reason=f"IAM evaluator unavailable: {available()}"),
]


@pytest.fixture(scope="module")
def applied(tools_env):
    """Every account's bootstrap applied to an emulator of its own: the bootstraps create the state buckets
    the shared emulator's seeding already holds."""
    with running_emulator(name="moto-bootstraps") as emulator, applied_bootstraps(emulator) as applied:
        yield applied


@pytest.fixture(scope="module")
def roles(applied):
    return every_role({account: done.roles for account, done in applied.items()})


@pytest.fixture(scope="module")
def boundaries(applied):
    return {account: done.outputs["permissions_boundary_arn"] for account, done in applied.items()}


def test_every_escalation_attempt_is_denied_for_every_ci_role_of_every_account(roles, boundaries):
    table = matrix(roles, escalations, boundaries)

    print("\n" + render(table, "escalation attempt"))
    allowed = [
        explain(r)
        for row in table.values()
        for r in row.values()
        if r["decision"] != "ImplicitlyDenied" and r["decision"] != "ExplicitlyDenied"
    ]
    assert allowed == []
    # Every account's plan role and each environment's apply role is a column.
    assert {role.split("/")[0] for role in roles} == set(accounts())
    assert len(table) >= 20 and all(len(row) == len(roles) >= 1 + len(accounts()) for row in table.values())


def test_the_warmers_own_deploy_is_allowed_only_for_its_environments_apply_role(roles, boundaries):
    table = matrix(roles, deploy, boundaries)

    print("\n" + render(table, "the warmer's own deploy"))
    for label, row in table.items():
        for role, result in row.items():
            expected = roles[role]["key"].startswith("apply-") or label.startswith("read ")
            assert (result["decision"] == "Allowed") == expected, explain(result)


def canonical(documents: list[dict]) -> list[str]:
    return sorted(json.dumps(d, sort_keys=True) for d in documents)


def test_iam_holds_exactly_the_planned_documents_of_every_ci_role(applied):
    for account, done in applied.items():
        assert set(done.roles) == set(done.planned), account
        for key, role in done.roles.items():
            assert role["trust"] == done.planned[key]["trust"], f"{account}/{key}"
            assert canonical(role["policies"]) == canonical(done.planned[key]["policies"]), f"{account}/{key}"


# What a role created with the boundary can never do, whatever inline policy it is given, and what the
# warmer's function and scheduler roles need (modules/dynamodb-warmer/iam.tf): in its account, with its
# environment's names.
def beyond_the_boundary(account: str, environment: str, region: str) -> list[tuple[str, str]]:
    where = f"{region}:{account}"
    return [
        ("iam:CreateRole", role_arn(f"ddb-warmer-{environment}-x", account)),
        ("iam:PassRole", role_arn(f"ddb-warmer-{environment}-warmer-{region}", account)),
        ("sts:AssumeRole", role_arn("OrganizationAccountAccessRole", account)),
        ("lambda:UpdateFunctionCode", f"arn:aws:lambda:{where}:function:payments-api"),
        ("lambda:InvokeFunction", f"arn:aws:lambda:{where}:function:payments-api"),
        ("dynamodb:Scan", f"arn:aws:dynamodb:{where}:table/{environment}-orders"),
        ("s3:GetObject", "arn:aws:s3:::customer-exports/orders.csv"),
        ("secretsmanager:GetSecretValue", f"arn:aws:secretsmanager:{where}:secret:{environment}/db-AbCdEf"),
        ("ec2:RunInstances", f"arn:aws:ec2:{where}:instance/*"),
    ]


def within_the_boundary(account: str, environment: str, region: str) -> list[tuple[str, str]]:
    where, name = f"{region}:{account}", f"ddb-warmer-{environment}-warmer"
    table = f"arn:aws:dynamodb:{where}:table/{environment}-orders"
    return [
        ("dynamodb:GetItem", table),
        ("dynamodb:DeleteItem", table),
        ("dynamodb:UpdateItem", table),
        ("dynamodb:Query", f"{table}/index/by_user"),
        ("dynamodb:DescribeTable", table),
        ("dynamodb:DescribeTimeToLive", table),
        ("dynamodb:ListTables", "*"),
        ("application-autoscaling:DescribeScalableTargets", "*"),
        ("logs:PutLogEvents", f"arn:aws:logs:{where}:log-group:/aws/lambda/{name}:log-stream:x"),
        ("lambda:InvokeFunction", f"arn:aws:lambda:{where}:function:{name}"),
        ("sqs:SendMessage", f"arn:aws:sqs:{where}:{name}-dlq"),
    ]


EVERYTHING = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def test_a_role_with_the_boundary_is_capped_to_what_a_warmer_needs_even_with_admin_rights(applied, roles):
    requests, beyond = [], set()
    for key, role in roles.items():
        if not role["key"].startswith("apply-"):
            continue
        at = where_of(role)
        principal = role_arn(f"ddb-warmer-{at.environment}-warmer-{at.region}", at.account)
        boundary = applied[at.account].boundary
        cases = beyond_the_boundary(at.account, at.environment, at.region)
        beyond |= {f"{key}: {a} on {r}" for a, r in cases}
        for action, resource in cases + within_the_boundary(at.account, at.environment, at.region):
            requests.append(
                {
                    "id": f"{key}: {action} on {resource}",
                    "policies": {"identity": [EVERYTHING], "permissionBoundaries": [boundary]},
                    "principal": principal,
                    "action": action,
                    "resource": resource,
                }
            )

    decided = evaluate(requests)

    allowed_beyond = [explain(r) for r in decided if r["id"] in beyond and r["decision"] == "Allowed"]
    denied_within = [explain(r) for r in decided if r["id"] not in beyond and r["decision"] != "Allowed"]
    assert allowed_beyond == [] and denied_within == []
    assert len(decided) == 20 * (len(roles) - len(accounts()))
