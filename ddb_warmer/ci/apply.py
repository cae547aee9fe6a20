"""Apply one environment's saved plans, exactly those, as the merge workflow does.

    python -m ddb_warmer.ci.apply --environment prod --plans plans/prod --main-head <sha>

Refuses, before anything is applied, when:
- the checked-out commit is not main's head on GitHub (--main-head, asked at
  apply time, after the approval, by ddb_warmer.ci.main_head in a step of its
  own, so this step needs no GitHub token): a re-run of an old run, or a run
  overtaken by a newer merge, must not apply older code;
- a unit of live/<environment> has no saved plan in --plans: Terragrunt would
  otherwise plan and apply it unreviewed.
Then `terragrunt run --all apply --out-dir <plans>` applies each unit's plan
file with a lock timeout (the state lock is taken for the apply, and waited
for). Terraform itself refuses a plan made before the state changed
("Saved plan is stale"); that is reported as such. The result per unit goes to
<plans>/apply.json for the report (ddb_warmer.ci.report_apply).

An apply succeeded only when Terragrunt exits 0 and each unit printed "Apply
complete!" without an error: a state that could not be saved prints the one and
exits 1. Terraform then leaves the state in errored.tfstate in the unit's
working directory; it is copied to <plans>/errored-state/<unit>/ for the
workflow's artifact (docs/state.md: pushing it back).

Exit codes: 0 every unit applied; 1 refused, or a unit failed (see apply.json).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from ddb_warmer.build.terragrunt import LIVE, environment_dir, terragrunt, unit_dirs
from ddb_warmer.build.toolenv import ROOT, tool_env
from ddb_warmer.ci.plan import PLAN_FILE
from ddb_warmer.ci.terraform_output import diagnostics, unit_lines

LOCK_TIMEOUT = "10m"  # a drift or manual run holding the lock gets this long to finish
APPLY_RESULTS = "apply.json"
ERRORED_STATE = "errored.tfstate"  # Terraform's file when it could not write the state
KEPT_STATE = "errored-state"  # under --plans: the workflow uploads it as an artifact on failure
COMPLETE = re.compile(r"Apply complete! Resources: (\d+) added, (\d+) changed, (\d+) destroyed")
# Terraform compares the state's serial with the one the plan was made from and
# refuses with "Saved plan is stale" when they differ (hashicorp/terraform,
# internal/backend/local/backend_local.go, localRunForPlanFile).
STALE = (
    "the saved plan is stale: the state changed after it was made (another apply ran in between). "
    "Nothing was applied; merge again or re-run the newest run to plan from the current state."
)


class Refused(RuntimeError):
    pass


@dataclass
class UnitApply:
    unit: str
    ok: bool
    added: int = 0
    changed: int = 0
    destroyed: int = 0
    error: str = ""


def checked_out() -> str:
    return subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()


def check_main_head(main: str, branch: str = "main") -> str:
    head = checked_out()
    if head != main:
        raise Refused(
            f"this run is for commit {head[:12]}, but {branch} is now at {main[:12] or 'nothing'}: only a run "
            f"for the head of {branch} may apply. Nothing was applied; the run for {main[:12]} applies it."
        )
    return head


def check_plans(environment: str, plans: Path) -> list[Path]:
    env_dir = environment_dir(environment)
    units = unit_dirs(env_dir)
    missing = [
        u.relative_to(LIVE).as_posix() for u in units if not (plans / u.relative_to(env_dir) / PLAN_FILE).exists()
    ]
    if missing or not units:
        raise Refused(
            f"no saved plan for {', '.join(missing) or f'any unit of live/{environment}'} in {plans}: "
            "only reviewed plans are applied. Nothing was applied."
        )
    return units


def unit_result(output: str, unit: Path, env_dir: Path) -> UnitApply:
    name = unit.relative_to(LIVE).as_posix()
    lines = unit_lines(output, unit, env_dir)
    errors = [d for d in diagnostics(lines) if d.startswith("Error:")]
    for line in lines:
        if (done := COMPLETE.search(line)) and not errors:
            added, changed, destroyed = (int(count) for count in done.groups())
            return UnitApply(name, True, added=added, changed=changed, destroyed=destroyed)
    error = "\n\n".join(errors) or "\n".join(lines[-40:]) or "no output from Terraform for this unit"
    if "Saved plan is stale" in error:
        error = f"{STALE}\n\n{error}"
    return UnitApply(name, False, error=error)


def apply_environment(environment: str, plans: Path, env: dict[str, str]) -> list[UnitApply]:
    plans = plans.resolve()
    units = check_plans(environment, plans)
    env_dir = environment_dir(environment)
    args = ["run", "--all", "apply", "--out-dir", str(plans), "--", "-input=false", f"-lock-timeout={LOCK_TIMEOUT}"]
    print(f"$ terragrunt {' '.join(args)}  (in live/{environment})", flush=True)
    run = terragrunt(args, env_dir, env, check=False)
    output = run.stdout + run.stderr
    print(output, flush=True)
    return judged(run.returncode, [unit_result(output, unit, env_dir) for unit in units], environment)


def judged(returncode: int, results: list[UnitApply], environment: str) -> list[UnitApply]:
    """The exit code counts as much as the output: a failure no unit's output shows is a failure still."""
    if returncode != 0 and all(r.ok for r in results):
        results.append(
            UnitApply(
                environment,
                False,
                error=f'terragrunt exited {returncode} although every unit printed "Apply complete!": '
                "treat the apply as failed, read the run log, and check the state (docs/state.md).",
            )
        )
    return results


def keep_errored_state(env_dir: Path, plans: Path) -> list[Path]:
    """Copy every errored.tfstate Terraform left in a unit's working directory to <plans>/errored-state/."""
    kept = []
    for found in sorted(env_dir.rglob(ERRORED_STATE)):
        relative = found.relative_to(env_dir)
        # The unit's folder, before Terragrunt's cache (whose folder names are hashes).
        unit = (
            "/".join(relative.parts[: relative.parts.index(".terragrunt-cache")])
            if ".terragrunt-cache" in relative.parts
            else relative.parent.as_posix()
        )
        target = plans / KEPT_STATE / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(found, target)
        kept.append(target)
        print(f"::warning::{unit}: Terraform could not save the state; it is kept in {target} (artifact)", flush=True)
    return kept


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--environment", required=True)
    parser.add_argument("--plans", type=Path, required=True, help="the plan job's folder, from its artifact")
    parser.add_argument("--main-head", required=True, help="main's head on GitHub now (ddb_warmer.ci.main_head)")
    args = parser.parse_args(argv)
    try:
        check_main_head(args.main_head)
        results = apply_environment(args.environment, args.plans, tool_env())
    except Refused as refused:
        results = [UnitApply(f"{args.environment}", False, error=f"refused: {refused}")]
    args.plans.mkdir(parents=True, exist_ok=True)
    if not all(r.ok for r in results) and (LIVE / args.environment).is_dir():
        for kept in keep_errored_state(LIVE / args.environment, args.plans.resolve()):
            where = kept.relative_to(args.plans.resolve())
            results.append(UnitApply(args.environment, False, error=f"state not saved: kept as {where} (artifact)"))
    (args.plans / APPLY_RESULTS).write_text(json.dumps([asdict(r) for r in results], indent=1))
    for result in results:
        state = f"+{result.added} ~{result.changed} -{result.destroyed}" if result.ok else f"FAILED: {result.error}"
        print(f"{result.unit}: {state}", file=sys.stdout if result.ok else sys.stderr)
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
