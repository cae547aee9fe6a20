"""live/'s environments on the emulator, planned and applied once per worker, for every test that reads them.

A real apply costs a minute of Terraform, so it is made once per kind of environment live/ holds, not per
test file: the first environment, the first with several regions, the first in another account than the
first's (a kind live/ lacks is absent; one environment may be of several kinds). Every environment is
planned as a pull request plans it (`run --all plan --out-dir`, no lock); each environment of a kind then
goes the way a merge takes it: its saved plans applied (`run --all apply --out-dir`), the first
environment's first unit read back and ticked in the local Lambda runtime while it is deployed, planned
again (no lock) and destroyed. Every Terraform run keeps its debug log (TF_LOG=debug), from which the
calls each one sent to AWS are read (tests/iam/ci_roles.py), for the CI roles' permission tests. Units are
applied with the account's permissions boundary on their roles, as CI applies them. Terragrunt runs in the
copy of this checkout whose lock files keep no checksum (tests/checkout_copy.py: terraform_checkout).

tests/live/test_environments.py and tests/iam/test_ci_permissions.py read it, and the tests of the CI roles
read every account's bootstrap applied (tests/iam/ci_roles.py: applied_once): one xdist group
(tests/conftest.py), whose session fixtures call `applied_together`, which makes both at the same time.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ddb_warmer.build.live import Environment, environments, unit_dirs, unit_inputs, unit_region
from ddb_warmer.build.terragrunt import LIVE, Run, terragrunt, unit_outputs
from ddb_warmer.build.toolenv import WORK
from ddb_warmer.ci.plan import PLAN_JSON
from ddb_warmer.local import runtime
from ddb_warmer.local.emulator import Emulator
from ddb_warmer.local.runtime import Invocation
from ddb_warmer.local.scheduled import Schedule, deployed_schedule, fetch_deployed_package, run_ticks
from ddb_warmer.local.seed import Seeded, TableSpec, example_name, seed_table
from ddb_warmer.names import state_bucket
from tests.checkout_copy import READ_ONLY_INIT, copied
from tests.iam.ci_roles import AppliedAccount, applied_once, recorded_calls

FIRST, SEVERAL_REGIONS, ANOTHER_ACCOUNT = "the first environment", "several regions", "another account"


def kinds(found: list[Environment] | None = None) -> dict[str, Environment]:
    """{kind: the environment of live/ that stands for it}, for the kinds live/ holds."""
    found = environments() if found is None else found
    if not found:
        return {}
    candidates = {
        FIRST: found[0],
        SEVERAL_REGIONS: next((e for e in found if len(e.regions) > 1), None),
        ANOTHER_ACCOUNT: next((e for e in found if e.account != found[0].account), None),
    }
    return {kind: environment for kind, environment in candidates.items() if environment is not None}


def boundary(account: str) -> str:
    """modules/github-oidc's permissions_boundary_arn in an account's bootstrap unit."""
    return f"arn:aws:iam::{account}:policy/ddb-warmer-bootstrap-warmer-boundary"


def assert_no_deprecation_warning(run: Run) -> None:
    noisy = [
        line
        for line in (run.stdout + run.stderr).splitlines()
        # Terragrunt's own warnings have WARN in the level column, right after the time; a plan
        # that shows a value "WARN" (Lambda's system_log_level) is not one.
        if re.search(r"deprecat", line, re.IGNORECASE) or re.match(r"^\S+\s+WARN\b", line)
    ]
    assert noisy == [], f"terragrunt {' '.join(run.args)} printed warnings (log: {run.log_path})"


@dataclass
class Deployed:
    """What the first environment's first unit showed while deployed: read back, ticked, its alarms."""

    unit: Path
    inputs: dict
    seeded: Seeded
    function: dict  # Lambda's GetFunction Configuration
    schedule: Schedule
    configuration: dict  # the configuration the fetched package came with
    tick: Invocation
    task_root_has_handler: bool  # the package was unpacked where the runtime looks for the handler
    missing: list[str]  # listed tables the region does not hold
    later: str | None  # a table a pattern matches, created after the deploy
    next_tick: Invocation | None  # the tick after it was created
    topic: str  # the unit's notification_topic_arn
    alarms: list[dict]  # the function's alarms as CloudWatch holds them


