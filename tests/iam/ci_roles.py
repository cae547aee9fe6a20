"""The CI roles as planned (live/_bootstrap/github-oidc on the emulator), and the AWS calls a plan makes.

`planned_roles(env)` plans the bootstrap unit and returns each role's trust policy
and every permission policy attached to it, exactly as the plan JSON holds them.
`recorded_calls(log)` reads a Terraform debug log (TF_LOG=debug) and returns each
AWS call the provider and the S3 backend sent, as (IAM action, resource ARN),
so the tests evaluate the reads a real plan makes rather than a list kept by hand.
"""

from __future__ import annotations

import json
import re

from ddb_warmer.build.terragrunt import LIVE, terragrunt
from ddb_warmer.local.emulator import ACCOUNT_ID

UNIT = LIVE / "_bootstrap" / "github-oidc"
REGION = "eu-west-1"

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
}
# API operations whose IAM action has another name (Service Authorization Reference).
ACTION_OF = {
    "s3:HeadObject": "s3:GetObject",
    "s3:ListObjectsV2": "s3:ListBucket",
    "s3:HeadBucket": "s3:ListBucket",
}


def planned_roles(env: dict[str, str], extra: dict[str, str] | None = None) -> dict[str, dict]:
    """{role key: {"name", "trust": doc, "policies": [doc, ...]}} from the plan of the bootstrap unit."""
    env = {**env, **(extra or {})}
    terragrunt(["plan", "-lock=false", "-out=tfplan"], UNIT, env)
    shown = terragrunt(["show", "--tf-forward-stdout", "-json", "tfplan"], UNIT, env)
    changes = {c["address"]: c["change"] for c in json.loads(shown.stdout)["resource_changes"]}
    roles = {}
    for address, change in changes.items():
        if match := re.fullmatch(r'aws_iam_role\.ci\["(.+)"\]', address):
            after = change["after"]
            roles[match[1]] = {"name": after["name"], "trust": json.loads(after["assume_role_policy"]), "policies": []}
    for address, change in changes.items():
        if address.startswith("aws_iam_role_policy.") and change["actions"] == ["create"]:
            after = change["after"]
            # The role is known by name only after apply; the plan links it through the for_each key.
            key = re.search(r'\["(.+)"\]$', address)[1]
            role = key if key in roles else f"apply-{key}"
            roles[role]["policies"].append(json.loads(after["policy"]))
    unmanaged = [a for a in changes if a.startswith("aws_iam_role_policy_attachment.")]
    assert unmanaged == [], f"a managed policy is attached ({unmanaged}): its document is not in the plan"
    return roles


def role_arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT_ID}:role/{name}"


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
}


def resource_arn(prefix: str, environment: str, fields: dict[str, str]) -> str:
    """The ARN a call of this resource type is about, named the way the warmer module names it."""
    name = f"ddb-warmer-{environment}-warmer"
    where = f"{REGION}:{ACCOUNT_ID}"
    if prefix == "s3":
        bucket, key = fields.get("aws.s3.bucket", ""), fields.get("aws.s3.key", "")
        return f"arn:aws:s3:::{bucket}/{key}" if key else f"arn:aws:s3:::{bucket}"
    by_type = {
        "iam": f"arn:aws:iam::{ACCOUNT_ID}:role/{name}",
        "lambda": f"arn:aws:lambda:{where}:function:{name}",
        "sqs": f"arn:aws:sqs:{where}:{name}-dlq",
        "scheduler": f"arn:aws:scheduler:{where}:schedule/default/{name}",
        "logs": f"arn:aws:logs:{where}:log-group:/aws/lambda/{name}",
        "cloudwatch": f"arn:aws:cloudwatch:{where}:alarm:{name}-errors",
        "dynamodb": f"arn:aws:dynamodb:{where}:table/{environment}-orders",
        "application-autoscaling": f"arn:aws:application-autoscaling:{where}:scalable-target/0123456789abcdef",
    }
    return by_type.get(prefix, "*")


def recorded_calls(log: str, environment: str) -> set[tuple[str, str]]:
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
