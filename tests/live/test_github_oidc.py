"""The CI roles' unit (live/_bootstrap/github-oidc), planned on the emulator: who may assume what."""

from __future__ import annotations

import json

import pytest

from ddb_warmer.build.terragrunt import LIVE, terragrunt

from .test_environments import assert_no_deprecation_warning

pytestmark = pytest.mark.slow

UNIT = LIVE / "_bootstrap" / "github-oidc"
REPO = "acme/ddb-warmer"


@pytest.fixture(scope="module")
def plan(emulator_env):
    run = terragrunt(["plan", "-out=tfplan"], UNIT, emulator_env)
    assert_no_deprecation_warning(run)
    shown = terragrunt(["show", "--tf-forward-stdout", "-json", "tfplan"], UNIT, emulator_env)
    return {c["address"]: c["change"]["after"] for c in json.loads(shown.stdout)["resource_changes"]}


def trust(plan, role: str) -> dict:
    (statement,) = json.loads(plan[f'aws_iam_role.ci["{role}"]']["assume_role_policy"])["Statement"]
    return statement


def test_the_plan_role_trusts_only_this_repositorys_pull_requests_and_main(plan):
    statement = trust(plan, "plan")

    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Principal"]["Federated"].endswith(":oidc-provider/token.actions.githubusercontent.com")
    conditions = statement["Condition"]["StringEquals"]
    assert conditions["token.actions.githubusercontent.com:aud"] == "sts.amazonaws.com"
    assert sorted(conditions["token.actions.githubusercontent.com:sub"]) == [
        f"repo:{REPO}:pull_request",
        f"repo:{REPO}:ref:refs/heads/main",
    ]
    assert "StringLike" not in statement["Condition"]  # no wildcard subject


def test_the_apply_role_trusts_only_main_and_the_deployment_environments(plan):
    conditions = trust(plan, "apply")["Condition"]["StringEquals"]

    assert sorted(conditions["token.actions.githubusercontent.com:sub"]) == [
        f"repo:{REPO}:environment:dev",
        f"repo:{REPO}:environment:prod",
        f"repo:{REPO}:ref:refs/heads/main",
    ]


def test_the_plan_role_reads_and_may_only_lock_the_state(plan):
    assert (
        plan["aws_iam_role_policy_attachment.plan_read_only"]["policy_arn"] == "arn:aws:iam::aws:policy/ReadOnlyAccess"
    )
    statements = {s["Sid"]: s for s in json.loads(plan["aws_iam_role_policy.plan"]["policy"])["Statement"]}
    assert statements["StateLock"]["Resource"].endswith("/*.tflock")
    writes = [s for s in statements.values() if any(a in s["Action"] for a in ("s3:PutObject", "s3:DeleteObject"))]
    assert [s["Sid"] for s in writes] == ["StateLock"]


def test_the_apply_role_manages_only_resources_named_like_the_warmer(plan):
    statements = json.loads(plan["aws_iam_role_policy.apply"]["policy"])["Statement"]

    for statement in statements:
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        if statement["Sid"] == "ReadWithoutResourceScope":
            assert sorted(statement["Action"]) == ["logs:DescribeLogGroups", "sts:GetCallerIdentity"]
            continue
        assert all(r != "*" for r in resources), statement
        if statement["Sid"].startswith("Warmer"):
            assert all("ddb-warmer-" in r for r in resources), statement
