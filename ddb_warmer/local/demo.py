"""The main job, on the local emulator: deploy an environment, run its ticks in a Lambda runtime, report, tear down.

    make demo                    # live/'s first environment (promotion order), 3 ticks
    .venv/bin/python -m ddb_warmer.local.demo --minutes 16     # one tick a minute: doctor says OK
    .venv/bin/python -m ddb_warmer.local.demo --environment <name> --ticks 5

1. start a moto server on 127.0.0.1 (it publishes DynamoDB's consumed capacity
   metrics, as DynamoDB does) and seed it, in the environment's AWS account,
   with the tables live/ names (ddb_warmer/local/seed.py), their auto scaling
   targets and policies, a table each exclude must skip, and one table no
   pattern matches;
2. `terragrunt run --all apply` in live/<environment>;
3. read the deployed schedule back (its target and input), fetch the target's
   package back from Lambda (GetFunction's Code.Location, checked against the
   deployed CodeSha256), and run it in the local Lambda runtime (the Runtime
   Interface Emulator with awslambdaric on Python 3.13) with the deployed
   handler string, environment, memory, timeout and log settings; each tick is
   invoked with the schedule's input, and its AWS/Lambda Invocations and Errors
   are published;
4. print, per table and dimension, the request made and the capacity consumed,
   the runtime's REPORT line, a failing tick's error as Lambda returns it, and
   check that no item of any table changed and that no tick sent a request to
   the tables to leave alone;
5. run `ddb-warmer doctor` on the datapoints the emulator published: the warmed
   dimensions are WARMING (OK after 15 minutes of ticks, `--minutes 16`), the
   table no warmer covers is BLOCKED; then `ddb-warmer advise` on a synthetic
   history of the tables (advice_demo.py), with a chart per table in .work/advice;
6. `terragrunt run --all destroy`, and stop the emulator whatever happened.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time

from ddb_warmer.build.live import environment, environments
from ddb_warmer.build.terragrunt import (
    TerragruntFailed,
    environment_dir,
    terragrunt,
    unit_dirs,
    unit_outputs,
    unit_region,
)
from ddb_warmer.build.toolenv import WORK
from ddb_warmer.local import runtime
from ddb_warmer.local.advice_demo import show_advice
from ddb_warmer.local.emulator import running_emulator
from ddb_warmer.local.report import dimension_rows, format_table
from ddb_warmer.local.scheduled import deployed_schedule, fetch_deployed_package, run_ticks
from ddb_warmer.local.seed import Seeded, TableSpec, matches, seed_environment, seed_table
from ddb_warmer.ops.aws import make_clients
from ddb_warmer.ops.deployment import deployed_config_json
from ddb_warmer.ops.doctor import diagnose
from ddb_warmer.ops.doctor_output import render as render_doctor

# Seeded like the environment's tables but named by no warmer, and matched by no pattern of it (a name
# with a number more if one does): doctor shows it BLOCKED.
UNWARMED_NAME = "unwarmed-archive"


def unwarmed_table(seeded: Seeded) -> TableSpec:
    taken = {s.name for s in seeded.tables}
    name = next(
        n
        for n in (UNWARMED_NAME, *(f"{UNWARMED_NAME}-{i}" for i in range(1, 100)))
        if n not in taken and not matches(n, list(seeded.patterns))
    )
    return TableSpec(name, ("pk", "S"))


def requested_tables(summaries: list[dict]) -> set[str]:
    """Every table a tick sent a request to, from the ticks' summaries."""
    return {t["table"] for summary in summaries for t in summary.get("tables", []) if t.get("dimensions")}


def step(message: str) -> float:
    print(f"==> {message}", flush=True)
    return time.perf_counter()


def done(started: float, detail: str = "") -> None:
    print(f"    done in {time.perf_counter() - started:.1f}s{': ' + detail if detail else ''}", flush=True)


def snapshot_items(dynamodb, tables: list[str]) -> dict[str, list]:
    """Every item of every table, sorted, to prove the ticks changed nothing."""
    snapshot = {}
    for table in tables:
        items = []
        for page in dynamodb.get_paginator("scan").paginate(TableName=table, ConsistentRead=True):
            items += page["Items"]
        snapshot[table] = sorted(items, key=lambda item: json.dumps(item, sort_keys=True, default=str))
    return snapshot


