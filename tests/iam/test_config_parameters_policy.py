"""The function's read of its configuration parameters, judged by the IAM evaluator on the policy of a real plan:
its own parameters are allowed, anyone else's, and any other SSM call, are denied."""

from __future__ import annotations

import pytest

from tests.handler.requests_log import ACCOUNT
from tests.iam.evaluator import ALLOWED, available
from tests.iam.test_warmer_policy import REGION, judge, planned_policies, policies

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(available() is not None, reason=f"IAM evaluator unavailable: {available()}"),
]
__all__ = ["planned_policies", "policies"]  # the plans of tests/iam/test_warmer_policy.py

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
