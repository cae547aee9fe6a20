"""What the CI roles may do, by the IAM evaluator on the permission policies of a real plan.

The calls are not a list kept by hand: every environment of live/ is planned, and each
kind of environment (the first, one with several regions, one in another account)
applied, planned again and destroyed on the emulator, in its own account, with
Terraform's debug log on (tests/live/applied.py, once per worker with
tests/live/test_environments.py); every AWS call the provider and the S3 backend sent is
evaluated under the role that makes it in CI: its account's plan role for the plans
(before the apply, and refreshing what exists after), the environment's apply role for
its plan, apply and destroy. An environment of no kind of its own takes the calls of the
applied one of its shape, for its own names and state. The warmer is applied with the
account's permissions boundary on its roles, as CI applies it (the apply roles create
roles only with it), and the IAM calls on roles carry it in their context.
"""

from __future__ import annotations

import itertools
import re

import pytest

from ddb_warmer.build.live import Environment, environments, rendered, unit_dirs, unit_region
from ddb_warmer.build.terragrunt import LIVE
from ddb_warmer.names import state_bucket
from tests.iam.ci_roles import accounts, role_arn
from tests.iam.evaluator import available, evaluate, explain
from tests.live.applied import boundary

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(available() is not None, reason=f"IAM evaluator unavailable: {available()}"),
]

ENVIRONMENTS = environments()
READ_VERBS = ("Get", "List", "Describe", "Head")
# IAM actions whose request carries the role's boundary (iam:PermissionsBoundary).
BOUNDED = {
    "iam:CreateRole",
    "iam:PutRolePolicy",
    "iam:DeleteRolePolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:AttachRolePolicy",
    "iam:DetachRolePolicy",
}


def where(environment: Environment) -> str:
    return f"{environment.regions[0]}:{environment.account}"


def state_key(environment: Environment) -> str:
    """The state object of the environment's first unit, in its account's bucket of that unit's region."""
    unit = unit_dirs(LIVE / environment.name)[0]
    bucket = state_bucket(unit_region(unit), environment.account)
    return f"arn:aws:s3:::{bucket}/{unit.relative_to(LIVE.parent).as_posix()}/terraform.tfstate"


@pytest.fixture(scope="session")
def calls(live):
    """{environment name: {"plan": calls, "apply": calls}} recorded from Terraform's debug log of live/'s plans,
    applies and destroys (tests/conftest.py: live)."""
    return {environment.name: live.calls(environment) for environment in ENVIRONMENTS}


def request(roles, role, action, resource, context=None, name=""):
    """A request by the CI role `role` of `roles` (one account's roles)."""
    account = roles[role]["account"]
    if context is None and action in BOUNDED:
        context = {"iam:PermissionsBoundary": boundary(account)}
    if context is None and action.startswith("s3:"):
        # AWS sets it to the bucket owner's account; the state buckets are this account's.
        context = {"aws:ResourceAccount": account}
    return {
        "id": name or f"{account}/{role}: {action} on {resource}",
        "policies": {"identity": roles[role]["policies"]},
        "principal": role_arn(roles[role]["name"], account),
        "action": action,
        "resource": resource,
        "context": context or {},
    }


def decide(requests):
    results = evaluate(requests)
    return {r["id"]: r for r in results}


def writes(calls, environment: Environment) -> list[tuple[str, str]]:
    """Every write an environment's apply and destroy make on a named resource, and its state write."""
    found = sorted(
        (action, resource)
        for action, resource in calls[environment.name]["apply"]
        if not action.split(":")[1].startswith(READ_VERBS) and resource != "*"
    )
    return [*found, ("s3:PutObject", state_key(environment))]


def test_a_plan_refreshes_every_kind_of_resource_and_only_reads(calls):
    for environment in ENVIRONMENTS:
        actions = {action for action, _ in calls[environment.name]["plan"]}
        # The refresh reached every resource kind of the warmer and the state.
        assert {
            "lambda:GetFunction",
            "iam:GetRole",
            "scheduler:GetSchedule",
            "sqs:GetQueueAttributes",
            "logs:DescribeLogGroups",
            "cloudwatch:DescribeAlarms",
            "s3:GetObject",
        } <= actions, environment.name
        assert all(a.split(":")[1].startswith(READ_VERBS) for a in actions), sorted(actions)


def test_each_accounts_plan_role_allows_every_call_a_plan_of_its_environments_makes(ci_roles, calls):
    requests = [
        request(ci_roles[environment.account], "plan", action, resource)
        for environment in ENVIRONMENTS
        for action, resource in sorted(calls[environment.name]["plan"])
    ]

    results = decide(requests)

    refused = [explain(r) for r in results.values() if r["decision"] != "Allowed"]
    assert refused == []
    assert len(results) >= 15 * len(ENVIRONMENTS)


