"""checkov on every unit's plan JSON of one environment (what the plan job saved).

    python -m ddb_warmer.ci.checkov_plans --plans plans/dev

The plan, unlike the module source, has the environment's real inputs: a
setting that only a unit's inputs turn on or off is checked here.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ddb_warmer.build.checkov import checkov_report, failed_checks
from ddb_warmer.ci.plan import PLAN_JSON


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=Path, required=True)
    args = parser.parse_args(argv)
    plans = sorted(args.plans.rglob(PLAN_JSON))
    if not plans:
        print(f"no plan JSON under {args.plans}", file=sys.stderr)
        return 1
    failed = 0
    for plan in plans:
        report = checkov_report("--file", str(plan))
        for check_id, resource, name in failed_checks(report):
            print(f"FAILED {plan.parent.relative_to(args.plans)}: {check_id} {resource}: {name}")
        failed += report["summary"]["failed"]
        print(
            f"{plan.parent.relative_to(args.plans)}: checkov {report['summary']['passed']} passed, "
            f"{report['summary']['failed']} failed"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
