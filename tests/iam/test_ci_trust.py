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

import json

import pytest

from ddb_warmer.build.live import environments
from ddb_warmer.build.terragrunt import terragrunt
from tests.iam.ci_roles import (
    REPOSITORY,
    SUBJECT,
    accounts,
    bootstrap_unit,
    every_role,
    role_arn,
)
from tests.iam.evaluator import available, evaluate, explain

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(available() is not None, reason=f"IAM evaluator unavailable: {available()}"),
]

ISSUER = "token.actions.githubusercontent.com"
REPO = SUBJECT  # the repository's immutable ids: the default
NAMED = f"repo:{REPOSITORY}"
ENVIRONMENTS = environments()
FIRST, LAST = ENVIRONMENTS[0], ENVIRONMENTS[-1]  # the last: promoted to last
PLAN_ROLES = {f"{account}/plan" for account in accounts()}
# An environment name live/ does not hold (a GitHub Environment with no folder under live/).
UNDEPLOYED = "-".join(e.name for e in ENVIRONMENTS) + "-x"


def apply_role(environment) -> str:
    return f"{environment.account}/apply-{environment.name}"


# token: (sub, aud, the roles it may assume: "<account>/<role key>")
TOKENS = {
    "pull request": (f"{REPO}:pull_request", "sts.amazonaws.com", PLAN_ROLES),
    "push to main (merge plan, drift, doctor)": (f"{REPO}:ref:refs/heads/main", "sts.amazonaws.com", PLAN_ROLES),
    "push to another branch": (f"{REPO}:ref:refs/heads/feature", "sts.amazonaws.com", set()),
    **{
        f"environment:{e.name}": (f"{REPO}:environment:{e.name}", "sts.amazonaws.com", {apply_role(e)})
        for e in ENVIRONMENTS
    },
    "an environment live/ does not hold": (f"{REPO}:environment:{UNDEPLOYED}", "sts.amazonaws.com", set()),
    "another repository": (f"repo:octo-org@1001/other@3003:environment:{LAST.name}", "sts.amazonaws.com", set()),
    "another owner's fork, pull request": ("repo:mallory@666/ddb-warmer@4004:pull_request", "sts.amazonaws.com", set()),
    "another owner's fork, the last environment": (
        f"repo:mallory@666/ddb-warmer@4004:environment:{LAST.name}",
        "sts.amazonaws.com",
        set(),
    ),
    "same name, another repository id (deleted and re-created)": (
        f"repo:octo-org@1001/ddb-warmer@9999:environment:{LAST.name}",
        "sts.amazonaws.com",
        set(),
    ),
    "a prefix of the repository id": (
        f"repo:octo-org@1001/ddb-warmer@20:environment:{LAST.name}",
        "sts.amazonaws.com",
        set(),
    ),
    "the last environment for another audience": (f"{REPO}:environment:{LAST.name}", "api://other", set()),
    "name-based subject, roles made for ids": (f"{NAMED}:environment:{LAST.name}", "sts.amazonaws.com", set()),
}


def provider_arn(account: str) -> str:
    return f"arn:aws:iam::{account}:oidc-provider/{ISSUER}"


def assume(roles: dict, role: str, sub: str, aud: str, name: str) -> dict:
    account = roles[role]["account"]
    return {
        "id": f"{name} → {role}",
        "policies": {"identity": [], "resource": roles[role]["trust"]},
        "principal": provider_arn(account),
        "action": "sts:AssumeRoleWithWebIdentity",
        "resource": role_arn(roles[role]["name"], account),
        "context": {f"{ISSUER}:sub": sub, f"{ISSUER}:aud": aud},
    }


def decision_table(roles: dict, tokens: dict) -> dict[tuple[str, str], bool]:
    """{(token, "<account>/<role key>"): may assume} over every role of `roles` (from every_role)."""
    requests = [assume(roles, role, sub, aud, name) for name, (sub, aud, _) in tokens.items() for role in roles]
    results = evaluate(requests)
    for result in results:
        assert result["decision"] in ("Allowed", "ImplicitlyDenied"), explain(result)
    keys = [(name, role) for name in tokens for role in roles]
    return {key: result["decision"] == "Allowed" for key, result in zip(keys, results, strict=True)}


