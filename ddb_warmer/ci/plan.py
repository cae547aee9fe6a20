"""Plan one environment into saved plan files, and summarise each unit.

    python -m ddb_warmer.ci.plan --environment dev --out-dir plans/dev [--no-lock] [--detailed-exitcode] [--destroy]

Runs `terragrunt run --all plan --out-dir <dir> --json-out-dir <dir>` in
live/<environment>: Terragrunt saves each unit's plan as
<dir>/<unit path under live/<environment>>/tfplan.tfplan (its JSON next to it),
outside the hidden .terragrunt-cache, so the folder can be published as an
artifact and applied as it is (`ddb_warmer.ci.apply`). Each unit is then read
back from its plan file: counts of resources to add, change and destroy, the
addresses destroyed or replaced, the plan as text (Terraform prints sensitive
values as "(sensitive value)"), Terraform's warnings, and the tables each
pattern and exclude matches in the unit's region. A unit without a plan
failed: its lines of the run's output are kept as the error. The summary goes
to <dir>/results.json. Exits 1 when a unit failed; with --detailed-exitcode, 2
when there are changes (the drift check).

--no-lock: pull-request and drift plans never take the state lock, so they
cannot hold up an apply; a plan that is applied is checked against the state
by Terraform instead (a stale plan is refused).

--destroy: plans the environment's removal (`plan -destroy`), for the reviewed
uninstall of .github/workflows/destroy.yml; applying those plan files destroys.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from ddb_warmer.build.terragrunt import LIVE, terragrunt, unit_dirs
from ddb_warmer.build.toolenv import ROOT, tool_env
from ddb_warmer.ci.terraform_output import unit_lines, unit_warnings
from ddb_warmer.ci.unit_plan import UnitPlan

PLAN_FILE = "tfplan.tfplan"  # Terragrunt's name inside --out-dir
PLAN_JSON = "tfplan.json"  # and inside --json-out-dir
RESULTS = "results.json"


def default_out_dir(environment: str) -> Path:
    return ROOT / "plans" / environment


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


def pattern_matches(plan: dict) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(patterns, excludes): the tables of the unit's region each one matches at plan time, from the
    module's pattern_matches output ({} for a unit without it)."""
    output = plan.get("planned_values", {}).get("outputs", {}).get("pattern_matches", {}).get("value") or {}
    return output.get("patterns") or {}, output.get("exclude") or {}


def unit_error(run_output: str, unit: Path, env_dir: Path) -> str:
    """What Terraform wrote to stderr for this unit during the run; the run's last lines when it
    wrote nothing (Terragrunt itself failed)."""
    lines = unit_lines(run_output, unit, env_dir, streams=("STDERR",))
    return "\n".join(lines[-80:] or run_output.splitlines()[-40:])


def plan_environment(
    environment: str,
    env: dict[str, str],
    out_dir: Path | None = None,
    lock: bool = True,
    destroy: bool = False,
    live: Path = LIVE,
) -> list[UnitPlan]:
    env_dir = live / environment
    out_dir = (out_dir or default_out_dir(environment)).resolve()
    # A plan file left by an earlier run must not pass for this run's.
    for stale in (*out_dir.rglob(PLAN_FILE), *out_dir.rglob(PLAN_JSON)):
        stale.unlink()
    out_dir.mkdir(parents=True, exist_ok=True)
    args = ["run", "--all", "plan", "--out-dir", str(out_dir), "--json-out-dir", str(out_dir)]
    terraform_args = [*([] if lock else ["-lock=false"]), *(["-destroy"] if destroy else [])]
    run = terragrunt([*args, *(["--", *terraform_args] if terraform_args else [])], env_dir, env, check=False)
    output = run.stdout + run.stderr
    results = []
    for unit in unit_dirs(env_dir):
        name = unit.relative_to(live).as_posix()
        saved = out_dir / unit.relative_to(env_dir) / PLAN_FILE
        shown = out_dir / unit.relative_to(env_dir) / PLAN_JSON
        plan = json.loads(shown.read_text()) if saved.exists() and shown.exists() else None
        warnings = unit_warnings(output, unit, env_dir)
        # Terraform saves a plan that hit an error too, marked "errored".
        if plan is None or plan.get("errored"):
            results.append(UnitPlan(name, ok=False, error=unit_error(output, unit, env_dir), warnings=warnings))
            continue
        add, change, removed, destroyed = count_changes(plan)
        # --tf-forward-stdout: Terraform's own output, without Terragrunt's log prefixes.
        text = terragrunt(["show", "--tf-forward-stdout", "-no-color", str(saved)], unit, env, check=False).stdout
        patterns, excludes = pattern_matches(plan)
        results.append(
            UnitPlan(
                name,
                True,
                add,
                change,
                removed,
                destroyed,
                text,
                warnings=warnings,
                patterns=patterns,
                excludes=excludes,
            )
        )
    if not results:
        results.append(UnitPlan(environment, ok=False, error=f"no unit found under live/{environment}"))
    return results


def save(results: list[UnitPlan], out_dir: Path) -> Path:
    path = out_dir / RESULTS
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([asdict(r) for r in results], indent=1))
    return path


def load(path: Path) -> list[UnitPlan]:
    return [UnitPlan(**entry) for entry in json.loads(path.read_text())]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="plan an environment into saved plan files and summarise it")
    parser.add_argument("--environment", required=True)
    parser.add_argument("--out-dir", type=Path, help="where the plan files go (default: plans/<environment>)")
    parser.add_argument("--no-lock", action="store_true", help="do not take the state lock (pull requests, drift)")
    parser.add_argument("--detailed-exitcode", action="store_true", help="exit 2 when there are changes")
    parser.add_argument("--destroy", action="store_true", help="plan the removal of everything the environment deploys")
    args = parser.parse_args(argv)
    out_dir = (args.out_dir or default_out_dir(args.environment)).resolve()
    results = plan_environment(args.environment, tool_env(), out_dir, lock=not args.no_lock, destroy=args.destroy)
    path = save(results, out_dir)
    for result in results:
        state = f"+{result.add} ~{result.change} -{result.destroy}" if result.ok else "FAILED"
        print(f"{result.unit}: {state}" + (f", {len(result.warnings)} warning(s)" if result.warnings else ""))
    print(f"plans and results: {path.parent}")
    if not all(r.ok for r in results):
        return 1
    return 2 if args.detailed_exitcode and any(r.has_changes for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
