"""`ddb-warmer new-environment`: add an environment, or regions to one, by writing every file live/ needs.

    ddb-warmer new-environment staging --account 123456789012 --region eu-west-1 --after dev \\
        --notify-email oncall@example.com          # or --notify-topic <an SNS topic ARN>, one per region
    ddb-warmer new-environment prod --region ap-southeast-2        # a region more for an environment

For a new environment it writes live/<name>/env.hcl (its account and its place in the promotion order),
and per region a region.hcl and a warmer unit in live/<name>/<region>/ (one layout, however many
regions, so a region added later sits next to the first); for a new account, that account's bootstrap
unit (live/_bootstrap/<account>/). --after puts the environment right after another one: the
environments that came after that one now come after this one.
A region added to an existing environment gets live/<name>/<region>/, next to the units already there,
which keep their paths (and their state). Then it prints what is left to do in GitHub and AWS.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ddb_warmer.build.live import (
    LIVE,
    Environment,
    LiveError,
    environments,
    read_environment,
    unit_dirs,
    unit_inputs,
)
from ddb_warmer.ops.subcommand import add_subcommand

NAME = re.compile(r"[a-z][a-z0-9-]{0,19}")
ACCOUNT = re.compile(r"\d{12}")
REGION = re.compile(r"[a-z]{2}(-gov)?-[a-z]+-\d")
TOPIC_ARN = re.compile(r"arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}")
EMAIL = re.compile(r"[^@\s\"]+@[^@\s\"]+\.[^@\s\"]+")
LOCK_FILE = ".terraform.lock.hcl"

ENV_HCL = """\
# One environment: a GitHub Environment, a folder of live/, and the AWS
# account it deploys to. Its regions follow from the region.hcl files below.
locals {{
  environment = "{name}"
  # The provider refuses credentials of any other account; the CI roles are
  # found in this account by name (ddb-warmer-bootstrap-github-*).
  aws_account_id = "{account}"
  # Promotion order: in one run this environment applies only after these
  # succeeded (none: first).
  apply_after = [{after}]
  # Existing SNS topics its alarms may notify (notifications.topic_arn): its
  # apply role may point alarms at these and at the topic the module creates,
  # nothing else. Apply the account's bootstrap again after a change here.
  alarm_topic_arns = [{topics}]
}}
"""

REGION_HCL = """\
locals {{
  aws_region = "{region}"
}}
"""

NOTIFICATIONS = """\
  # Where the alarms go: a topic of its own with these subscriptions, or an
  # existing topic as {{ topic_arn = "arn:aws:sns:..." }} (docs/operations.md).
  notifications = {value}
"""
# An include block of a unit, other than the root's and the shared warmer's (which every unit has).
INCLUDE = re.compile(r'^include "(?!root"|warmer")[^"]+" \{\n(?:.*\n)*?\}\n', re.MULTILINE)

WARMER_UNIT = """\
include "root" {{
  path = "${{get_repo_root()}}/terragrunt.hcl"
}}

include "warmer" {{
  path = "${{get_repo_root()}}/live/_shared/warmer.hcl"
}}
{includes}
inputs = {{
  schedule_expression = "rate(1 minute)"
{notifications}
  # The tables to keep warm: list them (`{{ name = "orders" }}`), or let the
  # patterns find every table with auto scaling, including later ones.{placeholder}
  tables              = [{tables}]
  table_name_patterns = [{patterns}]
}}
"""

BOOTSTRAP_ENV = """\
# One AWS account's bootstrap, applied by an admin of that account (docs/adopting.md:
# Adopting it). It serves every environment whose env.hcl names this account.
locals {{
  environment    = "bootstrap"
  aws_account_id = "{account}"
}}
"""

BOOTSTRAP_UNIT = """\
# This account's CI roles and state buckets (live/_bootstrap/github-oidc.hcl).
include "root" {
  path = "${get_repo_root()}/terragrunt.hcl"
}

include "bootstrap" {
  path = "${get_repo_root()}/live/_bootstrap/github-oidc.hcl"
}
"""


@dataclass
class Plan:
    """Files to write (path → text) and env.hcl files whose apply_after changes."""

    files: dict[Path, str] = field(default_factory=dict)
    reordered: list[str] = field(default_factory=list)


# Written above the patterns when none was given: the default is a guess at the tables' names.
PLACEHOLDER = """
  # REPLACE: "{pattern}" is a placeholder (no --pattern or --table was given):
  # write your tables' names or patterns; the plan warns while it matches none."""


def topic_region(arn: str) -> str:
    """An SNS topic ARN's region: a CloudWatch alarm notifies only a topic of its own region."""
    return arn.split(":")[3]


def _quoted(values: list[str]) -> str:
    return ", ".join(f'"{v}"' for v in values)