def test_each_token_assumes_exactly_the_roles_of_the_table(ci_roles):
    roles = every_role(ci_roles)
    assert set(roles) == PLAN_ROLES | {apply_role(e) for e in ENVIRONMENTS}

    table = decision_table(roles, TOKENS)

    expected = {(name, role): role in allowed for name, (_, _, allowed) in TOKENS.items() for role in roles}
    assert table == expected
    # The two promises a reviewer asks for, spelled out: an environment's token assumes no other
    # environment's apply role (in its account or another), a pull request no apply role at all.
    for mine in ENVIRONMENTS:
        assert not any(table[(f"environment:{mine.name}", apply_role(e))] for e in ENVIRONMENTS if e != mine)
    assert not any(table[("pull request", apply_role(e))] for e in ENVIRONMENTS)


def role_cases():
    return [
        pytest.param(account, key, id=f"{account}/{key}")
        for account, together in accounts().items()
        for key in ["plan", *(f"apply-{e.name}" for e in together)]
    ]


@pytest.mark.parametrize(("account", "role"), role_cases())
def test_trust_is_one_statement_with_exact_subject_and_audience(ci_roles, account, role):
    (statement,) = ci_roles[account][role]["trust"]["Statement"]

    assert statement["Effect"] == "Allow" and statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Principal"] == {"Federated": provider_arn(account)}
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


def test_name_based_subjects_are_trusted_only_when_asked_for(one_account_roles):
    """The roles of every environment in one account, asked to trust the repository by name
    (tests/iam/conftest.py: one_account_roles); every other test here reads roles made for the ids."""
    account = FIRST.account
    roles = every_role({account: one_account_roles})
    tokens = {
        "the last environment by name": (
            f"{NAMED}:environment:{LAST.name}",
            "sts.amazonaws.com",
            {f"{account}/apply-{LAST.name}"},
        ),
        "pull request by name": (f"{NAMED}:pull_request", "sts.amazonaws.com", {f"{account}/plan"}),
        "the last environment by ids": (f"{REPO}:environment:{LAST.name}", "sts.amazonaws.com", set()),
        "another repository": (f"repo:octo-org/other:environment:{LAST.name}", "sts.amazonaws.com", set()),
    }

    table = decision_table(roles, tokens)

    assert table == {(name, role): role in allowed for name, (_, _, allowed) in tokens.items() for role in roles}


def rendered_bootstrap(env: dict[str, str]):
    """`terragrunt render` of the first environment's account's bootstrap unit (`env`: its environment)."""
    return terragrunt(["render", "--json"], bootstrap_unit(FIRST.account), env, check=False)


def test_the_bootstrap_trusts_only_the_repository_it_is_told_and_brings_no_ids_or_names_of_its_own(tools_env):
    """live/_bootstrap names no repository of its own: without DDB_WARMER_GITHUB_REPOSITORY Terragrunt refuses
    the unit, and with one it is the module's github_repository, the placeholder included; it sets neither
    github_repository_ids nor name_based_subjects. The module refuses to plan the placeholder, an empty
    repository and missing ids, each saying what to write instead (tests/module/test_github_oidc_module.py),
    and trusts names only when asked (test_name_based_subjects_are_trusted_only_when_asked_for)."""
    unset = {k: v for k, v in tools_env.items() if k != "DDB_WARMER_GITHUB_REPOSITORY"}

    refused = rendered_bootstrap(unset)
    assert refused.returncode != 0 and "DDB_WARMER_GITHUB_REPOSITORY" in refused.stdout + refused.stderr

    placeholder = rendered_bootstrap({**unset, "DDB_WARMER_GITHUB_REPOSITORY": "acme/ddb-warmer"})
    inputs = json.loads(placeholder.stdout)["inputs"]
    assert inputs["github_repository"] == "acme/ddb-warmer"
    assert not {"github_repository_ids", "name_based_subjects"} & set(inputs)
