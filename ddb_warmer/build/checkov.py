"""checkov, run the same way by the tests, `make lint` and the workflows.

    .venv/bin/python -m ddb_warmer.build.checkov                 # every module's source
    .venv/bin/python -m ddb_warmer.build.checkov --plan plan.json  # a plan in JSON

Exits non-zero with one line per failed check.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from ddb_warmer.build.toolenv import CHECKOV_VENV, ROOT

MODULES = ROOT / "modules"


def checkov_report(*target: str) -> dict:
    """checkov's JSON report; `target` is `--directory DIR` or `--file plan.json` and the like."""
    framework = "terraform_plan" if "--file" in target else "terraform"
    done = subprocess.run(
        [
            str(CHECKOV_VENV / "bin" / "checkov"),
            *target,
            "--framework",
            framework,
            "--output",
            "json",
            "--quiet",
            "--compact",
            "--skip-download",
        ],
        capture_output=True,
        text=True,
    )
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        raise RuntimeError(f"checkov gave no report (exit {done.returncode}): {done.stderr[-2000:]}") from None
    # checkov answers a list when several frameworks ran; one framework here.
    return report[0] if isinstance(report, list) else report


def failed_checks(report: dict) -> list[tuple[str, str, str]]:
    return [(c["check_id"], c["resource"], c["check_name"]) for c in report["results"]["failed_checks"]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="checkov on the module or on a plan")
    parser.add_argument("--plan", type=Path, help="a plan in JSON (terraform show -json)")
    args = parser.parse_args(argv)
    report = checkov_report(*(["--file", str(args.plan)] if args.plan else ["--directory", str(MODULES)]))
    for check_id, resource, name in failed_checks(report):
        print(f"FAILED {check_id} {resource}: {name}")
    summary = report["summary"]
    print(f"checkov: {summary['passed']} passed, {summary['failed']} failed, {summary['skipped']} skipped")
    if not summary["passed"]:
        # A report with nothing passed means checkov read no resource: a wrong path, not a clean module.
        print("checkov: no check passed, so nothing was checked; is the path a Terraform module?")
        return 1
    return 1 if summary["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
