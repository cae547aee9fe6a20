"""No CI role can make itself admin or read what is not ours: every escalation attempt against every CI role.

Every account's bootstrap unit of live/ is applied to the emulator (once per worker, with
tests/live/test_github_oidc.py) and each role's
policies are read back from IAM; the IAM evaluator decides every attempt
(tests/iam/escalation.py) for each account's plan role and each apply role. All are denied; the warmer's own deploy,
with the boundary, stays allowed for its environment's apply role. The table is
printed (pytest -s, or `python -m tests.iam.escalation`).
"""

from __future__ import annotations

import json

import pytest

from tests.iam.ci_roles import accounts, every_role
from tests.iam.escalation import boundary_matrix, deploy, escalations, matrix, render
from tests.iam.evaluator import available, explain

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(available() is not None, reason=f"IAM evaluator unavailable: {available()}"),
]


@pytest.fixture(scope="session")
def applied(bootstraps):
    """{account: AppliedAccount}: every account's bootstrap as applied (tests/conftest.py: bootstraps)."""
    return bootstraps[1]


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


def test_a_role_made_under_the_boundary_sends_only_the_warmers_requests_and_only_from_inside_a_warmer(applied, roles):
    """The boundary is the function's promise: a role an apply role made, given every right, cannot reach a
    customer's item, a table's data in bulk, another service's secrets or another function, and its
    credentials used outside Lambda do nothing; the warmer's own sentinel requests from inside stay allowed."""
    table, wrong = boundary_matrix(roles, {account: done.boundary for account, done in applied.items()})

    print("\n" + render(table, "a role made under the boundary, with every right"))
    assert wrong == []
    apply_roles = [key for key, role in roles.items() if role["key"].startswith("apply-")]
    assert all(len(row) == len(apply_roles) for row in table.values())
    assert sum(r["decision"] != "Allowed" for row in table.values() for r in row.values()) >= 30 * len(apply_roles)
