"""The main job, on the local emulator: deploy an environment, run warm ticks, report, tear down.

    make demo                    # live/dev, 3 ticks
    .venv/bin/python -m ddb_warmer.local.demo --environment prod --ticks 5

1. start a moto server on 127.0.0.1 and seed it with the environment's
   existing tables, auto scaling targets and policies;
2. `terragrunt run --all apply` in live/<environment>;
3. fetch the deployed package back from the emulator's Lambda (GetFunction's
   Code.Location), check it against the deployed CodeSha256, and run its
   handler in this process with the deployed WARMER_CONFIG (moto cannot run a
   Lambda without Docker), once per tick;
4. print, per table and dimension, the request made and the capacity consumed,
   and check that no item of any table changed;
5. run `ddb-warmer doctor` on the emulator (it publishes no DynamoDB metrics:
   doctor says so rather than judging datapoints);
6. `terragrunt run --all destroy`, and stop the emulator whatever happened.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import datetime as dt
import hashlib
import importlib
import io
import json
import os
import re
import sys
import tempfile
import time
import urllib.request
import zipfile
from pathlib import Path
from types import SimpleNamespace

import boto3

from ddb_warmer.build.terragrunt import TerragruntFailed, environment_dir, terragrunt, unit_outputs
from ddb_warmer.build.toolenv import WORK
from ddb_warmer.local.emulator import running_emulator
from ddb_warmer.local.report import dimension_rows, format_table
from ddb_warmer.local.seed import seed_environment
from ddb_warmer.ops.aws import make_clients
from ddb_warmer.ops.doctor import diagnose
from ddb_warmer.ops.doctor_output import render as render_doctor


def step(message: str) -> float:
    print(f"==> {message}", flush=True)
    return time.perf_counter()


def done(started: float, detail: str = "") -> None:
    print(f"    done in {time.perf_counter() - started:.1f}s{': ' + detail if detail else ''}", flush=True)


def fetch_deployed_package(lambda_client, function_name: str) -> tuple[bytes, dict]:
    """The deployed zip and configuration, as Lambda hands them out."""
    function = lambda_client.get_function(FunctionName=function_name)
    with urllib.request.urlopen(function["Code"]["Location"], timeout=30) as response:
        package = response.read()
    deployed_hash = function["Configuration"]["CodeSha256"]
    local_hash = base64.b64encode(hashlib.sha256(package).digest()).decode()
    if local_hash != deployed_hash:
        raise RuntimeError(f"fetched package hash {local_hash} differs from the deployed {deployed_hash}")
    return package, function["Configuration"]


def load_handler(package: bytes, into: Path):
    """Import the handler from the extracted package, not from this checkout."""
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        archive.extractall(into)
    # Set this checkout's copy aside while importing, and put it back after:
    # the deployed modules keep their own references.
    ours = {n: m for n, m in sys.modules.items() if n == "lambda_function" or n.startswith("lambda_function.")}
    for name in ours:
        del sys.modules[name]
    sys.path.insert(0, str(into))
    try:
        module = importlib.import_module("lambda_function.main")
    finally:
        sys.path.remove(str(into))
        for name in [n for n in sys.modules if n == "lambda_function" or n.startswith("lambda_function.")]:
            del sys.modules[name]
        sys.modules.update(ours)
    if not Path(module.__file__).resolve().is_relative_to(into.resolve()):
        raise RuntimeError(f"imported {module.__file__}, not the deployed package in {into}")
    return module


def snapshot_items(dynamodb, tables: list[str]) -> dict[str, list]:
    """Every item of every table, sorted, to prove the ticks changed nothing."""
    snapshot = {}
    for table in tables:
        items = []
        for page in dynamodb.get_paginator("scan").paginate(TableName=table, ConsistentRead=True):
            items += page["Items"]
        snapshot[table] = sorted(items, key=lambda item: json.dumps(item, sort_keys=True, default=str))
    return snapshot


def run_ticks(handler_module, configuration: dict, ticks: int, log_path: Path) -> list[dict]:
    context = SimpleNamespace(function_name=configuration["FunctionName"], memory_limit_in_mb=128)
    summaries = []
    with open(log_path, "w") as log, contextlib.redirect_stdout(log):
        for _ in range(ticks):
            try:
                summaries.append(handler_module.lambda_handler({}, context))
            except Exception as error:  # the handler raises after a tick in which a table failed
                print(json.dumps({"event": "invocation_error", "error": str(error)}), flush=True)
                summaries.append({"error": str(error)})
    return summaries


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Deploy an environment to the local emulator and warm it.")
    parser.add_argument("--environment", default="dev", help="a folder under live/ (default: dev)")
    parser.add_argument("--ticks", type=int, default=3, help="warm ticks to run (default: 3)")
    parser.add_argument("--keep", action="store_true", help="skip the destroy step (the emulator stops anyway)")
    args = parser.parse_args(argv)
    env_dir = environment_dir(args.environment)
    # The warmer run here is the environment's first unit (live/prod/eu-west-1/warmer for prod, which
    # has a unit per region), in the region its nearest region.hcl names.
    unit = sorted(p.parent for p in env_dir.rglob("terragrunt.hcl") if ".terragrunt-cache" not in p.parts)[0]
    region_hcl = next(folder / "region.hcl" for folder in (unit, *unit.parents) if (folder / "region.hcl").is_file())
    region = re.search(r'aws_region\s*=\s*"([^"]+)"', region_hcl.read_text()).group(1)
    total = time.perf_counter()
    failed = False

    started = step(f"starting the local AWS emulator (moto, 127.0.0.1) for live/{args.environment}")
    with running_emulator(region) as emulator, emulator.activated():
        done(started, f"{emulator.endpoint}, log {emulator.log_path}")
        env = emulator.env()
        session = boto3.Session(region_name=region)
        dynamodb = session.client("dynamodb")

        started = step("seeding the existing tables, auto scaling targets and policies")
        tables = seed_environment(args.environment, region, session)
        done(started, ", ".join(tables))
        before = snapshot_items(dynamodb, tables)

        try:
            started = step(f"terragrunt run --all apply  (live/{args.environment})")
            run = terragrunt(["run", "--all", "apply"], env_dir, env)
            done(started, f"log {run.log_path}")

            outputs = unit_outputs(unit, env)
            started = step(f"fetching the deployed package of {outputs['function_name']} back from Lambda")
            package, configuration = fetch_deployed_package(session.client("lambda"), outputs["function_name"])
            with tempfile.TemporaryDirectory(prefix="ddb-warmer-deployed-") as extracted:
                handler = load_handler(package, Path(extracted))
                done(
                    started,
                    f"{len(package)} bytes, CodeSha256 {configuration['CodeSha256']}, "
                    f"handler {configuration['Handler']}",
                )
                warmer_config = configuration["Environment"]["Variables"]["WARMER_CONFIG"]
                print(f"    WARMER_CONFIG = {warmer_config}")

                started = step(f"running {args.ticks} warm ticks of the deployed handler in-process")
                # As Lambda would: the deployed environment (restored when the emulator block ends).
                os.environ.update(
                    configuration["Environment"]["Variables"],
                    AWS_LAMBDA_FUNCTION_NAME=configuration["FunctionName"],
                )
                summaries = run_ticks(handler, configuration, args.ticks, WORK / "demo-ticks.log")
                done(started, f"handler logs in {WORK / 'demo-ticks.log'}")

            print()
            print(format_table(dimension_rows(summaries)))
            print()
            errors = [s["error"] for s in summaries if "error" in s]
            for error in errors:
                print(f"tick failed: {error}")
            after = snapshot_items(dynamodb, tables)
            changed = [t for t in tables if before[t] != after[t]]
            items = sum(len(v) for v in after.values())
            print(
                f"items unchanged in every table: {'yes' if not changed else 'NO: ' + ', '.join(changed)}"
                f" ({items} item{'' if items == 1 else 's'} in {len(tables)} tables)"
            )
            started = step(f"ddb-warmer doctor --environment {args.environment}")
            clients = make_clients(region)
            report = diagnose(clients, tables, outputs["function_name"], dt.datetime.now(dt.UTC))
            print(render_doctor(report))
            done(started)
            failed = bool(errors or changed or report.blocked)
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
