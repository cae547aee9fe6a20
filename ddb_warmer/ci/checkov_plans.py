"""checkov on every unit's plan JSON of one environment (what the plan job saved).

    python -m ddb_warmer.ci.checkov_plans --plans plans/dev

The plan, unlike the module source, has the environment's real inputs: a
setting that only a unit's inputs turn on or off is checked here. The module
source is given for plan enrichment, so its `#checkov:skip` lines, each with its
reason, apply to the plan too. `--allow` lists checks that are reported but do
not fail the job (an environment's deliberate choice, named in the workflow).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ddb_warmer.build.checkov import MODULES, checkov_report, failed_checks
from ddb_warmer.ci.plan import PLAN_JSON


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=Path, required=True)
    parser.add_argument("--allow", default="", help="comma-separated check ids reported without failing")
    args = parser.parse_args(argv)
    allowed = {check for check in args.allow.split(",") if check}
    plans = sorted(args.plans.rglob(PLAN_JSON))
    if not plans:
        print(f"no plan JSON under {args.plans}", file=sys.stderr)
        return 1
    failed = 0
    for plan in plans:
        unit = plan.parent.relative_to(args.plans)
        report = checkov_report("--file", str(plan), "--repo-root-for-plan-enrichment", str(MODULES))
        for check_id, resource, name in failed_checks(report):
            verdict = "ALLOWED" if check_id in allowed else "FAILED"
            failed += verdict == "FAILED"
            print(f"{verdict} {unit}: {check_id} {resource}: {name}")
        summary = report["summary"]
        print(f"{unit}: checkov {summary['passed']} passed, {summary['failed']} failed, {summary['skipped']} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