# The table the failing tick names: deleted, as far as the warmer can tell.
DELETED_TABLE = "deleted-table"


def failing_tick(package: bytes, configuration: dict, env: dict, ssm) -> runtime.Invocation:
    """One tick of the deployed package with its configuration plus a table that does not exist, as after
    a table was deleted: the invocation fails, and Lambda returns its error object."""
    config = json.loads(deployed_config_json(configuration, ssm) or "{}")
    config["tables"] = [*config.get("tables", []), {"name": DELETED_TABLE, "read": True}]
    # The whole configuration in WARMER_CONFIG, wherever the deployed one lives (environment or SSM).
    deployed = configuration["Environment"]["Variables"]
    variables = {k: v for k, v in deployed.items() if not k.startswith("WARMER_CONFIG")}
    broken = {**configuration, "Environment": {"Variables": {**variables, "WARMER_CONFIG": json.dumps(config)}}}
    with runtime.running(package, broken, env, WORK / "failing-tick") as function:
        return function.invoke({})


def announced_failure(failure: runtime.Invocation) -> bool:
    """Whether the failing tick failed for the reason the step announces: the deleted table, named."""
    return not failure.ok and DELETED_TABLE in (failure.error_message or "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Deploy an environment to the local emulator and warm it.")
    parser.add_argument(
        "--environment", help="a folder under live/ (default: the first in promotion order, apply_after in env.hcl)"
    )
    parser.add_argument("--ticks", type=int, default=3, help="warm ticks, one after another (default: 3)")
    parser.add_argument(
        "--minutes", type=int, help="run for N real minutes, one tick at the start of each (16: doctor says OK)"
    )
    parser.add_argument("--keep", action="store_true", help="skip the destroy step (the emulator stops anyway)")
    args = parser.parse_args(argv)
    args.environment = args.environment or environments()[0].name
    env_dir = environment_dir(args.environment)
    account = environment(args.environment).account
    # The warmer run here is the environment's first unit (live/prod/eu-west-1/warmer for prod, which
    # has a unit per region), in the region its nearest region.hcl names.
    unit = unit_dirs(env_dir)[0]
    region = unit_region(unit)
    total = time.perf_counter()
    failed = False

    started = step(f"starting the local AWS emulator (moto, 127.0.0.1) for live/{args.environment}")
    with running_emulator(region) as emulator, emulator.activated(account):
        done(started, f"{emulator.endpoint}, log {emulator.log_path}; account {account}")
        env = emulator.env(account=account)
        session = emulator.session(account, region)
        dynamodb = session.client("dynamodb")

        started = step("seeding the tables live/ names, their auto scaling targets and policies")
        seeded = seed_environment(environment(args.environment), emulator)[0]
        tables = list(seeded.expected)
        unwarmed = unwarmed_table(seeded)
        seed_table(dynamodb, session.client("application-autoscaling"), unwarmed)
        # Tables the warmer must leave alone: those an exclude skips (seeded from each exclude) and one no
        # pattern matches.
        left_alone = [*(s.name for s in seeded.tables if s.name not in seeded.expected), unwarmed.name]
        done(
            started,
            ", ".join(tables) + f"; left alone: {', '.join(left_alone)} (an exclude skips it, or nothing names it)",
        )
        before = snapshot_items(dynamodb, [*tables, *left_alone])

        try:
            started = step(f"terragrunt run --all apply  (live/{args.environment})")
            run = terragrunt(["run", "--all", "apply"], env_dir, env)
            done(started, f"log {run.log_path}")

            outputs = unit_outputs(unit, env)
            schedule = deployed_schedule(session.client("scheduler"), outputs["schedule_arn"])
            started = step(f"reading back schedule {schedule.name} and fetching its target's deployed package")
            package, configuration = fetch_deployed_package(session.client("lambda"), schedule.function_name)
            done(
                started,
                f"{schedule.expression} -> {schedule.target_arn}, input {json.dumps(schedule.event)}; "
                f"{len(package)} bytes, CodeSha256 {configuration['CodeSha256']}",
            )
            print(f"    WARMER_CONFIG = {configuration['Environment']['Variables']['WARMER_CONFIG']}")

            ticks = args.minutes or args.ticks
            pace = "one at the start of each minute" if args.minutes else "one after another"
            started = step(
                f"running {ticks} ticks ({pace}) of the deployed package in the Lambda runtime: aws-lambda-rie + "
                f"awslambdaric, Python 3.13, handler {configuration['Handler']}, {configuration['MemorySize']} MB, "
                f"timeout {configuration['Timeout']} s"
            )
            cloudwatch = session.client("cloudwatch")
            with runtime.running(package, configuration, env, WORK) as function:

                def show(number, invocation):
                    outcome = "ok" if invocation.ok else f"{invocation.error_type}: {invocation.error_message}"
                    print(f"    tick {number}/{ticks}: {outcome}", flush=True)

                invocations = run_ticks(
                    function, schedule, cloudwatch, ticks, bool(args.minutes), show, logs=session.client("logs")
                )
                done(started, f"runtime log (START/END/REPORT and the function's JSON logs) {function.log_path}")
            summaries = [i.answer if i.ok else {"error": i.error_message} for i in invocations]

            print()
            print(format_table(dimension_rows(summaries)))
            print()
            last = invocations[-1]
            print("the runtime's REPORT line of the last tick:")
            print(f"    {last.report}")
            print(f"    {last.report_line(function.memory_size)}")
            errors = [i for i in invocations if not i.ok]
            for invocation in errors:
                print(f"tick failed: {invocation.error_type}: {invocation.error_message}")
            after = snapshot_items(dynamodb, [*tables, *left_alone])
            changed = [t for t in after if before[t] != after[t]]
            items = sum(len(v) for v in after.values())
            print(
                f"items unchanged in every table: {'yes' if not changed else 'NO: ' + ', '.join(changed)}"
                f" ({items} item{'' if items == 1 else 's'} in {len(after)} tables)"
            )
            reached = sorted(requested_tables(summaries) & set(left_alone))
            print(
                f"left alone by every tick: {', '.join(left_alone)}: "
                + ("no request, items unchanged" if not reached else "NO: requests sent to " + ", ".join(reached))
            )

            started = step("a failing tick: the deployed package with a WARMER_CONFIG naming a deleted table")
            failure = failing_tick(package, configuration, env, session.client("ssm"))
            shape = {key: failure.answer.get(key) for key in ("errorType", "errorMessage")} if not failure.ok else {}
            print(f"    Lambda's error object: {json.dumps(shape)}")
            if not announced_failure(failure):
                print(f"error: the failing tick did not fail on {DELETED_TABLE}: {json.dumps(shape)}", file=sys.stderr)
            done(started)

            started = step(
                f"ddb-warmer doctor: live/{args.environment}'s tables and {unwarmed.name}, on published datapoints"
            )
            report = diagnose(
                make_clients(region), [*tables, unwarmed.name], schedule.function_name, dt.datetime.now(dt.UTC)
            )
            print(render_doctor(report))
            done(started)
            warmed_blocked = [d for d in report.dimensions if d.verdict == "BLOCKED" and d.table != unwarmed.name]
            unwarmed_blocked = any(d.verdict == "BLOCKED" for d in report.dimensions if d.table == unwarmed.name)
            if not unwarmed_blocked:
                print(f"error: doctor did not find {unwarmed.name} BLOCKED", file=sys.stderr)
            failed = bool(
                errors or changed or reached or warmed_blocked or not unwarmed_blocked or not announced_failure(failure)
            )

            started = step("ddb-warmer advise: warmed, a lower floor or on-demand, per table (synthetic history)")
            show_advice(make_clients(region), tables, schedule.function_name, region, WORK / "advice")
            done(started)
        except (TerragruntFailed, RuntimeError, OSError) as error:
            print(f"error: {error}", file=sys.stderr)
            failed = True
        finally:
            if not args.keep:
                started = step(f"terragrunt run --all destroy  (live/{args.environment})")
                try:
                    run = terragrunt(["run", "--all", "destroy"], env_dir, env)
                    done(started, f"log {run.log_path}")
                except TerragruntFailed as error:
                    print(f"error: {error}", file=sys.stderr)
                    failed = True
    print(
        f"==> emulator stopped; total {time.perf_counter() - total:.1f}s; "
        f"{'FAILED' if failed else 'all ticks succeeded'}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
