"""Which environments a change affects, so a pull request plans just those.

    python -m ddb_warmer.ci.affected --base origin/main    # a JSON list in promotion order: ["dev", "prod"]
    python -m ddb_warmer.ci.affected --base <sha before a push>
    python -m ddb_warmer.ci.affected --all                 # every environment
    python -m ddb_warmer.ci.affected --base origin/main --code-changed   # true, or false for a live/-only change

A file under live/<env>/ (at any depth: live/prod/<region>/warmer) affects
that environment; a change to shared code (the
module, the handler, the root or shared Terragrunt config, the package build,
the pinned tool versions) affects every environment.

`--code-changed` says whether anything outside live/ changed: a pull request
that changes only live/ (the adopter's configuration) runs lint, the
configuration tests, the plan and checkov on it instead of the whole suite.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from ddb_warmer.build.live import LIVE
from ddb_warmer.build.live import environments as live_environments
from ddb_warmer.build.toolenv import ROOT

SHARED_PREFIXES = (
    "modules/",
    "lambda_function/",
    "live/_shared/",
    "terragrunt.hcl",
    "ddb_warmer/build/package.py",
    "mise.toml",
)


def environments(live: Path = LIVE) -> list[str]:
    """The folders of live/ that are environments (they have env.hcl; `_` marks shared or admin folders),
    in promotion order (apply_after in env.hcl): the apply job's matrix runs them in this order."""
    return [environment.name for environment in live_environments(live)]


def environment_parser(doc: str, exit_codes: str) -> argparse.ArgumentParser:
    """The command line of a scheduled job's script: its module's first line, one environment of live/ or
    --list to print them for a job matrix, and its exit codes."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0], epilog=f"exit codes: {exit_codes}")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--environment", help="an environment under live/ (a folder with an env.hcl)")
    which.add_argument("--list", action="store_true", help="print the environments of live/ as a JSON list")
    return parser


def affected_environments(changed_files: list[str], known: list[str]) -> list[str]:
    affected: set[str] = set()
    for path in changed_files:
        path = path.strip().removeprefix("./")
        if not path:
            continue
        if path.startswith(SHARED_PREFIXES):
            return list(known)
        parts = path.split("/")
        if len(parts) > 2 and parts[0] == "live" and parts[1] in known:
            affected.add(parts[1])
    return [environment for environment in known if environment in affected]


def code_changed(changed_files: list[str] | None) -> bool:
    """False only for a known change that touches nothing outside live/ (nothing known: True)."""
    if changed_files is None:
        return True
    paths = [path.strip().removeprefix("./") for path in changed_files]
    return any(path and not path.startswith("live/") for path in paths)


def changed_since(base: str) -> list[str] | None:
    """Files changed from `base` to HEAD; None when there is no base to compare with (a manual run,
    or GitHub's all-zero `before` of a push that created the branch)."""
    if not base.strip("0"):
        return None
    done = subprocess.run(
        ["git", "diff", "--name-only", "--no-renames", f"{base}...HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.splitlines()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="environments a change affects, as JSON")
    parser.add_argument(
        "--base", default="origin/main", help="the branch a pull request merges into, or a push's previous commit"
    )
    parser.add_argument("--all", action="store_true", help="every environment, whatever changed")
    parser.add_argument(
        "--code-changed", action="store_true", help="print true when a file outside live/ changed, else false"
    )
    args = parser.parse_args(argv)
    changed = None if args.all else changed_since(args.base)
    if args.code_changed:
        print(json.dumps(code_changed(changed)))
        return 0
    known = environments()
    print(json.dumps(known if changed is None else affected_environments(changed, known)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
