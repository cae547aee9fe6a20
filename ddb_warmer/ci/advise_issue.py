"""Advice every week, where the team looks: one issue per environment with what is left to save.

    python -m ddb_warmer.ci.advise_issue --list                                # the environments, as JSON
    python -m ddb_warmer.ci.advise_issue --environment prod --advise-to DIR    # AWS: the advice, no GitHub
    python -m ddb_warmer.ci.advise_issue --environment prod --issue-from DIR   # GitHub: the issue, no AWS

The two halves run in separate jobs, so no step that talks to AWS holds a GitHub
token and the job that holds one has no AWS role. --advise-to runs
`ddb-warmer advise --json --every-table` (its exit codes unchanged) in each region
the environment deploys to (live/, read as every CI step reads it:
ddb_warmer.build.live), with the credentials the job holds (the plan role of the
environment's account), and writes one <region>.json per region. --issue-from reads
them and, on GitHub, opens or updates the open issue labelled `advise` that carries
the environment's marker while any table has a saving, and closes it (with a comment)
when none has.

Exit codes: 0 done; 3 advise could not check a region (its one-line reason on
stderr; the issue is left as it was, since the issue job does not run); 2 usage
error, or no such environment under live/.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from ddb_warmer.build.live import LiveError
from ddb_warmer.build.live import environment as live_environment
from ddb_warmer.ci.advise_issue_body import has_saving, issue_body, issue_title, nothing_left
from ddb_warmer.ci.affected import environment_parser, environments
from ddb_warmer.ci.github import GitHub

LABEL = "advise"
COULD_NOT_CHECK, USAGE = 3, 2
DEFAULT_DAYS = "14"


def issue_marker(environment: str) -> str:
    return f"<!-- ddb-warmer advise: {environment} -->"


def run_advise(environment: str, region: str, days: str) -> tuple[int, str, str]:
    """(advise's exit code, its stdout, its stderr)."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ddb_warmer.ops.cli",
            "advise",
            "--environment",
            environment,
            "--region",
            region,
            "--every-table",
            "--days",
            days,
            "--json",
        ],
        capture_output=True,
        text=True,
    )
    return done.returncode, done.stdout, done.stderr.strip()


def advise_to(environment: str, regions: tuple[str, ...], folder: Path, days: str) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    problems = []
    for region in regions:
        code, out, error = run_advise(environment, region, days)
        if code != 0:
            problems.append(f"{region}: {error or f'advise exited {code}'}")
            continue
        (folder / f"{region}.json").write_text(out)
        report = json.loads(out)
        saving = sum(t["saving_month"] for t in report["tables"])
        print(f"live/{environment} {region}: {len(report['tables'])} table(s) advised, ${saving:,.2f} a month to save")
    for problem in problems:
        print(f"advise could not check live/{environment} in {problem}", file=sys.stderr)
    return COULD_NOT_CHECK if problems else 0


def issue_from(github: GitHub, environment: str, regions: tuple[str, ...], folder: Path) -> int:
    missing = [region for region in regions if not (folder / f"{region}.json").is_file()]
    if missing:
        print(f"no advice for live/{environment} in {', '.join(missing)} under {folder}", file=sys.stderr)
        return COULD_NOT_CHECK
    reports = {region: json.loads((folder / f"{region}.json").read_text()) for region in regions}
    marker = issue_marker(environment)
    saving = has_saving(reports)
    issue = (issue_title(environment, reports), issue_body(marker, environment, reports)) if saving else None
    outcome = github.keep_issue(marker, LABEL, issue, nothing_left(environment, reports))
    print(f"live/{environment}: issue {outcome}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = environment_parser(__doc__, "0 done, 2 usage or no such environment, 3 advise could not check a region")
    side = parser.add_mutually_exclusive_group()
    side.add_argument("--advise-to", type=Path, metavar="DIR", help="write each region's advice (JSON) into DIR")
    side.add_argument("--issue-from", type=Path, metavar="DIR", help="keep the environment's issue from DIR's advice")
    parser.add_argument(
        "--days", default=os.environ.get("ADVISE_DAYS", DEFAULT_DAYS), help="days of metrics (default 14)"
    )
    args = parser.parse_args(argv)
    if args.list:
        print(json.dumps(environments()))
        return 0
    if not (args.advise_to or args.issue_from):
        print("error: say which half: --advise-to DIR (AWS) or --issue-from DIR (GitHub)", file=sys.stderr)
        return USAGE
    try:
        regions = live_environment(args.environment).regions
    except LiveError as error:
        print(f"error: {error}", file=sys.stderr)
        return USAGE
    if args.advise_to:
        return advise_to(args.environment, regions, args.advise_to, args.days)
    return issue_from(GitHub.from_environment(), args.environment, regions, args.issue_from)


if __name__ == "__main__":
    sys.exit(main())
