"""After a stale plan, start a fresh run of the apply workflow; before planning, find what was applied last.

    python -m ddb_warmer.ci.fresh_run --results plans/prod/apply.json    # dispatch when the plan was stale
    python -m ddb_warmer.ci.fresh_run --base --before <sha>              # print the commit to diff from

A run is serialised with every other run of the workflow (its concurrency
group), and GitHub keeps only the newest pending run of a group: a merge whose
run was cancelled while pending would be stranded if the next run diffed from
its own push's "before". So the affected environments are computed from the
commit of the last successful run (falling back to "before"), and a run whose
plan went stale dispatches a fresh run that plans from the current state.

Exit codes: 0 done (dispatched or nothing to do), 1 a GitHub call failed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ddb_warmer.ci.github import GitHub, GitHubError

WORKFLOW = "apply.yml"
STALE_MARK = "the saved plan is stale"


def was_stale(results: Path) -> bool:
    if not results.exists():
        return False
    return any(STALE_MARK in (r.get("error") or "") for r in json.loads(results.read_text()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, help="apply.json of ddb_warmer.ci.apply: dispatch a run if stale")
    parser.add_argument("--base", action="store_true", help="print the commit the last successful run applied")
    parser.add_argument("--before", default="", help="the push's previous commit, when no run succeeded yet")
    args = parser.parse_args(argv)
    try:
        github = GitHub.from_environment()
        if args.base:
            print(github.last_successful_run_sha(WORKFLOW) or args.before)
            return 0
        if args.results and was_stale(args.results):
            github.dispatch(WORKFLOW)
            print(f"the plan was stale: a fresh run of {WORKFLOW} on main was started; it plans from the current state")
        return 0
    except GitHubError as error:
        print(f"fresh_run: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
