"""What a CI role might try to make itself admin or read what is not ours, and the warmer's own deploy.

`escalations(role, roles, boundaries)` lists, for every CI role, each escalation attempt
(all must be denied) and each call of the warmer's own deploy (allowed for the
environment's apply role, with the boundary). `matrix(...)` evaluates them with the
IAM evaluator and returns {attempt: {role: decision}}; `render(...)` prints it as a
Markdown table.

    python -m tests.iam.escalation     # applies every account's bootstrap on a fresh emulator, prints the tables

The roles are every CI role of every account of live/ (columns "<account>/<role>"), and
the policies evaluated are the ones read back from IAM after each account's bootstrap
unit is applied to the emulator (`applied_bootstraps`), not only the planned documents.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from lambda_function.schema import SENTINEL_VALUES
from tests.iam.ci_roles import accounts, applied_bootstraps, every_role, role_arn
from tests.iam.evaluator import evaluate, explain

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


@dataclass(frozen=True)
class Attempt:
    label: str
    action: str
    resource: str
    context: dict = field(default_factory=dict)
    allowed: bool = False  # whether IAM must allow it (a role made under the boundary: its own requests)


@dataclass(frozen=True)
class Where:
    """What a role acts on: its account, the environment whose names it uses and that one's home region."""

    account: str
    environment: str
    region: str

    @property
    def arn_part(self) -> str:
        return f"{self.region}:{self.account}"


def where_of(role: dict) -> Where:
    """An apply role acts in its own environment; an account's plan role in that account's first one."""
    together = accounts()[role["account"]]
    environment = next((e for e in together if role["key"] == f"apply-{e.name}"), together[0])
    return Where(role["account"], environment.name, environment.regions[0])


