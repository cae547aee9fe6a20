"""Plan one environment with saved plans, and summarise each unit.

    python -m ddb_warmer.ci.plan --environment dev [--comment-file comment.md] [--detailed-exitcode]

Runs `terragrunt run --all plan -- -out=tfplan` in live/<environment>, then reads
each unit's saved plan back (`terragrunt show`): counts of resources to add,
change and destroy, the addresses destroyed or replaced, and the plan as text
(Terraform prints sensitive values as "(sensitive value)"). A unit without a
plan failed: its lines of the run's output are kept as the error. Results go
to .work/plans/<environment>.json; with --comment-file, the pull-request
comment is rendered too. Exits 1 when a unit failed; with --detailed-exitcode,
2 when there are changes (the drift check).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import asdict
from pathlib import Path

from ddb_warmer.build.terragrunt import LIVE, terragrunt
from ddb_warmer.build.toolenv import WORK, tool_env
from ddb_warmer.ci.comment import render_comment, run_url
from ddb_warmer.ci.unit_plan import UnitPlan

PLAN_FILE = "tfplan"


def unit_dirs(env_dir: Path) -> list[Path]:
    return sorted(p.parent for p in env_dir.rglob("terragrunt.hcl") if ".terragrunt-cache" not in p.parts)


def forget_saved_plans(env_dir: Path) -> None:
    """A plan file left by an earlier run must not pass for this run's."""
    for stale in env_dir.rglob(f".terragrunt-cache/**/{PLAN_FILE}"):
        stale.unlink()


def count_changes(plan: dict) -> tuple[int, int, int, list[str]]:
    add = change = destroy = 0
    destroyed = []
    for resource in plan.get("resource_changes", []):
        actions = resource["change"]["actions"]
        if "create" in actions:
            add += 1
        if "delete" in actions:
            destroy += 1
            destroyed.append(resource["address"] + (" (replaced)" if "create" in actions else ""))
        if actions == ["update"]:
            change += 1
    return add, change, destroy, destroyed


# "15:49:56.172 STDERR [warmer] terraform: <Terraform's line>"
PREFIXED_LINE = re.compile(r"^\S+\s+(STDOUT|STDERR)\s+\[(?P<unit>[^\]]+)\]\s+terraform:\s?(?P<line>.*)$")


def unit_error(run_output: str, unit: Path) -> str:
    """What Terraform wrote to stderr for this unit during the run, without Terragrunt's prefixes;
    the run's last lines when it wrote nothing (Terragrunt itself failed)."""
    lines = []
    for raw in run_output.splitlines():
        match = PREFIXED_LINE.match(raw)
        if match and match["unit"] in (unit.name, f"{unit.parent.name}/{unit.name}") and "STDERR" in raw:
            lines.append(match["line"])
    return "\n".join(lines[-80:] or run_output.splitlines()[-40:])


def plan_environment(environment: str, env: dict[str, str]) -> list[UnitPlan]:
    env_dir = LIVE / environment
    forget_saved_plans(env_dir)
    run = terragrunt(["run", "--all", "plan", "--", f"-out={PLAN_FILE}"], env_dir, env, check=False)
    results = []
    for unit in unit_dirs(env_dir):
        name = unit.relative_to(LIVE).as_posix()
        # --tf-forward-stdout: Terraform's own output, without Terragrunt's log prefixes.
        shown = terragrunt(["show", "--tf-forward-stdout", "-json", PLAN_FILE], unit, env, check=False)
        plan = json.loads(shown.stdout) if shown.stdout.strip().startswith("{") else None
        # Terraform saves a plan that hit an error too, marked "errored".
        if shown.returncode != 0 or plan is None or plan.get("errored"):
            results.append(UnitPlan(name, ok=False, error=unit_error(run.stdout + run.stderr, unit)))
            continue
        add, change, destroy, destroyed = count_changes(plan)
        text = terragrunt(["show", "--tf-forward-stdout", "-no-color", PLAN_FILE], unit, env, check=False).stdout
        results.append(UnitPlan(name, True, add, change, destroy, destroyed, text))
    if not results:
        results.append(UnitPlan(environment, ok=False, error=f"no unit found under live/{environment}"))
    return results


def save(environment: str, results: list[UnitPlan]) -> Path:
    path = WORK / "plans" / f"{environment}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([asdict(r) for r in results], indent=1))
    return path


def load(path: Path) -> list[UnitPlan]:
    return [UnitPlan(**entry) for entry in json.loads(path.read_text())]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="plan an environment and summarise it")
    parser.add_argument("--environment", required=True)
    parser.add_argument("--comment-file", type=Path, help="write the pull-request comment here")
    parser.add_argument("--detailed-exitcode", action="store_true", help="exit 2 when there are changes")
    args = parser.parse_args(argv)
    results = plan_environment(args.environment, tool_env())
    path = save(args.environment, results)
    for result in results:
        state = f"+{result.add} ~{result.change} -{result.destroy}" if result.ok else "FAILED"
        print(f"{result.unit}: {state}")
    print(f"results: {path}")
    if args.comment_file:
        args.comment_file.write_text(render_comment(args.environment, results, run_url()))
    if not all(r.ok for r in results):
        return 1
    return 2 if args.detailed_exitcode and any(r.has_changes for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
