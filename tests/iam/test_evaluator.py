"""The evaluator the permission tests rely on: it must judge conditions the way IAM documents them.

Each case is one rule of IAM's policy evaluation logic that a permission test in
this repository depends on; if an upgrade of the evaluator changes one, these fail
before any policy test can pass for the wrong reason.
"""

from __future__ import annotations

import pytest

from tests.iam.evaluator import available, evaluate

pytestmark = pytest.mark.skipif(available() is not None, reason=f"IAM evaluator unavailable: {available()}")

ROLE = "arn:aws:iam::123456789012:role/warmer"
TABLE = "arn:aws:dynamodb:eu-west-1:123456789012:table/orders"
SENTINEL = "__ddb_warmer_sentinel__"

ITEM_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["dynamodb:GetItem", "dynamodb:Query"],
            "Resource": "arn:aws:dynamodb:*:123456789012:table/*",
            "Condition": {
                "ForAllValues:StringEquals": {"dynamodb:LeadingKeys": [SENTINEL]},
                "Null": {"dynamodb:LeadingKeys": "false"},
            },
        },
        {
            "Effect": "Deny",
            "Action": "dynamodb:Query",
            "Resource": "*",
            "Condition": {"StringNotEquals": {"dynamodb:Select": "COUNT"}},
        },
    ],
}


def request(action, context, resource=TABLE, policies=None):
    return {
        "policies": policies or {"identity": [ITEM_POLICY]},
        "principal": ROLE,
        "action": action,
        "resource": resource,
        "context": context,
    }


CASES = {
    "sentinel key allowed": (request("dynamodb:GetItem", {"dynamodb:LeadingKeys": [SENTINEL]}), "Allowed"),
    "another key denied": (request("dynamodb:GetItem", {"dynamodb:LeadingKeys": ["customer-1"]}), "ImplicitlyDenied"),
    "sentinel mixed with another key denied": (
        request("dynamodb:GetItem", {"dynamodb:LeadingKeys": [SENTINEL, "customer-1"]}),
        "ImplicitlyDenied",
    ),
    "no leading key (a Scan-like request) denied by the Null check": (
        request("dynamodb:GetItem", {}),
        "ImplicitlyDenied",
    ),
    "Query with Select COUNT allowed": (
        request("dynamodb:Query", {"dynamodb:LeadingKeys": [SENTINEL], "dynamodb:Select": "COUNT"}),
        "Allowed",
    ),
    "Query returning attributes explicitly denied": (
        request("dynamodb:Query", {"dynamodb:LeadingKeys": [SENTINEL], "dynamodb:Select": "ALL_ATTRIBUTES"}),
        "ExplicitlyDenied",
    ),
    "a table in another account denied": (
        request(
            "dynamodb:GetItem",
            {"dynamodb:LeadingKeys": [SENTINEL]},
            resource="arn:aws:dynamodb:eu-west-1:999999999999:table/orders",
        ),
        "ImplicitlyDenied",
    ),
}


def test_the_evaluator_applies_conditions_and_explicit_denies_as_iam_documents():
    names = list(CASES)
    results = evaluate([{**CASES[name][0], "id": name} for name in names])
    assert {name: r["decision"] for name, r in zip(names, results, strict=True)} == {
        name: CASES[name][1] for name in names
    }


def test_a_misspelled_action_in_a_policy_is_an_error_not_a_silent_non_match():
    typo = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "dynamodb:GetItems", "Resource": "*"}]}
    [result] = evaluate(
        [request("dynamodb:GetItem", {"dynamodb:LeadingKeys": [SENTINEL]}, policies={"identity": [ITEM_POLICY, typo]})]
    )
    assert result["decision"] == "Error"


def test_a_github_trust_policy_is_judged_on_the_token_subject():
    provider = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": provider},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                        "token.actions.githubusercontent.com:sub": "repo:acme/ddb-warmer:environment:prod",
                    }
                },
            }
        ],
    }

    def assume(sub):
        return {
            "policies": {"identity": [], "resource": trust},
            "principal": provider,
            "action": "sts:AssumeRoleWithWebIdentity",
            "resource": ROLE,
            "context": {
                "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                "token.actions.githubusercontent.com:sub": sub,
            },
        }

    results = evaluate(
        [assume("repo:acme/ddb-warmer:environment:prod"), assume("repo:acme/ddb-warmer:environment:dev")]
    )
    assert [r["decision"] for r in results] == ["Allowed", "ImplicitlyDenied"]