def escalations(key: str, roles: dict, boundaries: dict[str, str]) -> list[Attempt]:
    """Every attempt a role might make with its own environment's names, where its rights are widest."""
    role = roles[key]
    at = where_of(role)
    account, boundary_arn = at.account, boundaries[role["account"]]
    mine = f"ddb-warmer-{at.environment}-"
    other_function = f"arn:aws:lambda:{at.arn_part}:function:payments-api"
    new_role = role_arn(f"{mine}x", account)
    warmer_role = role_arn(f"{mine}warmer-{at.region}", account)
    ci_role = role_arn(role["name"], account)
    other_ci_role = next(role_arn(r["name"], account) for k, r in roles.items() if k != key and r["account"] == account)
    bounded = {"iam:PermissionsBoundary": boundary_arn}
    attempts = [
        Attempt("create a role without the boundary", "iam:CreateRole", new_role),
        Attempt(
            "create a role with AdministratorAccess as boundary",
            "iam:CreateRole",
            new_role,
            {"iam:PermissionsBoundary": ADMIN},
        ),
        Attempt("add an inline policy to a role without the boundary", "iam:PutRolePolicy", new_role),
        Attempt(
            "change a role's boundary to AdministratorAccess",
            "iam:PutRolePermissionsBoundary",
            warmer_role,
            {"iam:PermissionsBoundary": ADMIN},
        ),
        Attempt("remove the boundary from a warmer role", "iam:DeleteRolePermissionsBoundary", warmer_role, bounded),
        Attempt(
            "attach AdministratorAccess to a warmer role",
            "iam:AttachRolePolicy",
            warmer_role,
            {"iam:PolicyARN": ADMIN, **bounded},
        ),
        Attempt(
            "attach AdministratorAccess to its own CI role", "iam:AttachRolePolicy", ci_role, {"iam:PolicyARN": ADMIN}
        ),
        Attempt("add an inline policy to its own CI role", "iam:PutRolePolicy", ci_role, bounded),
        Attempt("delete its own CI role's deny policy", "iam:DeleteRolePolicy", ci_role, bounded),
        Attempt("change another CI role's trust", "iam:UpdateAssumeRolePolicy", other_ci_role),
        Attempt("change a warmer role's trust (to another account)", "iam:UpdateAssumeRolePolicy", warmer_role),
        Attempt("delete the boundary policy", "iam:DeletePolicy", boundary_arn),
        Attempt("add a new version of the boundary policy", "iam:CreatePolicyVersion", boundary_arn),
        Attempt("make another boundary version the default", "iam:SetDefaultPolicyVersion", boundary_arn),
        Attempt("replace the boundary policy (create it anew)", "iam:CreatePolicy", boundary_arn),
        Attempt("pass a warmer role to EC2", "iam:PassRole", warmer_role, {"iam:PassedToService": "ec2.amazonaws.com"}),
        Attempt("read another function's code", "lambda:GetFunction", other_function),
        Attempt("read another function's environment", "lambda:GetFunctionConfiguration", other_function),
        Attempt(
            "read another team's schedule",
            "scheduler:GetSchedule",
            f"arn:aws:scheduler:{at.arn_part}:schedule/default/payments-nightly",
        ),
        Attempt("assume another role", "sts:AssumeRole", role_arn("OrganizationAccountAccessRole", account)),
        Attempt("assume the warmer's role", "sts:AssumeRole", warmer_role),
        Attempt("create an access key", "iam:CreateAccessKey", f"arn:aws:iam::{account}:user/admin"),
        Attempt("create a user", "iam:CreateUser", f"arn:aws:iam::{account}:user/{mine}x"),
        Attempt(
            "point a warmer alarm at another team's topic",
            "cloudwatch:PutMetricAlarm",
            f"arn:aws:cloudwatch:{at.arn_part}:alarm:{mine}warmer-errors",
            {"cloudwatch:AlarmActions": [f"arn:aws:sns:{at.arn_part}:payments-oncall"]},
        ),
        Attempt(
            "a warmer alarm that stops an EC2 instance",
            "cloudwatch:PutMetricAlarm",
            f"arn:aws:cloudwatch:{at.arn_part}:alarm:{mine}warmer-errors",
            {"cloudwatch:AlarmActions": [f"arn:aws:automate:{at.region}:ec2:stop"]},
        ),
    ]
    # With several accounts: the same CI role and the warmer's role in another account (same names).
    for other in sorted(a for a in boundaries if a != account)[:1]:
        attempts += [
            Attempt(
                "change the same CI role's trust in another account",
                "iam:UpdateAssumeRolePolicy",
                role_arn(role["name"], other),
            ),
            Attempt(
                "pass the warmer's role of another account to Lambda",
                "iam:PassRole",
                role_arn(f"{mine}warmer-{at.region}", other),
                {"iam:PassedToService": "lambda.amazonaws.com"},
            ),
        ]
    return attempts


def deploy(key: str, roles: dict, boundaries: dict[str, str]) -> list[Attempt]:
    """The writes a real apply of the warmer module makes (tests/iam/test_ci_permissions.py records them all)."""
    at = where_of(roles[key])
    mine = f"ddb-warmer-{at.environment}-"
    warmer_role = role_arn(f"{mine}warmer-{at.region}", at.account)
    bounded = {"iam:PermissionsBoundary": boundaries[at.account]}
    function = f"arn:aws:lambda:{at.arn_part}:function:{mine}warmer"
    return [
        Attempt("create the warmer's role, with the boundary", "iam:CreateRole", warmer_role, bounded),
        Attempt("put the warmer's inline policy, with the boundary", "iam:PutRolePolicy", warmer_role, bounded),
        Attempt(
            "pass the warmer's role to Lambda",
            "iam:PassRole",
            warmer_role,
            {"iam:PassedToService": "lambda.amazonaws.com"},
        ),
        Attempt(
            "pass the scheduler's role to EventBridge Scheduler",
            "iam:PassRole",
            role_arn(f"{mine}sched-{at.region}", at.account),
            {"iam:PassedToService": "scheduler.amazonaws.com"},
        ),
        Attempt("create the warmer function", "lambda:CreateFunction", function),
        Attempt(
            "create the warmer's alarm, notifying its own topic",
            "cloudwatch:PutMetricAlarm",
            f"arn:aws:cloudwatch:{at.arn_part}:alarm:{mine}warmer-errors",
            {"cloudwatch:AlarmActions": [f"arn:aws:sns:{at.arn_part}:{mine}warmer-alarms"]},
        ),
        Attempt("read the warmer function back", "lambda:GetFunction", function),
        Attempt(
            "create the warmer's schedule",
            "scheduler:CreateSchedule",
            f"arn:aws:scheduler:{at.arn_part}:schedule/default/{mine}warmer",
        ),
    ]