@dataclass
class AppliedEnvironment:
    environment: Environment
    kinds: list[str]
    apply: Run
    replan: Run
    destroy: Run
    logs: dict[str, Path]  # Terraform's debug log of each phase: plan, apply, replan, destroy
    deployed: Deployed | None = None

    def added(self) -> list[int]:
        return sorted(int(n) for n in re.findall(r"Apply complete! Resources: (\d+) added", self.apply.stdout))

    def destroyed(self) -> list[int]:
        return sorted(
            int(n) for n in re.findall(r"Destroy complete! Resources: (\d+) destroyed\.", self.destroy.stdout)
        )


@dataclass
class Live:
    plans: dict[str, dict[str, dict]]  # {environment: {unit path under live/<environment>: plan JSON}}
    plan_runs: dict[str, Run]
    plan_logs: dict[str, Path]
    applied: dict[str, AppliedEnvironment]  # by environment name
    kinds: dict[str, str] = field(default_factory=dict)  # {kind: environment name}

    def calls(self, environment: Environment) -> dict[str, set[tuple[str, str]]]:
        """The AWS calls of the environment's CI jobs: "plan", what a pull request's plan sends (before and
        after the apply), under the plan role; "apply", what its plan, apply and destroy send, under its apply
        role. An environment of no kind of its own was planned but not applied: its apply and later plan are
        those of the applied environment of its shape (several regions or one), read for its own names, units
        and state buckets; the module makes the same calls whatever the environment is called."""
        own = recorded_calls(self.plan_logs[environment.name].read_text(), environment)
        if environment.name in self.applied:
            done = self.applied[environment.name]
            read = {phase: recorded_calls(done.logs[phase].read_text(), environment) for phase in done.logs}
            return {"plan": own | read["replan"], "apply": own | read["apply"] | read["destroy"]}
        shape = SEVERAL_REGIONS if len(environment.regions) > 1 and SEVERAL_REGIONS in self.kinds else FIRST
        done = self.applied[self.kinds[shape]]
        read = {
            phase: readdressed(recorded_calls(done.logs[phase].read_text(), environment), done.environment, environment)
            for phase in done.logs
        }
        return {"plan": own | read["replan"], "apply": own | read["apply"] | read["destroy"]}


def state_prefixes(environment: Environment) -> list[tuple[str, str]]:
    """(state bucket, unit folder under the repository) of each unit of the environment."""
    return [
        (state_bucket(unit_region(unit), environment.account), unit.relative_to(LIVE.parent).as_posix())
        for unit in unit_dirs(LIVE / environment.name)
    ]


def readdressed(calls: set[tuple[str, str]], source: Environment, target: Environment) -> set[tuple[str, str]]:
    """`calls` read for `target` from `source`'s log: the state objects of each of source's units become those
    of each of target's units (its account's buckets of their regions)."""
    buckets = {bucket for bucket, _ in state_prefixes(source)}
    folders = [folder for _, folder in state_prefixes(source)]
    found = set()
    for action, resource in calls:
        bucket, _, key = resource.removeprefix("arn:aws:s3:::").partition("/")
        if not resource.startswith("arn:aws:s3:::") or bucket not in buckets:
            found.add((action, resource))
            continue
        folder = next((f for f in folders if key.startswith(f"{f}/")), None)
        for target_bucket, target_folder in state_prefixes(target):
            if folder is None:
                found.add((action, f"arn:aws:s3:::{target_bucket}" + (f"/{key}" if key else "")))
            else:
                found.add((action, f"arn:aws:s3:::{target_bucket}/{target_folder}{key.removeprefix(folder)}"))
    return found


