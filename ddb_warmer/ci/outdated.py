"""Mark outdated the plan comments this run did not refresh.

    python -m ddb_warmer.ci.outdated --pull-request 12 --sha <head sha> --planned '["dev"]'
    python -m ddb_warmer.ci.outdated --pull-request 12 --sha <head sha> --run-failed [--only dev]

A comment of an environment the pull request no longer affects is marked
outdated; with --run-failed (the run stopped before its plans), every plan
comment is, since none of them shows this commit.
"""

from __future__ import annotations

import argparse
import json
import sys

from ddb_warmer.ci.affected import environments
from ddb_warmer.ci.comment import OUTDATED, marker, outdated_comment
from ddb_warmer.ci.github import GitHub


def mark_outdated(
    github: GitHub, pull_request: int, sha: str, planned: list[str], run_failed: bool, only: str | None = None
) -> list[str]:
    """The environments whose comment was marked outdated."""
    marked = []
    for environment in [only] if only else environments():
        if environment in planned and not run_failed:
            continue
        reason = (
            "the run for this commit failed before it could plan; see its log"
            if run_failed
            else f"this pull request no longer changes `live/{environment}`"
        )
        for comment in github.comments_with(pull_request, marker(environment)):
            if OUTDATED in comment["body"] and f"`{sha}`" in comment["body"]:
                continue  # already marked for this commit
            github.edit_comment(comment["id"], outdated_comment(comment["body"], reason, sha))
            marked.append(environment)
    return marked


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pull-request", type=int, required=True)
    parser.add_argument("--sha", required=True)
    parser.add_argument("--planned", default="[]", help="JSON list of the environments this run planned")
    parser.add_argument("--run-failed", action="store_true", help="the run failed before planning")
    parser.add_argument("--only", help="this environment's comment only (its plan job failed before planning)")
    args = parser.parse_args(argv)
    planned = json.loads(args.planned or "[]")
    marked = mark_outdated(GitHub.from_environment(), args.pull_request, args.sha, planned, args.run_failed, args.only)
    print(f"plan comments marked outdated: {', '.join(marked) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
