"""Doctor on a schedule: one issue per environment that lists its BLOCKED and FAILING dimensions and why.

    python -m ddb_warmer.ci.doctor_issue --environment prod   # every region of live/prod
    python -m ddb_warmer.ci.doctor_issue --list                # the environments, as JSON

Runs `ddb-warmer doctor --json` (unchanged, with its own exit codes) in each
region the environment deploys to (live/, read as every CI step reads it:
ddb_warmer.build.live), with the credentials the job holds: the plan role of
the environment's account. Then, on GitHub: an open issue labelled
`doctor` carrying this environment's marker is opened or updated while any
dimension is BLOCKED, and closed (with a comment) once all are OK. A region
where doctor could not check (exit 3) leaves the issue as it is and fails the
job with doctor's one-line reason.

Exit codes: 0 the issue is up to date (BLOCKED or not); 3 doctor could not
check a region; 2 usage error, or no such environment under live/.
"""

from __future__ import annotations

import json
import subprocess
import sys

from ddb_warmer.build.live import LiveError
from ddb_warmer.build.live import environment as live_environment
from ddb_warmer.ci.affected import environment_parser, environments
from ddb_warmer.ci.github import GitHub

LABEL = "doctor"
BLOCKED_EXIT, COULD_NOT_CHECK = 1, 3


def issue_marker(environment: str) -> str:
    return f"<!-- ddb-warmer doctor: {environment} -->"


def run_doctor(environment: str, region: str) -> tuple[int, dict | None, str]:
    """(doctor's exit code, its JSON report when it checked, its stderr)."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ddb_warmer.ops.cli",
            "doctor",
            "--environment",
            environment,
            "--region",
            region,
            "--json",
        ],
        capture_output=True,
        text=True,
    )
    checked = done.returncode in (0, BLOCKED_EXIT)
    return done.returncode, json.loads(done.stdout) if checked else None, done.stderr.strip()


def blocked_lines(region: str, report: dict) -> list[str]:
    return [
        f"- `{region}` · `{d['table']}` {d['label']}: {d['why']}"
        for d in report["dimensions"]
        if d["verdict"] in ("BLOCKED", "FAILING")
    ]


def issue_body(environment: str, lines: list[str], checked_at: str) -> str:
    return "\n".join(
        [
            issue_marker(environment),
            f"`ddb-warmer doctor` finds {len(lines)} dimension(s) of `live/{environment}` BLOCKED or FAILING",
            f"(checked {checked_at}): these cannot scale in and keep paying for their peak capacity.",
            "",
            *lines,
            "",
            "What each reason means and what to do: docs/operations.md#doctor-issues. "
            "This issue is updated by every scheduled doctor run and closed once every dimension is OK.",
        ]
    )


def report_environment(github: GitHub, environment: str, regions: tuple[str, ...]) -> int:
    lines, checked_at, problems = [], "", []
    for region in regions:
        code, report, error = run_doctor(environment, region)
        if report is None:
            problems.append(f"{region}: {error or f'doctor exited {code}'}")
            continue
        checked_at = max(checked_at, report["checked_at"])
        lines += blocked_lines(region, report)
    if problems:
        for problem in problems:
            print(f"doctor could not check live/{environment} in {problem}", file=sys.stderr)
        return COULD_NOT_CHECK
    title = f"doctor: {len(lines)} dimension(s) of live/{environment} cannot scale in"
    issue = (title, issue_body(environment, lines, checked_at)) if lines else None
    closing = f"Every dimension of `live/{environment}` is OK ({checked_at})."
    outcome = github.keep_issue(issue_marker(environment), LABEL, issue, closing)
    print(f"live/{environment}: {len(lines)} BLOCKED or FAILING; issue {outcome}")
    for line in lines:
        print(line)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = environment_parser(__doc__, "0 issue up to date, 2 usage or no such environment, 3 could not check")
    args = parser.parse_args(argv)
    if args.list:
        print(json.dumps(environments()))
        return 0
    try:
        regions = live_environment(args.environment).regions
    except LiveError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return report_environment(GitHub.from_environment(), args.environment, regions)


if __name__ == "__main__":
    sys.exit(main())