def _env(emulator: Emulator, environment: Environment, log: Path) -> dict[str, str]:
    return {
        **emulator.env(account=environment.account),
        **READ_ONLY_INIT,
        "TF_LOG": "debug",
        "TF_LOG_PATH": str(log),
        "TF_VAR_permissions_boundary": boundary(environment.account),
    }


def _deployed(emulator: Emulator, environment: Environment, work: Path) -> Deployed:
    """The first unit of `environment` read back from AWS and ticked in the local Lambda runtime."""
    env = emulator.env(account=environment.account) | READ_ONLY_INIT
    unit = unit_dirs(copied(LIVE / environment.name))[0]
    found = emulator.seeded[environment.name][0]
    inputs = unit_inputs(unit)
    outputs = unit_outputs(unit, env)
    session = emulator.session(environment.account, found.region)
    function = session.client("lambda").get_function(FunctionName=f"{inputs['name_prefix']}-warmer")["Configuration"]
    schedule = deployed_schedule(session.client("scheduler"), outputs["schedule_arn"])
    package, configuration = fetch_deployed_package(session.client("lambda"), schedule.function_name)
    patterns = inputs.get("table_name_patterns") or []
    # A listed table the region does not hold (a new account): every tick fails, naming it.
    missing = [t for t in found.listed if t not in {s.name for s in found.tables}]
    later = example_name(patterns[0], "created-later") if patterns and not missing else None
    next_tick = None
    with runtime.running(package, configuration, env, work) as running:
        cloudwatch = session.client("cloudwatch")
        (tick,) = run_ticks(running, schedule, cloudwatch, 1)
        task = work / f"lambda-{schedule.function_name}" / "task" / "lambda_function" / "main.py"
        if later:  # a table created after the deploy that a pattern matches is warmed on the next tick
            dynamodb = session.client("dynamodb")
            seed_table(dynamodb, session.client("application-autoscaling"), TableSpec(later, ("id", "S")))
            try:
                (next_tick,) = run_ticks(running, schedule, cloudwatch, 1)
            finally:
                dynamodb.delete_table(TableName=later)  # the emulator is shared with other tests
    alarms = session.client("cloudwatch").describe_alarms(AlarmNamePrefix=f"{function['FunctionName']}-")
    return Deployed(
        unit,
        inputs,
        found,
        function,
        schedule,
        configuration,
        tick,
        task.exists(),
        missing,
        later,
        next_tick,
        outputs["notification_topic_arn"],
        alarms["MetricAlarms"],
    )


def _apply(emulator: Emulator, environment: Environment, plans: Path, logs: Path, tick: bool) -> AppliedEnvironment:
    env_dir = copied(LIVE / environment.name)
    log = {phase: logs / f"{environment.name}-{phase}.log" for phase in ("plan", "apply", "replan", "destroy")}
    deployed = None
    try:
        apply = terragrunt(
            ["run", "--all", "apply", "--out-dir", str(plans)], env_dir, _env(emulator, environment, log["apply"])
        )
        if tick:
            (logs / f"{environment.name}-runtime").mkdir()
            deployed = _deployed(emulator, environment, logs / f"{environment.name}-runtime")
        # The plan a pull request makes once it exists: every resource is refreshed.
        replan = terragrunt(
            ["run", "--all", "plan", "--", "-lock=false", "-detailed-exitcode"],
            env_dir,
            _env(emulator, environment, log["replan"]),
            ok_codes=(0, 2),
        )
    finally:
        destroy = terragrunt(["run", "--all", "destroy"], env_dir, _env(emulator, environment, log["destroy"]))
    return AppliedEnvironment(environment, [], apply, replan, destroy, log, deployed)


LIVES: dict[str, Live] = {}


