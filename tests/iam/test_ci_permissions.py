"""What the CI roles may do, by the IAM evaluator on the permission policies of a real plan.

The calls are not a list kept by hand: live/dev and live/prod are applied, planned
and destroyed on the emulator with Terraform's debug log on, and every AWS call
the provider and the S3 backend sent is evaluated under the role that makes it
in CI: the plan role for the plan (refreshing what exists), the environment's
apply role for apply and destroy.
"""

from __future__ import annotations

import pytest

from ddb_warmer.build.terragrunt import LIVE, terragrunt
from ddb_warmer.local.emulator import ACCOUNT_ID, state_bucket
from tests.iam.ci_roles import REGION, recorded_calls, role_arn
from tests.iam.evaluator import available, evaluate, explain

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(available() is not None, reason=f"IAM evaluator unavailable: {available()}"),
]

ENVIRONMENTS = ("dev", "prod")
WHERE = f"{REGION}:{ACCOUNT_ID}"
BUCKET = state_bucket(REGION)
READ_VERBS = ("Get", "List", "Describe", "Head")


@pytest.fixture(scope="module")
def calls(emulator_env, tmp_path_factory):
    """{environment: {"plan": calls, "apply": calls}} recorded from Terraform's debug log."""
    logs = tmp_path_factory.mktemp("tf-logs")
    recorded = {}
    for environment in ENVIRONMENTS:

        def run(phase, args, environment=environment):
            log = logs / f"{environment}-{phase}.log"
            env = {**emulator_env, "TF_LOG": "debug", "TF_LOG_PATH": str(log)}
            terragrunt(["run", "--all", *args], LIVE / environment, env)
            return recorded_calls(log.read_text(), environment)

        try:
            applied = run("apply", ["apply"])
            # The plan a pull request makes: everything exists, so every resource is refreshed.
            planned = run("plan", ["plan", "--", "-lock=false"])
        finally:
            destroyed = run("destroy", ["destroy"])
        recorded[environment] = {"plan": planned, "apply": applied | destroyed}
    return recorded


def request(roles, role, action, resource, context=None, name=""):
    return {
        "id": name or f"{role}: {action} on {resource}",
        "policies": {"identity": roles[role]["policies"]},
        "principal": role_arn(roles[role]["name"]),
        "action": action,
        "resource": resource,
        "context": context or {},
    }


def decide(requests):
    results = evaluate(requests)
    return {r["id"]: r for r in results}


def test_a_plan_refreshes_every_kind_of_resource_and_only_reads(calls):
    for environment in ENVIRONMENTS:
        actions = {action for action, _ in calls[environment]["plan"]}
        # The refresh reached every resource kind of the warmer and the state.
        assert {
            "lambda:GetFunction",
            "iam:GetRole",
            "scheduler:GetSchedule",
            "sqs:GetQueueAttributes",
            "logs:DescribeLogGroups",
            "cloudwatch:DescribeAlarms",
            "s3:GetObject",
        } <= actions, environment
        assert all(a.split(":")[1].startswith(READ_VERBS) for a in actions), sorted(actions)


def test_the_plan_role_allows_every_call_a_plan_of_dev_and_prod_makes(ci_roles, calls):
    requests = [
        request(ci_roles, "plan", action, resource)
        for environment in ENVIRONMENTS
        for action, resource in sorted(calls[environment]["plan"])
    ]

    results = decide(requests)

    refused = [explain(r) for r in results.values() if r["decision"] != "Allowed"]
    assert refused == []
    assert len(results) >= 15


def test_each_apply_role_allows_every_call_of_its_environments_apply_and_destroy(ci_roles, calls):
    requests = [
        request(ci_roles, f"apply-{environment}", action, resource)
        for environment in ENVIRONMENTS
        for action, resource in sorted(calls[environment]["apply"])
    ]

    results = decide(requests)

    refused = [explain(r) for r in results.values() if r["decision"] != "Allowed"]
    assert refused == []
    assert any(r["action"] == "lambda:CreateFunction" for r in requests)


def test_dev_apply_role_cannot_touch_prod(ci_roles, calls):
    """Every write prod's apply makes, with dev's role: none allowed."""
    prod_writes = sorted(
        (action, resource)
        for action, resource in calls["prod"]["apply"]
        if not action.split(":")[1].startswith(READ_VERBS) and resource != "*"
    )
    prod_writes.append(("s3:PutObject", f"arn:aws:s3:::{BUCKET}/live/prod/warmer/terraform.tfstate"))
    requests = [request(ci_roles, "apply-dev", action, resource) for action, resource in prod_writes]

    results = decide(requests)

    assert len(prod_writes) > 10
    allowed = [explain(r) for r in results.values() if r["decision"] == "Allowed"]
    assert allowed == []