def notifications_hcl(notifications: dict) -> str:
    """The module's `notifications` input as HCL: { topic_arn = ... } or { subscriptions = [...] }."""
    if notifications.get("topic_arn"):
        return f'{{ topic_arn = "{notifications["topic_arn"]}" }}'
    subscriptions = ", ".join(
        f'{{ protocol = "{s["protocol"]}", endpoint = "{s["endpoint"]}" }}' for s in notifications["subscriptions"]
    )
    return f"{{ subscriptions = [{subscriptions}] }}"


def _notifications(args: argparse.Namespace, region: str) -> dict | None:
    """Where a region's alarms go, from the flags; None when none was given. A topic is the one given
    for that region (checked in _check: one per region)."""
    if args.notify_topic:
        return {"topic_arn": next(t for t in args.notify_topic if topic_region(t) == region)}
    if args.notify_email:
        return {"subscriptions": [{"protocol": "email", "endpoint": e} for e in args.notify_email]}
    return None


def _no_destination(name: str) -> LiveError:
    return LiveError(
        f"say where {name}'s alarms go: --notify-email oncall@example.com (a topic of its own with that "
        "subscription; repeatable) or --notify-topic arn:aws:sns:<region>:<account>:<topic> (an existing topic "
        "in each region: an alarm notifies only a topic of its own region)"
    )


def _like_its_units(
    live: Path, environment: Environment, notifications: dict | None, region: str
) -> tuple[str, dict | None]:
    """A region more takes what the environment's first unit has: its own includes (an environment-wide
    file such as live/prod/warmer.hcl), and its alarms' destination unless one is given. A destination
    that comes from such an include is not written again, so that changing it there changes it here.
    A topic of another region cannot be taken: the region needs its own (--notify-topic)."""
    unit = unit_dirs(live / environment.name)[0]
    includes = "".join(f"\n{block}" for block in INCLUDE.findall((unit / "terragrunt.hcl").read_text()))
    if notifications is None:
        inherited = unit_inputs(unit).get("notifications")
        if not inherited:
            raise _no_destination(environment.name)
        topic = inherited.get("topic_arn")
        if topic and topic_region(topic) != region:
            raise LiveError(
                f"{environment.name}'s alarms go to {topic}, a topic in {topic_region(topic)}: an alarm in {region} "
                f"notifies only a topic of {region}; give one with --notify-topic arn:aws:sns:{region}:"
                f"{environment.account}:<topic>, or use --notify-email"
            )
        if "notifications" not in (unit / "terragrunt.hcl").read_text():
            return includes, None  # from an include, which the new unit has too
        notifications = inherited
    return includes, notifications


def _unit_files(
    folder: Path,
    region: str,
    tables: list[str],
    patterns: list[str],
    notifications: dict | None,
    includes: str = "",
    placeholder: bool = False,
) -> dict[Path, str]:
    tables_hcl = ", ".join(f'{{ name = "{t}" }}' for t in tables)
    unit = WARMER_UNIT.format(
        placeholder=PLACEHOLDER.format(pattern=patterns[0]) if placeholder else "",
        includes=includes,
        tables=tables_hcl,
        patterns=_quoted(patterns),
        notifications=NOTIFICATIONS.format(value=notifications_hcl(notifications)) if notifications else "",
    )
    return {folder / "region.hcl": REGION_HCL.format(region=region), folder / "warmer" / "terragrunt.hcl": unit}


