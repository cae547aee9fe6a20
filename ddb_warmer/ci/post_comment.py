"""Post or update the sticky plan comment of one environment on the pull request.

    python -m ddb_warmer.ci.post_comment --environment dev --pull-request 12 \\
        --results plans/dev/results.json --sha <head sha> --artifact-url <url>

Rendered from the plan's results after the plan files were uploaded, so the
comment links to the artifact that holds them. Without --pull-request the
comment is printed instead (the merge workflow's job summary).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ddb_warmer.ci.comment import marker, render_comment
from ddb_warmer.ci.github import GitHub
from ddb_warmer.ci.plan import load


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--environment", required=True)
    parser.add_argument("--results", type=Path, required=True, help="results.json of ddb_warmer.ci.plan")
    parser.add_argument("--sha", required=True, help="the commit that was planned")
    parser.add_argument("--artifact-url", default="", help="where the plan files were uploaded")
    parser.add_argument("--pull-request", type=int, help="post there; without it, print the comment")
    args = parser.parse_args(argv)
    body = render_comment(args.environment, load(args.results), args.artifact_url or None, sha=args.sha)
    if args.pull_request is None:
        print(body)
        return 0
    outcome = GitHub.from_environment().upsert_comment(args.pull_request, marker(args.environment), body)
    print(f"plan comment for live/{args.environment}: {outcome}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