# What a role made under the boundary may do, given every right ("Action": "*") by an apply role: its
# requests are judged against the identity policy EVERYTHING and the account's boundary as applied.
EVERYTHING = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
SENTINEL = SENTINEL_VALUES["S"]
CUSTOMER_KEY = "customer#1"


def made_under_the_boundary(account: str, environment: str, region: str) -> list[Attempt]:
    """Requests of a role an apply role made, with every right, from inside a warmer function of its
    environment (the code an attacker would ship there) and from a session assumed outside Lambda."""
    where, name = f"{region}:{account}", f"ddb-warmer-{environment}-warmer"
    inside = {"lambda:SourceFunctionArn": f"arn:aws:lambda:{where}:function:{name}"}
    table = f"arn:aws:dynamodb:{where}:table/{environment}-orders"
    index = f"{table}/index/by_user"

    def keyed(key: str, **more) -> dict:
        return {**inside, "dynamodb:LeadingKeys": [key], **more}

    def sentinel(**dynamodb: str) -> dict:
        """A request for the sentinel's key, with these dynamodb: condition keys (ReturnValues=..., Select=...)."""
        return keyed(SENTINEL, **{f"dynamodb:{name}": value for name, value in dynamodb.items()})

    denied = [
        Attempt("GetItem of a customer's key", "dynamodb:GetItem", table, keyed(CUSTOMER_KEY)),
        Attempt("PutItem of a customer's key", "dynamodb:PutItem", table, keyed(CUSTOMER_KEY)),
        Attempt("UpdateItem of a customer's key", "dynamodb:UpdateItem", table, keyed(CUSTOMER_KEY)),
        Attempt("DeleteItem of a customer's key", "dynamodb:DeleteItem", table, keyed(CUSTOMER_KEY)),
        Attempt("GetItem with no key condition", "dynamodb:GetItem", table, inside),
        Attempt("PutItem of the sentinel key", "dynamodb:PutItem", table, keyed(SENTINEL)),
        Attempt(
            "DeleteItem of the sentinel returning the old item",
            "dynamodb:DeleteItem",
            table,
            sentinel(ReturnValues="ALL_OLD"),
        ),
        Attempt(
            "GetItem of the sentinel inside a transaction",
            "dynamodb:GetItem",
            table,
            sentinel(EnclosingOperation="TransactGetItems"),
        ),
        Attempt("Query of a base table", "dynamodb:Query", table, sentinel(Select="COUNT")),
        Attempt("Query of an index returning items", "dynamodb:Query", index, sentinel(Select="ALL_ATTRIBUTES")),
        Attempt("Scan", "dynamodb:Scan", table, inside),
        Attempt("BatchGetItem", "dynamodb:BatchGetItem", table, keyed(SENTINEL)),
        Attempt("PartiQL select", "dynamodb:PartiQLSelect", table, inside),
        Attempt("export a table", "dynamodb:ExportTableToPointInTime", table, inside),
        Attempt("read a stream", "dynamodb:GetRecords", f"{table}/stream/2026-01-01T00:00:00.000", inside),
        Attempt(
            "another secret",
            "secretsmanager:GetSecretValue",
            f"arn:aws:secretsmanager:{where}:secret:{environment}/db-AbCdEf",
            inside,
        ),
        Attempt(
            "another parameter", "ssm:GetParameters", f"arn:aws:ssm:{where}:parameter/payments/db-password", inside
        ),
        Attempt("another bucket's object", "s3:GetObject", "arn:aws:s3:::customer-exports/orders.csv", inside),
        Attempt(
            "another function's code", "lambda:GetFunction", f"arn:aws:lambda:{where}:function:payments-api", inside
        ),
        Attempt(
            "change another function's code",
            "lambda:UpdateFunctionCode",
            f"arn:aws:lambda:{where}:function:payments-api",
            inside,
        ),
        Attempt(
            "PassRole to EC2",
            "iam:PassRole",
            role_arn(f"ddb-warmer-{environment}-warmer-{region}", account),
            {**inside, "iam:PassedToService": "ec2.amazonaws.com"},
        ),
        Attempt("AssumeRole", "sts:AssumeRole", role_arn("OrganizationAccountAccessRole", account), inside),
        Attempt("create a role", "iam:CreateRole", role_arn(f"ddb-warmer-{environment}-x", account), inside),
        Attempt("run an instance", "ec2:RunInstances", f"arn:aws:ec2:{where}:instance/*", inside),
    ]
    own = [
        Attempt("GetItem of the sentinel", "dynamodb:GetItem", table, keyed(SENTINEL)),
        Attempt("DeleteItem of the sentinel", "dynamodb:DeleteItem", table, sentinel(ReturnValues="NONE")),
        Attempt("UpdateItem of the sentinel (opt-in GSI write)", "dynamodb:UpdateItem", table, keyed(SENTINEL)),
        Attempt("Query of an index, counting", "dynamodb:Query", index, sentinel(Select="COUNT")),
        Attempt("DescribeTable", "dynamodb:DescribeTable", table, inside),
        Attempt("DescribeTimeToLive", "dynamodb:DescribeTimeToLive", table, inside),
        Attempt("ListTables", "dynamodb:ListTables", "*", inside),
        Attempt("DescribeScalableTargets", "application-autoscaling:DescribeScalableTargets", "*", inside),
        Attempt(
            "write its own logs",
            "logs:PutLogEvents",
            f"arn:aws:logs:{where}:log-group:/aws/lambda/{name}:log-stream:x",
            inside,
        ),
        Attempt(
            "read its own configuration",
            "ssm:GetParameters",
            f"arn:aws:ssm:{where}:parameter/{name}/config/000",
            inside,
        ),
    ]
    outside = [
        Attempt(f"{m.label}, from a session outside Lambda", m.action, m.resource, without_lambda(m.context))
        for m in own
    ]
    # The schedule's role: EventBridge Scheduler sets no context key of its own on its calls.
    schedule = [
        Attempt(
            "invoke the warmer (the schedule's role)",
            "lambda:InvokeFunction",
            f"arn:aws:lambda:{where}:function:{name}",
        ),
        Attempt("send to the warmer's dead-letter queue", "sqs:SendMessage", f"arn:aws:sqs:{where}:{name}-dlq"),
    ]
    return (
        denied
        + [Attempt(f"{m.label}, from inside the warmer", m.action, m.resource, m.context, allowed=True) for m in own]
        + outside
        + [Attempt(m.label, m.action, m.resource, m.context, allowed=True) for m in schedule]
    )