def _check(args: argparse.Namespace, existing: dict[str, Environment]) -> None:
    if not NAME.fullmatch(args.name):
        raise LiveError(f"{args.name!r} is no environment name: use lower-case letters, digits and '-', like staging")
    if args.account and not ACCOUNT.fullmatch(args.account):
        raise LiveError(f"--account {args.account!r}: give the 12-digit AWS account ID, like 123456789012")
    for region in args.region:
        if not REGION.fullmatch(region):
            raise LiveError(f"--region {region!r}: give an AWS region code, like eu-west-1")
    for topic in args.notify_topic:
        if not TOPIC_ARN.fullmatch(topic):
            raise LiveError(
                f"--notify-topic {topic!r}: give an SNS topic ARN, like arn:aws:sns:eu-west-1:123456789012:alerts"
            )
    if args.notify_topic:
        # CloudWatch takes only a topic of the alarm's own region (modules/dynamodb-warmer/sns.tf).
        given = [topic_region(t) for t in args.notify_topic]
        missing = [r for r in args.region if r not in given]
        extra = [t for t in args.notify_topic if topic_region(t) not in args.region]
        if missing or extra or len(set(given)) != len(given):
            raise LiveError(
                "--notify-topic: an alarm notifies only a topic of its own region, so give one topic per --region"
                + (f"; none for {', '.join(missing)} (arn:aws:sns:{missing[0]}:<account>:<topic>)" if missing else "")
                + (f"; not in a --region: {', '.join(extra)}" if extra else "")
            )
    if args.notify_topic and args.notify_email:
        raise LiveError("--notify-topic or --notify-email, not both: the alarms go to one destination")
    for email in args.notify_email:
        if not EMAIL.fullmatch(email):
            raise LiveError(f"--notify-email {email!r}: give an email address, like oncall@example.com")
    if len(set(args.region)) != len(args.region):
        raise LiveError("each --region once: a region has one warmer per environment")
    if args.after and args.after not in existing:
        raise LiveError(f"--after {args.after}: no such environment (there are: {', '.join(existing)})")
    if args.name in existing:
        if args.account and args.account != existing[args.name].account:
            raise LiveError(
                f"{args.name} is in account {existing[args.name].account}: leave out --account to add regions to it"
            )
        if args.after:
            raise LiveError(f"{args.name} exists: change apply_after in live/{args.name}/env.hcl to reorder it")
        already = sorted(set(args.region) & set(existing[args.name].regions))
        if already:
            raise LiveError(f"{args.name} already deploys to {', '.join(already)}: name only new regions")
    elif not args.account:
        raise LiveError(f"{args.name} is a new environment: give its AWS account with --account 123456789012")


def _with_topics(env_hcl: str, topics: list[str]) -> str:
    """env.hcl with these topics added to its alarm_topic_arns (the list written, if it had none)."""
    listed = re.search(r"alarm_topic_arns\s*=\s*\[([^\]]*)\]", env_hcl)
    if listed is None:
        return env_hcl.rstrip().removesuffix("}") + f"  alarm_topic_arns = [{_quoted(topics)}]\n}}\n"
    known = re.findall(r'"([^"]+)"', listed.group(1))
    merged = _quoted([*known, *(t for t in topics if t not in known)])
    return env_hcl[: listed.start()] + f"alarm_topic_arns = [{merged}]" + env_hcl[listed.end() :]


def plan_files(args: argparse.Namespace, live: Path) -> Plan:
    existing = {e.name: e for e in environments(live)}
    _check(args, existing)
    plan = Plan()
    placeholder = not (args.pattern or args.table)
    patterns = [f"{args.name}-*"] if placeholder else args.pattern
    env_dir = live / args.name
    if args.name in existing:  # regions more: next to the units already there, which keep their paths
        for region in args.region:
            includes, notifications = _like_its_units(live, existing[args.name], _notifications(args, region), region)
            files = _unit_files(env_dir / region, region, args.table, patterns, notifications, includes, placeholder)
            plan.files.update(files)
        if args.notify_topic:  # its apply role may point alarms only at the topics env.hcl lists
            env_hcl = env_dir / "env.hcl"
            plan.files[env_hcl] = _with_topics(env_hcl.read_text(), args.notify_topic)
        return plan
    if not (args.notify_topic or args.notify_email):
        raise _no_destination(args.name)

    order = list(existing)
    after = [args.after] if args.after else order[-1:]
    plan.files[env_dir / "env.hcl"] = ENV_HCL.format(
        name=args.name, account=args.account, after=_quoted(after), topics=_quoted(args.notify_topic)
    )
    # The environments that came right after --after now come after the new one.
    for name in order:
        if args.after and args.after in existing[name].apply_after:
            env_hcl = live / name / "env.hcl"
            text = env_hcl.read_text()
            plan.files[env_hcl] = re.sub(
                r"(apply_after\s*=\s*\[[^\]]*)\"" + re.escape(args.after) + '"', rf'\1"{args.name}"', text
            )
            plan.reordered.append(name)
    for region in args.region:
        notifications = _notifications(args, region)
        plan.files.update(_unit_files(env_dir / region, region, args.table, patterns, notifications, "", placeholder))
    bootstrap = live / "_bootstrap" / args.account
    if not (bootstrap / "env.hcl").exists():
        plan.files[bootstrap / "env.hcl"] = BOOTSTRAP_ENV.format(account=args.account)
        plan.files[bootstrap / "github-oidc" / "terragrunt.hcl"] = BOOTSTRAP_UNIT
    return plan


def _format(paths: list[Path]) -> None:
    """terragrunt hcl fmt on what was written, when Terragrunt is installed (make bootstrap)."""
    if shutil.which("terragrunt") is None:
        return
    for path in paths:
        subprocess.run(["terragrunt", "hcl", "fmt", "--file", str(path)], check=True, capture_output=True)


