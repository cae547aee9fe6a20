"""The CI roles as planned (each account's live/_bootstrap/<account>/github-oidc on the emulator), and the
AWS calls a plan makes.

`applied_once(config)` plans and applies every account's bootstrap unit; `roles_of_plan(shown, account)` gives
each role's trust policy and every permission policy attached to it, exactly as the plan JSON holds them.
`recorded_calls(log)` reads a Terraform debug log (TF_LOG=debug) and returns each
AWS call the provider and the S3 backend sent, as (IAM action, resource ARN),
so the tests evaluate the reads a real plan makes rather than a list kept by hand.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import boto3
import pytest

from ddb_warmer.build.live import Environment, environments
from ddb_warmer.build.terragrunt import LIVE, Run, terragrunt, unit_outputs
from ddb_warmer.local.emulator import Emulator, running_emulator
from ddb_warmer.names import CI_ROLE_PREFIX, state_bucket
from tests.checkout_copy import READ_ONLY_INIT, copied

BOOTSTRAP = LIVE / "_bootstrap"
ONE_ACCOUNT = Path(__file__).parent / "fixtures" / "one-account"
# The bootstrap refuses to plan without a repository (and with the placeholder): the tests name one,
# with the immutable ids GitHub puts in the tokens' subjects.
REPOSITORY = "octo-org/ddb-warmer"
REPOSITORY_IDS = {"owner": 1001, "repository": 2002}
SUBJECT = "repo:octo-org@1001/ddb-warmer@2002"
BOOTSTRAP_ENV = {
    "DDB_WARMER_GITHUB_REPOSITORY": REPOSITORY,
    "TF_VAR_github_repository_ids": json.dumps(REPOSITORY_IDS),
}

# The SDK's service id (rpc.service) → the IAM service prefix.
SERVICE_PREFIX = {
    "IAM": "iam",
    "Lambda": "lambda",
    "CloudWatch": "cloudwatch",
    "CloudWatch Logs": "logs",
    "SQS": "sqs",
    "STS": "sts",
    "Scheduler": "scheduler",
    "S3": "s3",
    "DynamoDB": "dynamodb",
    "Application Auto Scaling": "application-autoscaling",
    "SNS": "sns",
    "SSM": "ssm",
}
# API operations whose IAM action has another name (Service Authorization Reference).
ACTION_OF = {
    "s3:HeadObject": "s3:GetObject",
    "s3:ListObjectsV2": "s3:ListBucket",
    "s3:HeadBucket": "s3:ListBucket",
}


def bootstrap_unit(account: str) -> Path:
    """The bootstrap unit of an account (live/_bootstrap/<account>/github-oidc), in the copy of this checkout
    where the tests run Terragrunt (tests/checkout_copy.py: their runs add READ_ONLY_INIT)."""
    return copied(BOOTSTRAP / account / "github-oidc")


def accounts(live: Path = LIVE) -> dict[str, list[Environment]]:
    """{account: its environments in promotion order}, for whatever live/ holds."""
    found: dict[str, list[Environment]] = {}
    for environment in environments(live):
        found.setdefault(environment.account, []).append(environment)
    return found


def roles_of_plan(shown: dict, account: str) -> dict[str, dict]:
    """{role key: {"name", "account", "trust", "policies"}} from `terraform show -json` of a plan."""
    changes = {c["address"]: c["change"] for c in shown["resource_changes"]}
    roles = {}
    for address, change in changes.items():
        if match := re.fullmatch(r'(?:module\.[\w-]+\.)?aws_iam_role\.ci\["(.+)"\]', address):
            after = change["after"]
            roles[match[1]] = {
                "name": after["name"],
                "account": account,
                "trust": json.loads(after["assume_role_policy"]),
                "policies": [],
            }
    for address, change in changes.items():
        if re.match(r"(?:module\.[\w-]+\.)?aws_iam_role_policy\.", address) and change["actions"] == ["create"]:
            after = change["after"]
            # The role is known by name only after apply; the plan links it through the for_each key.
            key = re.search(r'\["(.+)"\]$', address)[1]
            role = key if key in roles else f"apply-{key}"
            roles[role]["policies"].append(json.loads(after["policy"]))
    # Managed policies the plan creates, by ARN (the module builds each ARN from known values).
    managed = {
        change["after"]["name"]: json.loads(change["after"]["policy"])
        for address, change in changes.items()
        if re.match(r"(?:module\.[\w-]+\.)?aws_iam_policy\.", address) and change["actions"] == ["create"]
    }
    for address, change in changes.items():
        if "aws_iam_role_policy_attachment." in address and change["actions"] == ["create"]:
            after = change["after"]
            name = after["policy_arn"].rsplit("/", 1)[-1]
            assert name in managed, f"{address} attaches {after['policy_arn']}, whose document is not in the plan"
            (role,) = [key for key, planned in roles.items() if planned["name"] == after["role"]]
            roles[role]["policies"].append(managed[name])
    return roles


def _planned(unit: Path, env: dict[str, str], account: str) -> tuple[dict[str, dict], Run]:
    """The roles a unit plans, and the plan's run; the plan is saved in the unit's working copy as tfplan."""
    # --backend-bootstrap: the bucket of the unit's own state, as an admin's first run creates it.
    run = terragrunt(["plan", "--backend-bootstrap", "-lock=false", "-out=tfplan"], unit, env)
    shown = terragrunt(["show", "--tf-forward-stdout", "-json", "tfplan"], unit, env)
    return roles_of_plan(json.loads(shown.stdout), account), run


def planned_in_one_account(env: dict[str, str], together: list[Environment], account: str) -> dict[str, dict]:
    """The CI roles modules/github-oidc plans for all of `together` in the one account `env` is for (the
    fixture unit tests/iam/fixtures/one-account), to check environments that share an account; their trust
    names the repository by name (name_based_subjects, no ids), to check that form of trust on the same plan
    (the trust's form changes no permission)."""
    regions = sorted({region for environment in together for region in environment.regions})
    inputs = {
        "TF_VAR_name_prefix": CI_ROLE_PREFIX.removesuffix("-github"),
        "TF_VAR_github_repository": REPOSITORY,
        "TF_VAR_github_repository_ids": "null",
        "TF_VAR_name_based_subjects": "true",
        "TF_VAR_environments": json.dumps([environment.name for environment in together]),
        "TF_VAR_state_buckets": json.dumps([state_bucket(region, account) for region in regions]),
    }
    return _planned(copied(ONE_ACCOUNT), {**env, **BOOTSTRAP_ENV, **READ_ONLY_INIT, **inputs}, account)[0]


def role_arn(name: str, account: str) -> str:
    return f"arn:aws:iam::{account}:role/{name}"


HTTP_REQUEST = re.compile(r"HTTP Request Sent:.*", re.DOTALL)
ENTRY_START = re.compile(r"^\d{4}-\d\d-\d\dT", re.MULTILINE)
FIELD = re.compile(r'(\S+?)=("(?:[^"\\]|\\.)*"|\S+)')


def _fields(line: str) -> dict[str, str]:
    return {key: value.strip('"') for key, value in FIELD.findall(line)}


# Actions with no resource-level permissions: IAM only ever matches them on "*".
WILDCARD_ONLY = {
    "logs:DescribeLogGroups",
    "sts:GetCallerIdentity",
    "dynamodb:ListTables",
    "application-autoscaling:DescribeScalableTargets",
    "application-autoscaling:DescribeScalingPolicies",
    "cloudwatch:GetMetricData",
    "cloudwatch:ListMetrics",
    "ssm:DescribeParameters",
}


def resource_arn(prefix: str, environment: Environment, fields: dict[str, str]) -> str:
    """The ARN a call of this resource type is about, named the way the warmer module names it, in the
    environment's account and home region (the CI roles' policies hold any region of their account)."""
    name = f"ddb-warmer-{environment.name}-warmer"
    account = environment.account
    where = f"{environment.regions[0]}:{account}"
    if prefix == "s3":
        bucket, key = fields.get("aws.s3.bucket", ""), fields.get("aws.s3.key", "")
        return f"arn:aws:s3:::{bucket}/{key}" if key else f"arn:aws:s3:::{bucket}"
    by_type = {
        "iam": f"arn:aws:iam::{account}:role/{name}",
        "lambda": f"arn:aws:lambda:{where}:function:{name}",
        "sqs": f"arn:aws:sqs:{where}:{name}-dlq",
        "scheduler": f"arn:aws:scheduler:{where}:schedule/default/{name}",
        "logs": f"arn:aws:logs:{where}:log-group:/aws/lambda/{name}",
        "cloudwatch": f"arn:aws:cloudwatch:{where}:alarm:{name}-errors",
        "dynamodb": f"arn:aws:dynamodb:{where}:table/{environment.name}-orders",
        "application-autoscaling": f"arn:aws:application-autoscaling:{where}:scalable-target/0123456789abcdef",
        "sns": f"arn:aws:sns:{where}:{name}-alarms",
        "ssm": f"arn:aws:ssm:{where}:parameter/{name}/config/000",
    }
    return by_type.get(prefix, "*")


def recorded_calls(log: str, environment: Environment) -> set[tuple[str, str]]:
    calls = set()
    # One log entry may span lines (headers and bodies); each entry starts with its timestamp.
    # A request with a large body (CreateFunction's zip) is logged as JSON cut into chunks, with
    # its rpc fields after the body; the "setting endpoint" entry before every call names it too.
    for entry in ENTRY_START.split(log):
        if "HTTP Request Sent:" in entry:
            fields = _fields(HTTP_REQUEST.search(entry)[0])
        elif "setting endpoint:" in entry and "rpc.service=S3 " not in entry:
            fields = _fields(entry.split("setting endpoint:", 1)[1])
        else:
            continue
        service, method = fields.get("rpc.service"), fields.get("rpc.method")
        if not service or not method:
            continue
        prefix = SERVICE_PREFIX.get(service)
        assert prefix, f"a plan called {service}:{method}: add the service's IAM prefix to SERVICE_PREFIX"
        action = ACTION_OF.get(f"{prefix}:{method}", f"{prefix}:{method}")
        resource = "*" if action in WILDCARD_ONLY else resource_arn(prefix, environment, fields)
        calls.add((action, resource))
    return calls


def _document(policy) -> dict:
    # IAM returns documents URL-encoded (boto3 decodes get_role_policy's, moto leaves some encoded).
    return json.loads(unquote(policy)) if isinstance(policy, str) else policy


def iam_client(env: dict[str, str]):
    """IAM of the emulator `env` points at."""
    return boto3.client(
        "iam",
        endpoint_url=env["AWS_ENDPOINT_URL"],
        region_name=env["AWS_REGION"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )


def read_back(names: dict[str, str], env: dict[str, str], account: str) -> dict[str, dict]:
    """{role key: {"name", "account", "trust", "policies", "boundary"}} as IAM holds them (inline and attached)."""
    iam = iam_client(env)
    roles = {}
    for key, name in names.items():
        role = iam.get_role(RoleName=name)["Role"]
        assert role["Arn"] == role_arn(name, account), f"{role['Arn']} is not in account {account}"
        policies = [
            _document(iam.get_role_policy(RoleName=name, PolicyName=p)["PolicyDocument"])
            for p in iam.list_role_policies(RoleName=name)["PolicyNames"]
        ]
        for attached in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
            version = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]["DefaultVersionId"]
            got = iam.get_policy_version(PolicyArn=attached["PolicyArn"], VersionId=version)
            policies.append(_document(got["PolicyVersion"]["Document"]))
        roles[key] = {
            "name": name,
            "account": account,
            "trust": _document(role["AssumeRolePolicyDocument"]),
            "policies": policies,
            "boundary": role.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn"),
        }
    return roles


def boundary_document(arn: str, env: dict[str, str]) -> dict:
    iam = iam_client(env)
    version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    return _document(iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"])


@dataclass
class AppliedAccount:
    """One account's bootstrap as applied: the roles read back from IAM, the unit's outputs, the roles as
    planned, and the boundary policy's document."""

    account: str
    roles: dict[str, dict]
    outputs: dict
    planned: dict[str, dict]
    boundary: dict
    plan: Run  # the admin's plan that was applied


@contextlib.contextmanager
def applied_bootstrap(env: dict[str, str], account: str, destroy: bool = True) -> Iterator[AppliedAccount]:
    """An account's bootstrap unit applied to the emulator (`env`: that account's credentials) from the plan an
    admin reviews; destroyed after unless `destroy` is false. Its state buckets must not exist yet (a fresh
    emulator): the unit creates them."""
    env = {**env, **BOOTSTRAP_ENV, **READ_ONLY_INIT}
    unit = bootstrap_unit(account)
    planned, plan = _planned(unit, env, account)
    try:
        terragrunt(["apply", "tfplan"], unit, env)
        outputs = unit_outputs(unit, env)
        boundary = outputs["permissions_boundary_arn"]
        roles = read_back({key: role["name"] for key, role in planned.items()}, env, account)
        yield AppliedAccount(account, roles, outputs, planned, boundary_document(boundary, env), plan)
    finally:
        if destroy:
            terragrunt(["destroy", "-auto-approve"], unit, env)


@contextlib.contextmanager
def applied_bootstraps(emulator: Emulator, destroy: bool = True) -> Iterator[dict[str, AppliedAccount]]:
    """Every account's bootstrap of live/ applied to `emulator` (a fresh one), each as that account's admin."""
    with contextlib.ExitStack() as stack:
        yield {
            account: stack.enter_context(applied_bootstrap(emulator.env(account=account), account, destroy))
            for account in accounts()
        }


APPLIED = pytest.StashKey[tuple[Emulator, dict[str, AppliedAccount]]]()


def applied_once(config: pytest.Config) -> tuple[Emulator, dict[str, AppliedAccount]]:
    """Every account's bootstrap applied to an emulator of its own (the shared one's seeding already holds the
    state buckets the bootstraps create), once per pytest process: tests/live/test_github_oidc.py and
    tests/iam/test_ci_escalation.py read the same (one xdist group, tests/conftest.py). Not destroyed: the
    emulator, stopped when the session ends, takes everything in it along."""
    if APPLIED not in config.stash:
        stack = contextlib.ExitStack()
        config.add_cleanup(stack.close)
        emulator = stack.enter_context(running_emulator(name="moto-bootstraps"))
        config.stash[APPLIED] = (emulator, stack.enter_context(applied_bootstraps(emulator, destroy=False)))
    return config.stash[APPLIED]


def every_role(per_account: dict[str, dict[str, dict]]) -> dict[str, dict]:
    """{"<account>/<role key>": role} over all accounts; each role keeps its own key as "key"."""
    return {
        f"{account}/{key}": {**role, "key": key}
        for account, roles in per_account.items()
        for key, role in roles.items()
    }
