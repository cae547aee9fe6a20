"""Who may assume which CI role: a table of GitHub OIDC tokens against every role, on the planned trust policies.

Each token is what GitHub puts in `sub` for that kind of job
(https://docs.github.com/en/actions/reference/security/oidc): a job that names an
environment gets "environment:<name>" whatever its branch or event, so only the
environment's protection rules (reviewers, deployment branches) stand between a
branch and an apply role; "pull_request" and "ref:…" come only from jobs without
an environment. Decisions come from the IAM evaluator on the planned documents,
and the documents' conditions are checked as written too (exact values, no wildcard).
"""

from __future__ import annotations

import pytest

from tests.iam.ci_roles import planned_roles, role_arn
from tests.iam.evaluator import available, evaluate, explain

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(available() is not None, reason=f"IAM evaluator unavailable: {available()}"),
]

ISSUER = "token.actions.githubusercontent.com"
REPO = "repo:acme/ddb-warmer"
ROLES = ("plan", "apply-dev", "apply-prod")

# token: (sub, aud, the roles it may assume)
TOKENS = {
    "pull request": (f"{REPO}:pull_request", "sts.amazonaws.com", {"plan"}),
    "push to main (merge plan, drift, doctor)": (f"{REPO}:ref:refs/heads/main", "sts.amazonaws.com", {"plan"}),
    "push to another branch": (f"{REPO}:ref:refs/heads/feature", "sts.amazonaws.com", set()),
    "environment:dev": (f"{REPO}:environment:dev", "sts.amazonaws.com", {"apply-dev"}),
    "environment:prod": (f"{REPO}:environment:prod", "sts.amazonaws.com", {"apply-prod"}),
    "environment:staging (not deployed)": (f"{REPO}:environment:staging", "sts.amazonaws.com", set()),
    "another repository": ("repo:acme/other:environment:prod", "sts.amazonaws.com", set()),
    "another owner's fork, pull request": ("repo:mallory/ddb-warmer:pull_request", "sts.amazonaws.com", set()),
    "another owner's fork, environment:prod": ("repo:mallory/ddb-warmer:environment:prod", "sts.amazonaws.com", set()),
    "a prefix of the repository name": ("repo:acme/ddb-warmer-x:environment:prod", "sts.amazonaws.com", set()),
    "environment:prod for another audience": (f"{REPO}:environment:prod", "api://other", set()),
    "immutable-id subject, roles made for names": (
        "repo:acme@1001/ddb-warmer@2002:environment:prod",
        "sts.amazonaws.com",
        set(),
    ),
}


def assume(roles: dict, role: str, sub: str, aud: str, name: str) -> dict:
    return {
        "id": f"{name} → {role}",
        "policies": {"identity": [], "resource": roles[role]["trust"]},
        "principal": f"arn:aws:iam::123456789012:oidc-provider/{ISSUER}",
        "action": "sts:AssumeRoleWithWebIdentity",
        "resource": role_arn(roles[role]["name"]),
        "context": {f"{ISSUER}:sub": sub, f"{ISSUER}:aud": aud},
    }


def decision_table(roles: dict, tokens: dict) -> dict[tuple[str, str], bool]:
    requests = [assume(roles, role, sub, aud, name) for name, (sub, aud, _) in tokens.items() for role in ROLES]
    results = evaluate(requests)
    for result in results:
        assert result["decision"] in ("Allowed", "ImplicitlyDenied"), explain(result)
    keys = [(name, role) for name in tokens for role in ROLES]
    return {key: result["decision"] == "Allowed" for key, result in zip(keys, results, strict=True)}


def test_each_token_assumes_exactly_the_roles_of_the_table(ci_roles):
    assert set(ci_roles) == set(ROLES)

    table = decision_table(ci_roles, TOKENS)

    expected = {(name, role): role in allowed for name, (_, _, allowed) in TOKENS.items() for role in ROLES}
    assert table == expected
    # The two promises a reviewer asks for, spelled out.
    assert not table[("environment:dev", "apply-prod")]
    assert not any(table[("pull request", role)] for role in ("apply-dev", "apply-prod"))


@pytest.mark.parametrize("role", ROLES)
def test_trust_is_one_statement_with_exact_subject_and_audience(ci_roles, role):
    (statement,) = ci_roles[role]["trust"]["Statement"]

    assert statement["Effect"] == "Allow" and statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Principal"] == {"Federated": f"arn:aws:iam::123456789012:oidc-provider/{ISSUER}"}
    assert set(statement["Condition"]) == {"StringEquals"}  # no StringLike: no wildcard subject
    conditions = statement["Condition"]["StringEquals"]
    assert conditions[f"{ISSUER}:aud"] == "sts.amazonaws.com"
    subjects = conditions[f"{ISSUER}:sub"]
    subjects = sorted(subjects if isinstance(subjects, list) else [subjects])
    if role == "plan":
        assert subjects == [f"{REPO}:pull_request", f"{REPO}:ref:refs/heads/main"]
    else:
        assert subjects == [f"{REPO}:environment:{role.removeprefix('apply-')}"]
    assert not any("*" in s or "?" in s for s in subjects)


def test_a_repository_with_immutable_ids_is_trusted_by_its_id_subject_only(emulator_env):
    roles = planned_roles(emulator_env, {"TF_VAR_github_repository_ids": "{owner = 1001, repository = 2002}"})
    ids = "repo:acme@1001/ddb-warmer@2002"
    tokens = {
        "environment:prod by ids": (f"{ids}:environment:prod", "sts.amazonaws.com", {"apply-prod"}),
        "pull request by ids": (f"{ids}:pull_request", "sts.amazonaws.com", {"plan"}),
        "environment:prod by name": (f"{REPO}:environment:prod", "sts.amazonaws.com", set()),
        "another repository id": ("repo:acme@1001/ddb-warmer@9999:environment:prod", "sts.amazonaws.com", set()),
    }

    table = decision_table(roles, tokens)

    assert table == {(name, role): role in allowed for name, (_, _, allowed) in tokens.items() for role in ROLES}