def test_each_apply_role_allows_every_call_of_its_environments_apply_and_destroy(ci_roles, calls):
    requests = [
        request(ci_roles[environment.account], f"apply-{environment.name}", action, resource)
        for environment in ENVIRONMENTS
        for action, resource in sorted(calls[environment.name]["apply"])
    ]

    results = decide(requests)

    refused = [explain(r) for r in results.values() if r["decision"] != "Allowed"]
    assert refused == []
    assert {r["principal"].split(":")[4] for r in requests} == set(accounts())
    assert any(r["action"] == "lambda:CreateFunction" for r in requests)


def in_account(resource: str, source: str, target: str) -> str:
    """A resource ARN of account `source` named the same in account `target`."""
    return resource.replace(f":{source}:", f":{target}:").replace(f"-{source}-", f"-{target}-")


@pytest.mark.skipif(len(ENVIRONMENTS) < 2, reason="live/ holds one environment: there is no other to touch")
def test_an_apply_role_cannot_touch_another_environment_of_its_account(one_account_roles, calls):
    """Every ordered pair of live/'s environments, both put in one account (modules/github-oidc planned for
    all of them, tests/iam/fixtures/one-account): every write of the other's apply, re-addressed into that
    account, is allowed for the other's own role (so the writes are real) and denied for this one's."""
    account, roles = ENVIRONMENTS[0].account, one_account_roles
    requests, own = [], []
    for mine, other in itertools.permutations(ENVIRONMENTS, 2):
        for action, resource in writes(calls, other):
            resource = in_account(resource, other.account, account)
            requests.append(request(roles, f"apply-{mine.name}", action, resource))
            own.append(request(roles, f"apply-{other.name}", action, resource))

    results, owned = decide(requests), decide(own)

    assert len(requests) > 10 * len(ENVIRONMENTS)
    assert [explain(r) for r in owned.values() if r["decision"] != "Allowed"] == []
    assert [explain(r) for r in results.values() if r["decision"] == "Allowed"] == []


def test_an_apply_role_cannot_touch_an_environment_of_another_account(ci_roles, calls):
    """Every ordered pair of environments in different accounts, with the roles as planned for live/: every
    write of the other's apply, in the other's account, is denied for this one's role. Beyond these
    policies, AWS itself keeps accounts apart (a role's identity policy grants nothing on another account's
    resources unless their resource policy names it), and each unit's provider refuses credentials of any
    account but its environment's (allowed_account_ids:
    test_every_unit_refuses_another_accounts_credentials)."""
    pairs = [(a, b) for a, b in itertools.permutations(ENVIRONMENTS, 2) if a.account != b.account]
    if not pairs:
        pytest.skip("every environment of live/ is in one account: the same-account test covers them")
    requests = [
        request(ci_roles[mine.account], f"apply-{mine.name}", action, resource, context)
        for mine, other in pairs
        for action, resource in writes(calls, other)
        # The state bucket is the other account's: AWS says so in aws:ResourceAccount.
        for context in [{"aws:ResourceAccount": other.account} if action.startswith("s3:") else None]
    ]

    results = decide(requests)

    assert len(requests) > 10 * len(pairs)
    assert [explain(r) for r in results.values() if r["decision"] == "Allowed"] == []


def test_every_unit_refuses_another_accounts_credentials():
    """Each unit's provider names only its environment's account (allowed_account_ids: the AWS provider
    fails on credentials of any other before reading anything), and its state is in that account's bucket."""
    for environment in ENVIRONMENTS:
        for unit in unit_dirs(LIVE / environment.name):
            config = rendered(unit)

            provider = config["generate"]["provider"]["contents"]
            assert re.findall(r"allowed_account_ids\s*=\s*(\[.*\])", provider) == [f'["{environment.account}"]'], unit
            assert f"-{environment.account}-" in config["remote_state"]["config"]["bucket"], unit