def applied_live(emulator: Emulator) -> Live:
    """Every environment of live/ planned, each of a kind applied, read, planned again and destroyed, on
    `emulator` (made once per emulator, that is per worker)."""
    if emulator.endpoint in LIVES:
        return LIVES[emulator.endpoint]
    work = WORK / f"applied-{emulator.endpoint.rsplit(':', 1)[-1]}"
    shutil.rmtree(work, ignore_errors=True)  # a server of an earlier run may have had the same port
    logs = work / "tf-logs"
    logs.mkdir(parents=True, exist_ok=True)
    found = environments()
    chosen = kinds(found)

    def plan(environment: Environment) -> tuple[dict[str, dict], Run, Path]:
        plans, log = work / "plans" / environment.name, logs / f"{environment.name}-plan.log"
        for stale in plans.rglob("tfplan.*"):
            stale.unlink()
        run = terragrunt(
            ["run", "--all", "plan", "--out-dir", str(plans), "--json-out-dir", str(plans), "--", "-lock=false"],
            copied(LIVE / environment.name),
            _env(emulator, environment, log),
        )
        units = [unit.relative_to(LIVE / environment.name) for unit in unit_dirs(LIVE / environment.name)]
        return {unit.as_posix(): json.loads((plans / unit / PLAN_JSON).read_text()) for unit in units}, run, log

    def apply(environment: Environment) -> AppliedEnvironment:
        mine = [kind for kind, e in chosen.items() if e.name == environment.name]
        done = _apply(emulator, environment, work / "plans" / environment.name, logs, tick=FIRST in mine)
        done.kinds = mine
        return done

    # Plans only read: every environment at once. Applies at once where no two environments share an
    # account and region (what one applies, or the table its tick creates, another's plan would read).
    planned = at_once(plan, [found])
    applied = at_once(apply, apart([e for e in found if e in chosen.values()]))
    live = Live(
        {name: plans for name, (plans, _, _) in planned.items()},
        {name: run for name, (_, run, _) in planned.items()},
        {name: log for name, (_, _, log) in planned.items()},
        {e.name: applied[e.name] for e in found if e.name in applied},  # in live/'s order, whatever the batches
        {kind: e.name for kind, e in chosen.items()},
    )
    LIVES[emulator.endpoint] = live
    return live


def apart(found: list[Environment]) -> list[list[Environment]]:
    """`found` in batches, each of environments that share no account and region: the batches go one
    after the other, the environments of a batch at once."""
    batches: list[list[Environment]] = []
    for environment in found:
        places = {(environment.account, region) for region in environment.regions}
        batch = next(
            (b for b in batches if not places & {(e.account, r) for e in b for r in e.regions}),
            None,
        )
        if batch is None:
            batches.append([environment])
        else:
            batch.append(environment)
    return batches


def at_once[T](work: Callable[[Environment], T], batches: list[list[Environment]]) -> dict[str, T]:
    """{environment name: `work`'s result} in the batches' order, a batch at a time, the environments of a
    batch in threads of their own; the first error is raised once every started one has ended."""
    done: dict[str, T] = {}
    for batch in batches:
        with ThreadPoolExecutor(max_workers=len(batch)) as pool:
            futures = [(environment.name, pool.submit(work, environment)) for environment in batch]
            done.update((name, future.result()) for name, future in futures)
    return done


def applied_together(
    config: pytest.Config, emulator: Emulator
) -> tuple[Live, tuple[Emulator, dict[str, AppliedAccount]]]:
    """(live/'s environments applied on the worker's `emulator`: `applied_live`; every account's bootstrap
    applied on an emulator of its own, and that emulator: tests/iam/ci_roles.py `applied_once`), both made
    at the same time when either is first asked for: their Terraform runs in processes of its own, so the
    chain of the one xdist group that reads both is the longer of the two, not their sum."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        live, bootstraps = pool.submit(applied_live, emulator), pool.submit(applied_once, config)
        return live.result(), bootstraps.result()
