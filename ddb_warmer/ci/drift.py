"""Daily drift check of one environment: one issue per drifting environment, closed when clean.

    python -m ddb_warmer.ci.drift --environment prod

Plans the environment without taking the state lock (a daily check must never
hold up an apply); on changes, or when a unit fails to plan, opens (or
updates) the issue labelled `drift` that carries this environment's marker,
with the plan summary or the error; when the plan is clean again, comments and
closes it. A failed plan also fails the job.
"""

from __future__ import annotations

import argparse
import sys

from ddb_warmer.build.toolenv import tool_env
from ddb_warmer.ci.comment import render_comment, run_url
from ddb_warmer.ci.github import GitHub
from ddb_warmer.ci.plan import default_out_dir, plan_environment, save
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
    args = parser.parse_args(argv)
    out_dir = default_out_dir(args.environment)
    results = plan_environment(args.environment, tool_env(), out_dir, lock=False)
    save(results, out_dir)
    outcome = report_drift(GitHub.from_environment(), args.environment, results, run_url())
    print(f"drift in live/{args.environment}: {outcome}")
    if not all(r.ok for r in results):
        print(f"live/{args.environment}: a unit failed to plan", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
