"""The weekly botocore check: one issue, open while the newest botocore would make the warmer fall back.

    python -m ddb_warmer.ci.botocore_issue                    # run the matrix (newest from PyPI), keep the issue
    python -m ddb_warmer.ci.botocore_issue --matrix runs.json # keep the issue from runs already made

Runs the handler's tests on every botocore of the matrix
(ddb_warmer/build/botocore_matrix.py), the newest taken from PyPI this week, then
on GitHub: an open issue labelled `botocore` carrying the marker below is opened or
updated while the newest botocore takes the stock request path (the lean one's
cold-start check fails on it) or fails the handler's tests, and closed with a
comment once it takes the lean path and passes. AWS ships a botocore to the
python3.13 runtime some time after its release: the issue comes first.

Exit codes: 0 the issue is up to date and every run passed; 1 a run of the matrix
failed (the issue says which); 2 the matrix could not run (a venv missing).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from ddb_warmer.build.botocore_matrix import NEWEST
from ddb_warmer.ci.github import GitHub

LABEL = "botocore"
MARKER = "<!-- ddb-warmer botocore matrix -->"
MATRIX_FAILED, COULD_NOT_RUN = 1, 2


def run_matrix(output: Path) -> int:
    """The matrix's exit code; its runs are written to `output`."""
    done = subprocess.run(
        [sys.executable, "-m", "ddb_warmer.build.botocore_matrix", "--newest-from-pypi", "--json", str(output)],
        check=False,
    )
    return done.returncode


def trouble(runs: list[dict]) -> list[str]:
    """What the newest botocore breaks, one line each (empty: nothing)."""
    newest = next((run for run in runs if run["name"] == NEWEST.name), None)
    if newest is None:
        return [f"the matrix has no run of the {NEWEST.name} botocore"]
    lines = []
    if newest["path"] != "lean":
        lines.append(f"botocore {newest['botocore']} takes the stock request path: {newest['reason']}")
    lines += [
        f"the handler's tests fail on botocore {run['botocore']} ({run['name']})" for run in runs if not run["passed"]
    ]
    return lines


def issue_body(runs: list[dict], lines: list[str]) -> str:
    table = ["| botocore | version | request path | handler's tests |", "|---|---|---|---|"]
    table += [
        f"| {run['name']} | {run['botocore']} | {run['path']}{' (' + run['reason'] + ')' if run['reason'] else ''} "
        f"| {run['tests']} |"
        for run in runs
    ]
    return "\n".join(
        [
            MARKER,
            "The weekly botocore matrix finds that a python3.13 runtime bringing the newest botocore would",
            "change how the warmer sends its requests:",
            "",
            *[f"- {line}" for line in lines],
            "",
            *table,
            "",
            'On the stock path every dimension is still warmed, at more CPU per tick (README, "Tick duration and',
            'memory"). What to do before AWS ships this botocore to the runtime: docs/operations.md, "The Lambda',
            'runtime". This issue is updated every week and closed once the newest botocore takes the lean path.',
        ]
    )


def keep_issue(github: GitHub, runs: list[dict]) -> str:
    """'opened', 'updated', 'closed' or 'none'."""
    lines = trouble(runs)
    newest = next((run["botocore"] for run in runs if run["name"] == NEWEST.name), "?")
    title = f"botocore {newest}: the warmer's lean request path would fall back"
    issue = (title, issue_body(runs, lines)) if lines else None
    closing = f"botocore {newest} takes the lean request path and passes the handler's tests."
    return github.keep_issue(MARKER, LABEL, issue, closing)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="exit codes: 0 issue up to date, 1 a run of the matrix failed, 2 the matrix could not run",
    )
    parser.add_argument("--matrix", type=Path, help="runs already made (the matrix's --json); default: run it now")
    args = parser.parse_args(argv)
    if args.matrix is None:
        output = Path(tempfile.mkdtemp()) / "matrix.json"
        if run_matrix(output) == COULD_NOT_RUN or not output.exists():
            print("error: the botocore matrix could not run (see above)", file=sys.stderr)
            return COULD_NOT_RUN
        args.matrix = output
    runs = json.loads(args.matrix.read_text())
    outcome = keep_issue(GitHub.from_environment(), runs)
    print(f"botocore matrix: {len(trouble(runs))} problem(s) with the newest botocore; issue {outcome}")
    return MATRIX_FAILED if any(not run["passed"] for run in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