def without_lambda(context: dict) -> dict:
    return {k: v for k, v in context.items() if k != "lambda:SourceFunctionArn"}


def boundary_requests(roles: dict, applied_boundaries: dict[str, dict]) -> list[tuple[Attempt, dict]]:
    """(request, evaluator request) for a role made under each environment's boundary, in its account."""
    requests = []
    for key, role in sorted(roles.items()):
        if not role["key"].startswith("apply-"):
            continue
        at = where_of(role)
        principal = role_arn(f"ddb-warmer-{at.environment}-warmer-{at.region}", at.account)
        for made in made_under_the_boundary(at.account, at.environment, at.region):
            requests.append(
                (
                    made,
                    {
                        "id": f"{made.label} | {key}",
                        "policies": {
                            "identity": [EVERYTHING],
                            "permissionBoundaries": [applied_boundaries[at.account]],
                        },
                        "principal": principal,
                        "action": made.action,
                        "resource": made.resource,
                        "context": made.context,
                    },
                )
            )
    return requests


def boundary_matrix(roles: dict, applied_boundaries: dict[str, dict]) -> tuple[dict, list[str]]:
    """({label: {role: result}}, the requests decided other than expected, explained)."""
    requests = boundary_requests(roles, applied_boundaries)
    table: dict[str, dict[str, dict]] = {}
    wrong = []
    for (made, _), result in zip(requests, evaluate([r for _, r in requests]), strict=True):
        label, role = result["id"].rsplit(" | ", 1)
        table.setdefault(label, {})[role] = result
        if (result["decision"] == "Allowed") != made.allowed:
            wrong.append(explain(result))
    return table, wrong