# Data reads a plan never needs: each must be denied explicitly (a deny wins over
# any allow added later), for the plan roles and the apply roles alike.
def data_reads(environment: Environment) -> list[tuple[str, str, dict]]:
    here = where(environment)
    table = f"arn:aws:dynamodb:{here}:table/{environment.name}-orders"
    bucket = state_bucket(environment.regions[0], environment.account)
    name = f"ddb-warmer-{environment.name}-warmer"
    return [
        ("dynamodb:GetItem", table, {"dynamodb:LeadingKeys": ["customer-1"]}),
        ("dynamodb:BatchGetItem", table, {}),
        ("dynamodb:Query", table, {"dynamodb:Select": "ALL_ATTRIBUTES"}),
        ("dynamodb:Scan", table, {}),
        ("dynamodb:PartiQLSelect", table, {}),
        # ExecuteStatement, BatchExecuteStatement, ExecuteTransaction: authorised as PartiQLSelect for reads.
        ("dynamodb:PartiQLSelect", f"{table}/index/by_user", {}),
        ("dynamodb:GetRecords", f"{table}/stream/2026-01-01T00:00:00.000", {}),
        ("dynamodb:ExportTableToPointInTime", table, {}),
        ("s3:GetObject", "arn:aws:s3:::customer-exports/2026/orders.csv", {}),
        ("s3:GetObjectVersion", "arn:aws:s3:::customer-exports/2026/orders.csv", {}),
        ("s3:GetObject", f"arn:aws:s3:::{bucket}-backup/live/{environment.name}/warmer/terraform.tfstate", {}),
        ("secretsmanager:GetSecretValue", f"arn:aws:secretsmanager:{here}:secret:{environment.name}/db-AbCdEf", {}),
        ("secretsmanager:BatchGetSecretValue", "*", {}),
        ("ssm:GetParameter", f"arn:aws:ssm:{here}:parameter/{environment.name}/db-password", {}),
        ("ssm:GetParameters", f"arn:aws:ssm:{here}:parameter/{environment.name}/db-password", {}),
        ("ssm:GetParametersByPath", f"arn:aws:ssm:{here}:parameter/{environment.name}", {}),
        ("ssm:GetParameterHistory", f"arn:aws:ssm:{here}:parameter/{environment.name}/db-password", {}),
        ("kms:Decrypt", f"arn:aws:kms:{here}:key/1234abcd-12ab-34cd-56ef-1234567890ab", {}),
        ("sqs:ReceiveMessage", f"arn:aws:sqs:{here}:{name}-dlq", {}),
        ("logs:GetLogEvents", f"arn:aws:logs:{here}:log-group:/aws/lambda/{name}:log-stream:x", {}),
        ("logs:FilterLogEvents", f"arn:aws:logs:{here}:log-group:/aws/lambda/{name}", {}),
    ]


# Every CI role of every account, with the environment whose names it reads with (the plan role: each).
ROLE_CASES = [
    pytest.param(environment, role, id=f"{environment.account}/{role}:{environment.name}")
    for environment in ENVIRONMENTS
    for role in ("plan", f"apply-{environment.name}")
]


@pytest.mark.parametrize(("environment", "role"), ROLE_CASES)
def test_every_data_read_is_explicitly_denied(ci_roles, environment, role):
    roles = ci_roles[environment.account]
    requests = [
        request(roles, role, action, resource, context, name=f"{action} on {resource}")
        for action, resource, context in data_reads(environment)
    ]

    results = decide(requests)

    not_denied = [explain(r) for r in results.values() if r["decision"] != "ExplicitlyDenied"]
    assert not_denied == []


@pytest.mark.parametrize("environment", ENVIRONMENTS, ids=lambda e: e.name)
def test_the_plan_role_reads_the_state_but_writes_nothing(ci_roles, environment):
    roles, state = ci_roles[environment.account], state_key(environment)
    name = f"ddb-warmer-{environment.name}-warmer"
    cases = {
        "read state": ("s3:GetObject", state, "Allowed"),
        "write state": ("s3:PutObject", state, "ImplicitlyDenied"),
        "take the lock": ("s3:PutObject", state + ".tflock", "ImplicitlyDenied"),
        "change the function": (
            "lambda:UpdateFunctionCode",
            f"arn:aws:lambda:{where(environment)}:function:{name}",
            "ImplicitlyDenied",
        ),
        "pass a role": ("iam:PassRole", role_arn(name, environment.account), "ExplicitlyDenied"),
    }
    requests = [request(roles, "plan", a, r, name=name) for name, (a, r, _) in cases.items()]

    results = decide(requests)

    assert {name: r["decision"] for name, r in results.items()} == {name: d for name, (_, _, d) in cases.items()}


def key_policy(account: str) -> dict:
    """A KMS key's default policy, which lets IAM policies of the account grant its use.
    https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html"""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ],
    }


