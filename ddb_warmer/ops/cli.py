"""`ddb-warmer`: the operator's command line (doctor, estimate, advise, cleanup-sentinels, prove,
new-environment, check-github).

Results go to stdout, errors to stderr. Exit codes are part of the interface
(EXIT_CODES below, also in `--help` and docs/operations.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import textwrap
from dataclasses import asdict
from importlib import metadata
from pathlib import Path

from ddb_warmer.names import warmer_function
from ddb_warmer.ops import new_environment, prove
from ddb_warmer.ops.advise import advise, region_tables
from ddb_warmer.ops.advise_mermaid import xychart
from ddb_warmer.ops.advise_metrics import MAX_DAYS
from ddb_warmer.ops.advise_model import AdviceInputError, SwitchSettings
from ddb_warmer.ops.advise_output import render as render_advice
from ddb_warmer.ops.advise_output import render_markdown as render_advice_markdown
from ddb_warmer.ops.aws import CouldNotCheck, explain, make_clients
from ddb_warmer.ops.cleanup import find_sentinels, remove_sentinels
from ddb_warmer.ops.deployment import configured_tables, region_for, warmer_unit
from ddb_warmer.ops.doctor import diagnose
from ddb_warmer.ops.doctor_output import render as render_doctor
from ddb_warmer.ops.estimate import estimate
from ddb_warmer.ops.estimate import render as render_estimate

OK, BLOCKED, USAGE, COULD_NOT_CHECK = 0, 1, 2, 3
EXIT_CODES = textwrap.dedent(
    """\
    exit codes:
      0  checked: nothing is BLOCKED
      1  checked: at least one dimension is BLOCKED or FAILING (doctor)
      2  usage error (a wrong or missing option)
      3  could not check: no region, no credentials, access denied, function or
         environment not found, endpoint unreachable (one line on stderr says what to do)
    """
)


def version() -> str:
    try:
        return metadata.version("ddb-warmer")
    except metadata.PackageNotFoundError:  # run from a checkout without an install
        return "unknown (not installed)"


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


def target(args, clients) -> tuple[list[str], str | None]:
    """(tables to check, the warmer function or None) from --table, --function or --environment."""
    function = args.function or (warmer_function(args.environment) if args.environment else None)
    if args.table:
        return args.table, function
    if function is None:  # the parser requires one of --table, --function and --environment
        raise SystemExit("ddb-warmer: name the tables (--table), the warmer (--function) or --environment")
    return configured_tables(clients["lambda"], function, clients["dynamodb"], clients.get("ssm")), function


def doctor(args, clients) -> int:
    tables, function = target(args, clients)
    now = args.now or dt.datetime.now(dt.UTC)
    progress = progress_printer(not args.json, sys.stderr.isatty())
    report = diagnose(clients, tables, function, now, args.minutes, progress=progress)
    print(json.dumps(report.as_json(), indent=1) if args.json else render_doctor(report))
    return BLOCKED if report.blocked else OK


def run_estimate(args, clients) -> int:
    tables, function = target(args, clients)
    region = clients["dynamodb"].meta.region_name
    result = estimate(clients, tables, function, region, args.now or dt.datetime.now(dt.UTC))
    print(json.dumps(asdict(result), indent=1) if args.json else render_estimate(result))
    return OK


def run_advise(args, clients) -> int:
    region = clients["dynamodb"].meta.region_name
    function = args.function or (warmer_function(args.environment) if args.environment else None)
    if args.every_table or not (args.table or args.function or args.environment):
        tables, scope = region_tables(clients["dynamodb"]), f"every table in {region}"
    else:
        tables, function = target(args, clients)
        scope = f"live/{args.environment}" if args.environment else (function or "the named tables")
    unit = warmer_unit(args.environment, region) if args.environment else None
    now = args.now or dt.datetime.now(dt.UTC)
    result = advise(
        clients,
        tables,
        region,
        now,
        args.days,
        scope,
        function,
        settings=args.settings,
        unit=unit,
        named=bool(args.table),
        full_series=bool(args.charts),
    )
    charts = None
    if args.charts:
        from ddb_warmer.ops.advise_chart import draw_charts

        charts = draw_charts(result, Path(args.charts), args.chart_format)
    start = dt.datetime.fromisoformat(result.start)
    mermaid = {t.table: xychart(t, start, result.minutes) for t in result.tables}
    if args.json:
        print(json.dumps({**result.as_json(), "charts": charts, "mermaid": mermaid}, indent=1))
    else:
        print(render_advice_markdown(result, charts, mermaid) if args.markdown else render_advice(result, charts))
    return OK


def days(text: str) -> int:
    value = int(text)
    if not 1 <= value <= MAX_DAYS:
        raise argparse.ArgumentTypeError(
            f"{value} days: write 1 to {MAX_DAYS} (CloudWatch keeps one-minute datapoints for 15 days)"
        )
    return value


def cleanup_sentinels(args, clients) -> int:
    tables, _ = target(args, clients)
    found = find_sentinels(clients["dynamodb"], tables)
    for item in found:
        print(item.describe())
    ours = [item for item in found if item.ours]
    print(f"{len(ours)} sentinel item(s) of the warmer in {len(tables)} table(s)")
    if not ours:
        return OK
    if not args.yes:
        if not sys.stdin.isatty():
            print("not removed: run again with --yes, or in a terminal to confirm", file=sys.stderr)
            return USAGE
        if input(f"remove these {len(ours)} item(s)? [y/N] ").strip().lower() not in ("y", "yes"):
            print("nothing removed")
            return OK
    removed = remove_sentinels(clients["dynamodb"], ours)
    print(f"removed {len(removed)} sentinel item(s)")
    return OK


def runner(command: str):
    # Looked up when called, so a test may replace one of them.
    return {"doctor": doctor, "estimate": run_estimate, "advise": run_advise, "cleanup-sentinels": cleanup_sentinels}[
        command
    ]


def add_common(parser: argparse.ArgumentParser) -> None:
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--environment", help="an environment under live/: its warmer's tables, in its region")
    which.add_argument("--function", help="the warmer function's name: its configured tables")
    parser.add_argument("--table", action="append", help="a table to check (repeatable); default: the warmer's")
    parser.add_argument("--region", help="AWS region (default: the environment's, else AWS_REGION or the profile's)")
    parser.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    parser.add_argument("--debug", action="store_true", help="show the traceback of a failure")
    parser.set_defaults(now=None)


def parser() -> argparse.ArgumentParser:
    formatter = argparse.RawDescriptionHelpFormatter
    root = argparse.ArgumentParser(
        prog="ddb-warmer",
        description="Checks and estimates for the DynamoDB warmer: is scale-in unblocked, and what does it cost?",
        epilog=EXIT_CODES,
        formatter_class=formatter,
    )
    root.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    commands = root.add_subparsers(
        dest="command",
        required=True,
        metavar="{doctor,estimate,advise,cleanup-sentinels,new-environment,check-github}",
    )
    check = commands.add_parser(
        "doctor",
        help="prove, per table and dimension, that scale-in is unblocked",
        description=textwrap.dedent(
            """\
            For every table and dimension: billing mode, scalable target and capacity, the
            target-tracking policy and its AlarmLow alarm, the last minutes of consumed
            capacity, today's decreases, the warmer's own health, and a verdict.
            """
        ),
        epilog=textwrap.dedent(
            """\
            examples:
              ddb-warmer doctor --environment prod
              ddb-warmer doctor --table orders --table events --region eu-west-1 --json
              ddb-warmer doctor --function ddb-warmer-dev-warmer --minutes 30

            """
        )
        + EXIT_CODES,
        formatter_class=formatter,
    )
    add_common(check)
    check.add_argument("--minutes", type=int, default=20, help="minutes of datapoints to show (default 20)")
    cost = commands.add_parser(
        "estimate",
        help="monthly cost of the warmer against the capacity it can give back",
        description=textwrap.dedent(
            """\
            The warmer's monthly cost at its schedule's rate, against the capacity paid above
            each dimension's minimum today, with a hint per table when on-demand is cheaper.
            """
        ),
        epilog=textwrap.dedent(
            """\
            examples:
              ddb-warmer estimate --environment prod
              ddb-warmer estimate --table orders --region us-east-1 --json

            """
        )
        + EXIT_CODES.replace("  1  checked: at least one dimension is BLOCKED or FAILING (doctor)\n", ""),
        formatter_class=formatter,
    )
    add_common(cost)
    advice = commands.add_parser(
        "advise",
        help="per table and GSI: keep it warmed, lower its floor, or switch its billing mode (either way)",
        description=textwrap.dedent(
            """\
            For every table and GSI, from its own per-minute metrics (consumed and provisioned
            capacity, the scalable target, the table class). A provisioned table: what it pays
            today, what it would pay warmed (target tracking simulated with AWS's rules), with
            MinCapacity lowered to its p99 need, and on-demand (capped). An on-demand table: what
            it pays, against provisioned with working target tracking from --floor, --max and
            --target (defaults printed): the switch, the auto scaling to register and whether the
            warmer covers it (or the line to add to live/), or else its on-demand cap. Recommends
            the cheapest that keeps headroom, with the monthly saving, the reason and the warmer's
            own cost. Pinned list prices; reserved capacity is not considered. Without
            --environment, --function or --table: every table of --region. docs/advise.md
            explains the rules.
            """
        ),
        epilog=textwrap.dedent(
            """\
            examples:
              ddb-warmer advise --environment prod
              ddb-warmer advise --region eu-west-1 --markdown > advice.md
              ddb-warmer advise --environment dev --days 7 --charts advice/ --json

            """
        )
        + EXIT_CODES.replace("  1  checked: at least one dimension is BLOCKED or FAILING (doctor)\n", "")
        + "  (--charts without matplotlib installed: exit 3, with the pip command to run)\n",
        formatter_class=formatter,
    )
    add_common(advice)
    advice.add_argument("--days", type=days, default=14, help=f"days of metrics to read, 1 to {MAX_DAYS} (default 14)")
    advice.add_argument("--markdown", action="store_true", help="Markdown for a pull request or an issue")
    advice.add_argument("--charts", metavar="DIR", help="draw a chart per table into DIR (needs matplotlib)")
    advice.add_argument("--chart-format", choices=("png", "svg"), default="png", help="chart file format (default png)")
    advice.add_argument(
        "--every-table",
        action="store_true",
        help="with --environment: every table of the region, the warmer's coverage shown (default: its tables)",
    )
    switch = advice.add_argument_group("an on-demand table priced as provisioned (defaults printed with the advice)")
    switch.add_argument("--floor", type=int, help="MinCapacity (default: what its p99 minute needs at the target)")
    switch.add_argument("--max", type=int, help="MaxCapacity (default: twice what its busiest minute needs)")
    switch.add_argument("--target", type=float, default=70.0, help="target utilisation, 20 to 90 %% (default 70)")
    cleanup = commands.add_parser(
        "cleanup-sentinels",
        help="list the sentinel items the warmer left and, once confirmed, remove only its own",
        description=textwrap.dedent(
            """\
            Reads each table's sentinel key. An item there with the marker ddb_warmer_sentinel = true
            was written by the opt-in GSI write and is removed after confirmation (conditionally:
            only while it still has the marker); any other item there is listed and never touched.
            """
        ),
        epilog=textwrap.dedent(
            """\
            examples:
              ddb-warmer cleanup-sentinels --environment prod
              ddb-warmer cleanup-sentinels --table orders --region eu-west-1 --yes

            exit codes:
              0  listed (and removed what was confirmed)
              2  usage error, or items found but not confirmed (no terminal and no --yes)
              3  could not check (one line on stderr says what to do)
            """
        ),
        formatter_class=formatter,
    )
    add_common(cleanup)
    cleanup.add_argument("--yes", action="store_true", help="remove without asking")
    new_environment.add_parser(commands)
    prove.add_parser(commands)
    settings = commands.add_parser(
        "check-github",
        help="check the repository's GitHub settings the CI roles rely on (exit 1: something to set)",
        add_help=False,  # its own --help, with its exit codes: ddb-warmer check-github --help
    )
    settings.add_argument("arguments", nargs=argparse.REMAINDER)
    return root


def run_prove(args) -> int:
    if not args.yes_create_table:
        print(prove.what_it_costs(args.region, args.minutes), file=sys.stderr)
        return USAGE
    try:
        clients = make_clients(args.region)
        scaled_in, _ = prove.prove(clients, prove.table_name(dt.datetime.now(dt.UTC)), args.minutes)
    except Exception as error:
        problem = error if isinstance(error, CouldNotCheck) else explain(error)
        if problem is None or args.debug:
            raise
        print(f"ddb-warmer prove: {problem}", file=sys.stderr)
        return COULD_NOT_CHECK
    print("scale-in proven: both dimensions lowered" if scaled_in else f"no scale-in within {args.minutes} minutes")
    return OK if scaled_in else BLOCKED


def check_github(arguments: list[str]) -> int:
    # A CI command (ddb_warmer.ci sits above ops): run as its own module, with its own exit codes.
    return subprocess.run([sys.executable, "-m", "ddb_warmer.ci.check_github", *arguments]).returncode


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["check-github"]:  # its options are its own (argparse would take --help)
        return check_github(argv[1:])
    args = parser().parse_args(argv)  # usage errors: argparse prints to stderr and exits 2
    if args.command == "new-environment":
        return new_environment.run(args)
    if args.command == "prove":
        return run_prove(args)
    if not (args.table or args.function or args.environment or (args.command == "advise" and args.region)):
        every = " or a whole region (--region)" if args.command == "advise" else ""
        print(
            f"ddb-warmer {args.command}: name the warmer (--environment or --function) or the tables (--table){every}",
            file=sys.stderr,
        )
        return USAGE
    hint = ""
    try:
        if args.command == "advise":  # checked before anything is read
            args.settings = SwitchSettings(args.floor, args.max, args.target)
        region, hint = region_for(args.environment, args.region)
        run = runner(args.command)
        return run(args, make_clients(region))
    except AdviceInputError as error:
        print(f"ddb-warmer {args.command}: {error}", file=sys.stderr)
        return USAGE
    except Exception as error:
        problem = error if isinstance(error, CouldNotCheck) else explain(error, hint)
        if problem is None or args.debug:
            raise
    print(f"ddb-warmer {args.command}: {problem}", file=sys.stderr)
    return COULD_NOT_CHECK


if __name__ == "__main__":
    sys.exit(main())
