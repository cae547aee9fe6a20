"""Post or update the sticky plan comment of each planned environment on the pull request.

    python -m ddb_warmer.ci.post_comment --environment dev --results plans/dev/results.json --sha <sha>
    python -m ddb_warmer.ci.post_comment --pull-request 12 --sha <head sha> \\
        --environments '["dev", "prod"]' --plans-dir plans/

The first form prints one environment's comment (the merge workflow's job
summary). The second posts them: it runs in the pull-request workflow's
`comment` job, which checks out the base branch (reviewed code) and holds the
only write permission on pull requests, while the plan jobs that run the pull
request's code hold none. It reads the plan jobs' artifacts as data: per
environment `plan-<env>/results.json` and `plan-link-<env>/artifact-url`. An
environment whose plan job stopped before planning gets its comment marked
outdated instead.

With the repository variable DDB_WARMER_SETTINGS_UNCHECKED=true (no settings
token: the apply workflow does not check the repository's settings), every
comment says so.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from ddb_warmer.ci.check_github import SETTINGS_UNCHECKED_NOTICE, settings_unchecked
from ddb_warmer.ci.comment import marker, render_comment
from ddb_warmer.ci.github import GitHub
from ddb_warmer.ci.outdated import mark_outdated
from ddb_warmer.ci.plan import load


def comment_body(environment: str, results: Path, sha: str, link: str | None) -> str:
    notice = SETTINGS_UNCHECKED_NOTICE if settings_unchecked(os.environ) else ""
    return render_comment(environment, load(results), link, sha=sha, notice=notice)


def post_all(github: GitHub, pull_request: int, sha: str, environments: list[str], plans: Path) -> list[str]:
    """One line per environment: what was done with its comment."""
    done = []
    for environment in environments:
        results = plans / f"plan-{environment}" / "results.json"
        if not results.is_file():
            mark_outdated(github, pull_request, sha, [], run_failed=True, only=environment)
            done.append(f"plan comment for live/{environment}: marked outdated (its plan job stopped before planning)")
            continue
        link_file = plans / f"plan-link-{environment}" / "artifact-url"
        link = link_file.read_text().strip() if link_file.is_file() else None
        body = comment_body(environment, results, sha, link)
        outcome = github.upsert_comment(pull_request, marker(environment), body)
        done.append(f"plan comment for live/{environment}: {outcome}")
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sha", required=True, help="the commit that was planned")
    parser.add_argument("--environment", help="print this environment's comment")
    parser.add_argument("--results", type=Path, help="results.json of ddb_warmer.ci.plan (with --environment)")
    parser.add_argument("--pull-request", type=int, help="post the comments of --environments there")
    parser.add_argument("--environments", default="[]", help="JSON list of the environments this run planned")
    parser.add_argument("--plans-dir", type=Path, help="the plan jobs' artifacts, one folder each")
    args = parser.parse_args(argv)
    if args.pull_request is None:
        if not args.environment or not args.results:
            parser.error("without --pull-request, give --environment and --results (the comment is printed)")
        print(comment_body(args.environment, args.results, args.sha, None))
        return 0
    if args.plans_dir is None:
        parser.error("with --pull-request, give --plans-dir (the plan jobs' artifacts) and --environments")
    github = GitHub.from_environment()
    for line in post_all(github, args.pull_request, args.sha, json.loads(args.environments or "[]"), args.plans_dir):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