def _lock_files(plan: Plan, live: Path) -> list[Path]:
    """Each new unit starts from the provider pins of a unit that has them, as `terraform init` writes them."""
    source = next(iter(sorted(live.glob(f"**/warmer/{LOCK_FILE}"))), None)
    bootstrap_source = next(iter(sorted(live.glob(f"_bootstrap/*/github-oidc/{LOCK_FILE}"))), None)
    copied = []
    for path in plan.files:
        if path.name != "terragrunt.hcl":
            continue
        origin = bootstrap_source if path.parent.name == "github-oidc" else source
        if origin and not (path.parent / LOCK_FILE).exists():
            shutil.copyfile(origin, path.parent / LOCK_FILE)
            copied.append(path.parent / LOCK_FILE)
    return copied


def todo(name: str, live: Path, new: bool, placeholder: str | None = None) -> str:
    environment = read_environment(live / name)
    bootstrap = f"live/_bootstrap/{environment.account}/github-oidc"
    steps = []
    if placeholder:
        steps.append(
            f"live/{name}: replace the placeholder pattern {placeholder!r} in each new warmer unit with your "
            "tables' names or patterns"
        )
    steps.append(
        f"AWS, as an admin of account {environment.account}: apply its bootstrap (roles of {name}, a state bucket "
        f"per region), with your repository's numeric ids (gh api repos/<owner>/<repo> --jq "
        "'{owner: .owner.id, repository: .id}'):\n"
        f"     cd {bootstrap} && DDB_WARMER_GITHUB_REPOSITORY=<owner>/<repo> \\\n"
        '       TF_VAR_github_repository_ids=\'{"owner": <owner id>, "repository": <repo id>}\' \\\n'
        f"       {_terragrunt_command(live)} apply --backend-bootstrap",
    )
    if new:
        steps.append(
            f"GitHub, Settings > Environments > New environment: {name!r}; deployment branches: main only; "
            "required reviewers if its applies need an approval"
        )
    steps.append(f"check: .venv/bin/python -m ddb_warmer.ci.roles --environment {name}   (its roles and regions)")
    steps.append("check: make test-config   (the live/ tests plan every environment on the local emulator)")
    return "\n".join(f"  {number}. {step}" for number, step in enumerate(steps, 1))


def _terragrunt_command(live: Path) -> str:
    """How to call Terragrunt from a unit's folder: on PATH, or the checkout's bootstrapped one."""
    if shutil.which("terragrunt"):
        return "terragrunt"
    return str(live.parent.resolve() / ".tools" / "bin" / "terragrunt")


def run(args: argparse.Namespace, live: Path = LIVE) -> int:
    try:
        plan = plan_files(args, live)
    except LiveError as error:
        print(f"ddb-warmer new-environment: {error}", file=sys.stderr)
        return 2
    new = not (live / args.name / "env.hcl").exists()
    for path, text in plan.files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    _format(list(plan.files))
    written = sorted([*plan.files, *_lock_files(plan, live)])
    for path in written:
        print(f"wrote {path.relative_to(live.parent)}")
    if plan.reordered:
        print(f"promotion order: {' -> '.join(e.name for e in environments(live))}")
    print("still to do:")
    print(todo(args.name, live, new, None if args.pattern or args.table else f"{args.name}-*"))
    return 0


# `ddb-warmer new-environment --help`: what it is for, examples, and the exit codes run returns.
SUMMARY = "add an environment (or regions to one): write its files under live/"
EXAMPLES = [
    "ddb-warmer new-environment staging --account 123456789012 --region eu-west-1 --after dev \\\n"
    "      --notify-email oncall@example.com",
    "ddb-warmer new-environment prod --region ap-southeast-2",
]
EXIT_CODES = {
    0: "written; what is left to do in GitHub and AWS is printed",
    2: "usage error: a wrong name, account, region or --after (one line says what to write)",
}


def add_parser(commands) -> None:
    command = add_subcommand(commands, "new-environment", SUMMARY, __doc__.split("\n\n")[0], EXAMPLES, EXIT_CODES)
    command.add_argument("name", help="the environment: a folder of live/ and a GitHub Environment")
    command.add_argument("--account", help="its 12-digit AWS account ID (a new environment only)")
    command.add_argument("--region", action="append", required=True, help="a region to deploy to (repeatable)")
    command.add_argument("--after", help="the environment it applies after (default: after the last one)")
    command.add_argument("--table", action="append", default=[], help="a table to warm (repeatable)")
    command.add_argument(
        "--notify-email",
        action="append",
        default=[],
        help="where its alarms go: an email subscription to a topic of its own (repeatable)",
    )
    command.add_argument(
        "--notify-topic",
        action="append",
        default=[],
        help="where its alarms go: an existing SNS topic's ARN, one in each --region (repeatable)",
    )
    command.add_argument(
        "--pattern", action="append", default=[], help="a table name pattern (repeatable; default: '<name>-*')"
    )