def _requests(roles: dict, kind: Callable, boundaries: dict[str, str]) -> list[dict]:
    return [
        {
            "id": f"{attempt.label} | {role}",
            "policies": {"identity": roles[role]["policies"]},
            "principal": role_arn(roles[role]["name"], roles[role]["account"]),
            "action": attempt.action,
            "resource": attempt.resource,
            "context": attempt.context,
        }
        for role in sorted(roles)
        for attempt in kind(role, roles, boundaries)
    ]


def matrix(roles: dict, kind: Callable, boundaries: dict[str, str]) -> dict[str, dict[str, dict]]:
    """{attempt label: {role: evaluator result}}; `roles` from every_role (keys "<account>/<role key>"),
    `boundaries` each account's boundary policy ARN."""
    table: dict[str, dict[str, dict]] = {}
    for result in evaluate(_requests(roles, kind, boundaries)):
        label, role = result["id"].rsplit(" | ", 1)
        table.setdefault(label, {})[role] = result
    return table


SHORT = {"Allowed": "**ALLOWED**", "ImplicitlyDenied": "denied", "ExplicitlyDenied": "denied (explicit)"}


def render(table: dict[str, dict[str, dict]], title: str) -> str:
    roles = sorted({role for row in table.values() for role in row})
    lines = [f"| {title} | {' | '.join(roles)} |", "|---" * (len(roles) + 1) + "|"]
    for label, row in table.items():
        cells = [SHORT.get(row[r]["decision"], row[r]["decision"]) for r in roles]
        lines.append(f"| {label} | {' | '.join(cells)} |")
    allowed = sum(r["decision"] == "Allowed" for row in table.values() for r in row.values())
    total = sum(len(row) for row in table.values())
    return "\n".join(lines) + f"\n\n{total - allowed} of {total} denied, {allowed} allowed.\n"


def main() -> int:
    from ddb_warmer.local.emulator import running_emulator

    with running_emulator(name="moto-escalation") as emulator:
        attempts, own, (made, wrong) = applied_matrices(emulator)
    print(render(attempts, "escalation attempt (every account's bootstrap applied to the emulator)"))
    print(render(own, "the warmer's own deploy"))
    print(render(made, "a role made under the boundary, with every right"))
    allowed = [label for label, row in attempts.items() for r in row.values() if r["decision"] == "Allowed"]
    return 1 if allowed or wrong else 0


def applied_matrices(emulator) -> tuple[dict, dict, tuple[dict, list[str]]]:
    """(escalation attempts, the warmer's own deploy, a role made under the boundary), with every account's
    bootstrap applied to `emulator` (a fresh one: the bootstraps create their state buckets)."""
    with applied_bootstraps(emulator) as applied:
        roles = every_role({account: done.roles for account, done in applied.items()})
        boundaries = {account: done.outputs["permissions_boundary_arn"] for account, done in applied.items()}
        documents = {account: done.boundary for account, done in applied.items()}
        return (
            matrix(roles, escalations, boundaries),
            matrix(roles, deploy, boundaries),
            boundary_matrix(roles, documents),
        )


if __name__ == "__main__":
    raise SystemExit(main())