# Data reads a plan never needs: each must be denied explicitly (a deny wins over
# any allow added later), for the plan role and the apply roles alike.
TABLE = f"arn:aws:dynamodb:{WHERE}:table/prod-orders"
DATA_READS = [
    ("dynamodb:GetItem", TABLE, {"dynamodb:LeadingKeys": ["customer-1"]}),
    ("dynamodb:BatchGetItem", TABLE, {}),
    ("dynamodb:Query", TABLE, {"dynamodb:Select": "ALL_ATTRIBUTES"}),
    ("dynamodb:Scan", TABLE, {}),
    ("dynamodb:PartiQLSelect", TABLE, {}),
    # ExecuteStatement, BatchExecuteStatement, ExecuteTransaction: authorised as PartiQLSelect for reads.
    ("dynamodb:PartiQLSelect", f"{TABLE}/index/by_user", {}),
    ("dynamodb:GetRecords", f"{TABLE}/stream/2026-01-01T00:00:00.000", {}),
    ("dynamodb:ExportTableToPointInTime", TABLE, {}),
    ("s3:GetObject", "arn:aws:s3:::customer-exports/2026/orders.csv", {}),
    ("s3:GetObjectVersion", "arn:aws:s3:::customer-exports/2026/orders.csv", {}),
    ("s3:GetObject", f"arn:aws:s3:::{BUCKET}-backup/live/prod/warmer/terraform.tfstate", {}),
    ("secretsmanager:GetSecretValue", f"arn:aws:secretsmanager:{WHERE}:secret:prod/db-AbCdEf", {}),
    ("secretsmanager:BatchGetSecretValue", "*", {}),
    ("ssm:GetParameter", f"arn:aws:ssm:{WHERE}:parameter/prod/db-password", {}),
    ("ssm:GetParameters", f"arn:aws:ssm:{WHERE}:parameter/prod/db-password", {}),
    ("ssm:GetParametersByPath", f"arn:aws:ssm:{WHERE}:parameter/prod", {}),
    ("ssm:GetParameterHistory", f"arn:aws:ssm:{WHERE}:parameter/prod/db-password", {}),
    ("kms:Decrypt", f"arn:aws:kms:{WHERE}:key/1234abcd-12ab-34cd-56ef-1234567890ab", {}),
    ("sqs:ReceiveMessage", f"arn:aws:sqs:{WHERE}:ddb-warmer-prod-warmer-dlq", {}),
    ("logs:GetLogEvents", f"arn:aws:logs:{WHERE}:log-group:/aws/lambda/ddb-warmer-prod-warmer:log-stream:x", {}),
    ("logs:FilterLogEvents", f"arn:aws:logs:{WHERE}:log-group:/aws/lambda/ddb-warmer-prod-warmer", {}),
]


@pytest.mark.parametrize("role", ["plan", "apply-dev", "apply-prod"])
def test_every_data_read_is_explicitly_denied(ci_roles, role):
    requests = [
        request(ci_roles, role, action, resource, context, name=f"{action} on {resource}")
        for action, resource, context in DATA_READS
    ]

    results = decide(requests)

    not_denied = [explain(r) for r in results.values() if r["decision"] != "ExplicitlyDenied"]
    assert not_denied == []


def test_the_plan_role_reads_the_state_but_writes_nothing(ci_roles):
    state = f"arn:aws:s3:::{BUCKET}/live/prod/warmer/terraform.tfstate"
    cases = {
        "read state": ("s3:GetObject", state, "Allowed"),
        "write state": ("s3:PutObject", state, "ImplicitlyDenied"),
        "take the lock": ("s3:PutObject", state + ".tflock", "ImplicitlyDenied"),
        "change the function": (
            "lambda:UpdateFunctionCode",
            f"arn:aws:lambda:{WHERE}:function:ddb-warmer-prod-warmer",
            "ImplicitlyDenied",
        ),
        "pass a role": ("iam:PassRole", role_arn("ddb-warmer-prod-warmer"), "ImplicitlyDenied"),
    }
    requests = [request(ci_roles, "plan", a, r, name=name) for name, (a, r, _) in cases.items()]

    results = decide(requests)

    assert {name: r["decision"] for name, r in results.items()} == {name: d for name, (_, _, d) in cases.items()}


def test_the_plan_role_is_enough_for_doctor(ci_roles):
    """doctor runs after an apply under the plan role (a job with no environment)."""
    function = f"arn:aws:lambda:{WHERE}:function:ddb-warmer-prod-warmer"
    reads = [
        ("lambda:GetFunctionConfiguration", function),
        ("dynamodb:DescribeTable", TABLE),
        ("application-autoscaling:DescribeScalableTargets", "*"),
        ("application-autoscaling:DescribeScalingPolicies", "*"),
        ("cloudwatch:DescribeAlarms", f"arn:aws:cloudwatch:{WHERE}:alarm:TargetTracking-table/prod-orders-AlarmLow-1"),
        ("cloudwatch:GetMetricData", "*"),
        ("cloudwatch:GetMetricStatistics", "*"),
        ("cloudwatch:ListMetrics", "*"),
        ("sqs:GetQueueUrl", f"arn:aws:sqs:{WHERE}:ddb-warmer-prod-warmer-dlq"),
        ("sqs:GetQueueAttributes", f"arn:aws:sqs:{WHERE}:ddb-warmer-prod-warmer-dlq"),
        ("scheduler:GetSchedule", f"arn:aws:scheduler:{WHERE}:schedule/default/ddb-warmer-prod-warmer"),
    ]

    results = decide([request(ci_roles, "plan", a, r) for a, r in reads])

    assert [explain(r) for r in results.values() if r["decision"] != "Allowed"] == []
