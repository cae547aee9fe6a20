"""ddb-warmer: the command line of this repository.

ddb-warmer doctor --environment dev          # is scale-in unblocked? (exit 1 if anything is BLOCKED)
ddb-warmer doctor --table orders --json
ddb-warmer estimate --environment prod       # what the warmer costs, what it saves
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

import boto3

from ddb_warmer.doctor import diagnose
from ddb_warmer.doctor_output import render

SERVICES = ("dynamodb", "application-autoscaling", "cloudwatch", "lambda", "sqs", "scheduler")


def make_clients(region: str | None = None) -> dict:
    session = boto3.Session(region_name=region)
    return {name: session.client(name) for name in SERVICES}


def function_for(args) -> str | None:
    if args.function:
        return args.function
    if args.environment:
        # The root terragrunt.hcl names every environment's warmer "ddb-warmer-<environment>".
        return f"ddb-warmer-{args.environment}-warmer"
    return None


def configured_tables(lambda_client, function: str) -> list[str]:
    configuration = lambda_client.get_function_configuration(FunctionName=function)
    config = json.loads(configuration["Environment"]["Variables"]["WARMER_CONFIG"])
    return [table["name"] for table in config["tables"]]


def progress_printer(enabled: bool, tty: bool):
    """Progress on stderr: one updating line in a terminal, a line every 10 tables in a log."""

    def show(number: int, total: int, table: str) -> None:
        if not enabled:
            return
        if tty:
            end = "\n" if number == total else ""
            print(f"\rdoctor: table {number}/{total} {table:<40}", end=end, file=sys.stderr, flush=True)
        elif number == total or number % 10 == 0:
            print(f"doctor: {number}/{total} tables read", file=sys.stderr, flush=True)

    return show


def doctor(args, clients) -> int:
    function = function_for(args)
    if args.table:
        tables = args.table
    elif function:
        try:
            tables = configured_tables(clients["lambda"], function)
        except clients["lambda"].exceptions.ResourceNotFoundException:
            print(
                f"doctor: no function {function}; deploy the environment or name tables with --table", file=sys.stderr
            )
            return 2
    else:
        print("doctor: name the warmer (--environment or --function) or the tables (--table)", file=sys.stderr)
        return 2
    now = args.now or dt.datetime.now(dt.UTC)
    report = diagnose(
        clients, tables, function, now, args.minutes, progress=progress_printer(not args.json, sys.stderr.isatty())
    )
    print(json.dumps(report.as_json(), indent=1) if args.json else render(report))
    return 1 if report.blocked else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ddb-warmer", description="Checks and estimates for the DynamoDB warmer.")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("doctor", help="prove, per table and dimension, that scale-in is unblocked")
    which = check.add_mutually_exclusive_group()
    which.add_argument("--environment", help="an environment under live/ (its warmer's configuration is read)")
    which.add_argument("--function", help="the warmer function's name")
    check.add_argument("--table", action="append", help="a table to check (repeatable); default: the warmer's")
    check.add_argument("--minutes", type=int, default=20, help="minutes of datapoints to show (default 20)")
    check.add_argument("--json", action="store_true", help="machine-readable output")
    check.add_argument("--region", help="AWS region (default: the environment's)")
    check.set_defaults(now=None)
    from ddb_warmer.estimate import add_estimate_command

    add_estimate_command(commands)
    args = parser.parse_args(argv)
    clients = make_clients(args.region)
    if args.command == "doctor":
        return doctor(args, clients)
    return args.run(args, clients)


if __name__ == "__main__":
    sys.exit(main())
