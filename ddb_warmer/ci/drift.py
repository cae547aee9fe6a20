"""Daily drift check of one environment: one issue per drifting environment, closed when clean.

    python -m ddb_warmer.ci.plan --environment prod --out-dir plans/prod --no-lock
    python -m ddb_warmer.ci.drift --environment prod --results plans/prod/results.json

The plan, made without taking the state lock (a daily check must never hold up
an apply), is the plan script's, in a step with no GitHub token; this is the
step after it that talks to GitHub. On changes, or when a unit failed to plan
(or no plan was saved), it opens (or updates) the issue labelled `drift` that
carries this environment's marker, with the plan summary or the error; when
the plan is clean again, it comments and closes it. A failed plan also fails
the job.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ddb_warmer.ci.comment import render_comment, run_url
from ddb_warmer.ci.github import GitHub
from ddb_warmer.ci.plan import load
from ddb_warmer.ci.unit_plan import UnitPlan


def drift_marker(environment: str) -> str:
    return f"<!-- ddb-warmer-drift:{environment} -->"


def report_drift(github: GitHub, environment: str, results: list[UnitPlan], link: str | None) -> str:
    """What was done: "opened", "updated", "closed" or "clean"."""
    failed = not all(r.ok for r in results)
    if failed or any(r.has_changes for r in results):
        why = (
            f"The daily plan of `live/{environment}` failed, so drift cannot be checked until it plans again."
            if failed
            else f"The daily plan of `live/{environment}` differs from what is deployed: something was "
            "changed outside Terraform, or a merged change was not applied."
        )
        body = drift_marker(environment) + "\n" + why + "\n\n" + render_comment(environment, results, link)
        return github.upsert_issue(drift_marker(environment), f"Drift detected in live/{environment}", body)
    closed = github.close_issue_with(
        drift_marker(environment), f"The daily plan of `live/{environment}` has no changes again."
    )
    return "closed" if closed else "clean"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--environment", required=True)
    parser.add_argument("--results", type=Path, required=True, help="results.json of ddb_warmer.ci.plan")
    args = parser.parse_args(argv)
    if args.results.exists():
        results = load(args.results)
    else:
        results = [UnitPlan(args.environment, ok=False, error=f"the plan saved no results ({args.results})")]
    outcome = report_drift(GitHub.from_environment(), args.environment, results, run_url())
    print(f"drift in live/{args.environment}: {outcome}")
    if not all(r.ok for r in results):
        print(f"live/{args.environment}: a unit failed to plan", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