@pytest.mark.parametrize("environment", ENVIRONMENTS, ids=lambda e: e.name)
def test_an_apply_role_deletes_only_lock_files_of_a_state_bucket_of_this_account(ci_roles, environment):
    state, region, account = state_key(environment), environment.regions[0], environment.account
    key = f"arn:aws:kms:{where(environment)}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    stranger = "210987654321" if account != "210987654321" else "210987654322"
    ours, elsewhere = {"aws:ResourceAccount": account}, {"aws:ResourceAccount": stranger}
    cases = {
        "delete its lock file": ("s3:DeleteObject", state + ".tflock", ours, "Allowed"),
        "delete the state": ("s3:DeleteObject", state, ours, "ImplicitlyDenied"),
        "write the state": ("s3:PutObject", state, ours, "Allowed"),
        "write the state to a same-named bucket of another account": (
            "s3:PutObject",
            state,
            elsewhere,
            "ImplicitlyDenied",
        ),
        "read the state from a same-named bucket of another account": (
            "s3:GetObject",
            state,
            elsewhere,
            "ImplicitlyDenied",
        ),
        "decrypt an SSE-KMS state object through S3": (
            "kms:Decrypt",
            key,
            {"kms:ViaService": f"s3.{region}.amazonaws.com"},
            "Allowed",
        ),
        "decrypt with the key directly": ("kms:Decrypt", key, {}, "ExplicitlyDenied"),
        "decrypt through another service": (
            "kms:Decrypt",
            key,
            {"kms:ViaService": f"secretsmanager.{region}.amazonaws.com"},
            "ExplicitlyDenied",
        ),
    }
    roles = ci_roles[account]
    role = f"apply-{environment.name}"
    requests = [request(roles, role, a, r, context, name=name) for name, (a, r, context, _) in cases.items()]
    for r in requests:
        if r["action"].startswith("kms:"):
            r["policies"]["resource"] = key_policy(account)  # the default key policy: IAM policies decide

    results = decide(requests)

    assert {name: r["decision"] for name, r in results.items()} == {name: d for name, (*_, d) in cases.items()}


@pytest.mark.parametrize("environment", ENVIRONMENTS, ids=lambda e: e.name)
def test_the_plan_role_is_enough_for_doctor(ci_roles, environment):
    """doctor runs after an apply under its account's plan role (a job with no environment)."""
    here, name = where(environment), f"ddb-warmer-{environment.name}-warmer"
    table = f"{environment.name}-orders"
    reads = [
        ("lambda:GetFunctionConfiguration", f"arn:aws:lambda:{here}:function:{name}"),
        ("dynamodb:DescribeTable", f"arn:aws:dynamodb:{here}:table/{table}"),
        ("application-autoscaling:DescribeScalableTargets", "*"),
        ("application-autoscaling:DescribeScalingPolicies", "*"),
        ("cloudwatch:DescribeAlarms", f"arn:aws:cloudwatch:{here}:alarm:TargetTracking-table/{table}-AlarmLow-1"),
        ("cloudwatch:GetMetricData", "*"),
        ("cloudwatch:GetMetricStatistics", "*"),
        ("cloudwatch:ListMetrics", "*"),
        ("sqs:GetQueueUrl", f"arn:aws:sqs:{here}:{name}-dlq"),
        ("sqs:GetQueueAttributes", f"arn:aws:sqs:{here}:{name}-dlq"),
        ("scheduler:GetSchedule", f"arn:aws:scheduler:{here}:schedule/default/{name}"),
    ]

    results = decide([request(ci_roles[environment.account], "plan", a, r) for a, r in reads])

    assert [explain(r) for r in results.values() if r["decision"] != "Allowed"] == []


@pytest.mark.parametrize("environment", ENVIRONMENTS, ids=lambda e: e.name)
def test_the_plan_role_is_enough_for_the_weekly_advise(ci_roles, environment):
    """advise runs every week under its account's plan role: every table of each region, each table's
    per-minute series, its scaling, and the warmer's configuration and settings. Nothing added to the role."""
    here, name = where(environment), f"ddb-warmer-{environment.name}-warmer"
    table = "any-table-of-the-region"
    reads = [
        ("dynamodb:ListTables", "*"),
        ("dynamodb:DescribeTable", f"arn:aws:dynamodb:{here}:table/{table}"),
        ("application-autoscaling:DescribeScalableTargets", "*"),
        ("application-autoscaling:DescribeScalingPolicies", "*"),
        ("cloudwatch:GetMetricData", "*"),
        ("lambda:GetFunctionConfiguration", f"arn:aws:lambda:{here}:function:{name}"),
        ("ssm:GetParameters", f"arn:aws:ssm:{here}:parameter/{name}/config/000"),
        ("logs:DescribeLogGroups", "*"),  # a list call: no resource to name
        ("cloudwatch:DescribeAlarms", f"arn:aws:cloudwatch:{here}:alarm:{name}-errors"),
        ("scheduler:GetSchedule", f"arn:aws:scheduler:{here}:schedule/default/{name}"),
    ]

    results = decide([request(ci_roles[environment.account], "plan", a, r) for a, r in reads])

    assert [explain(r) for r in results.values() if r["decision"] != "Allowed"] == []
