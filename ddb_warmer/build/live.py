"""What live/ holds: its environments in promotion order, each one's AWS account, and a unit's inputs.

Everything that must work for whatever an adopter's live/ holds (the workflows' role lookup, the
emulator's seeding, the tests) reads live/ through here instead of knowing the sample's names, and
everything here is read as Terragrunt resolves it (`terragrunt render`): a unit's configuration, and
the locals of env.hcl and region.hcl files, so a value written with a function or a variable reads
the same as one written literally.
"""

from __future__ import annotations

import functools
import json
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ddb_warmer.build.toolenv import ROOT, tool_env
from ddb_warmer.names import apply_role_arn, plan_role_arn

LIVE = ROOT / "live"
# A configuration of no unit that resolves the locals of the files DDB_WARMER_LIVE_FILES lists (JSON),
# each as the root terragrunt.hcl reads it (read_terragrunt_config), and gives them as its inputs.
LOCALS_PROBE = """locals {
  files = { for path in jsondecode(get_env("DDB_WARMER_LIVE_FILES")) : path => read_terragrunt_config(path).locals }
}
inputs = {
  files = local.files
}
"""


class LiveError(ValueError):
    """live/ holds something the tools cannot use; the message says what to write instead."""


@dataclass(frozen=True)
class Environment:
    name: str
    account: str
    apply_after: tuple[str, ...]
    regions: tuple[str, ...]  # home region (the first unit's) first

    @property
    def plan_role_arn(self) -> str:
        return plan_role_arn(self.account)

    @property
    def apply_role_arn(self) -> str:
        return apply_role_arn(self.account, self.name)


def unit_dirs(env_dir: Path) -> list[Path]:
    """Every unit (folder with a terragrunt.hcl) under an environment, in path order."""
    return sorted(p.parent for p in env_dir.rglob("terragrunt.hcl") if ".terragrunt-cache" not in p.parts)


def resolved_locals(files: list[Path]) -> dict[Path, dict]:
    """{file: its locals, as Terragrunt resolves them} for these .hcl files, in one `terragrunt render`."""
    contents = tuple((str(file.resolve()), file.read_text()) for file in files)
    resolved = _resolved_locals(contents)
    return {file: resolved[str(file.resolve())] for file in files}


@functools.cache
def _resolved_locals(contents: tuple[tuple[str, str], ...]) -> dict[str, dict]:
    """Keyed by the files' paths and texts: a file changed since is resolved again."""
    if not contents:
        return {}
    with tempfile.TemporaryDirectory(prefix="ddb-warmer-live-") as probe:
        (Path(probe) / "terragrunt.hcl").write_text(LOCALS_PROBE)
        done = subprocess.run(
            ["terragrunt", "render", "--json", "--non-interactive"],
            cwd=probe,
            env={**tool_env(), "DDB_WARMER_LIVE_FILES": json.dumps([path for path, _ in contents])},
            capture_output=True,
            text=True,
        )
    if done.returncode != 0:
        names = ", ".join(path for path, _ in contents)
        raise LiveError(f"terragrunt could not read the locals of {names}: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout)["inputs"]["files"]


def region_file(unit: Path) -> Path:
    """The nearest region.hcl above a unit (the unit's own folder first)."""
    found = next((folder / "region.hcl" for folder in (unit, *unit.parents) if (folder / "region.hcl").is_file()), None)
    if found is None:
        raise LiveError(f'{unit}: no region.hcl in it or above it: write one with locals {{ aws_region = "…" }}')
    return found


def unit_region(unit: Path, resolved: dict[Path, dict] | None = None) -> str:
    """The region a unit deploys to: what the nearest region.hcl above it names."""
    region_hcl = region_file(unit)
    region = (resolved or resolved_locals([region_hcl]))[region_hcl].get("aws_region")
    if not isinstance(region, str) or not re.fullmatch(r"[a-z0-9-]+", region):
        raise LiveError(f'{region_hcl}: no aws_region = "…" in its locals: write the unit\'s region there')
    return region


def environment_files(env_dirs: list[Path]) -> list[Path]:
    """What describes these environments: each one's env.hcl, then the region.hcl of each of their units."""
    regions = dict.fromkeys(region_file(unit) for env_dir in env_dirs for unit in unit_dirs(env_dir))
    return [*(env_dir / "env.hcl" for env_dir in env_dirs), *regions]


def read_environment(env_dir: Path, resolved: dict[Path, dict] | None = None) -> Environment:
    """One environment, from `resolved` (resolved_locals of environment_files) or read on its own."""
    units = unit_dirs(env_dir)
    resolved = resolved or resolved_locals(environment_files([env_dir]))
    local = resolved[env_dir / "env.hcl"]
    account = str(local.get("aws_account_id", ""))
    if not re.fullmatch(r"\d{12}", account):
        raise LiveError(
            f"{env_dir.relative_to(ROOT) if env_dir.is_relative_to(ROOT) else env_dir}/env.hcl: set the AWS "
            f'account this environment deploys to, as aws_account_id = "123456789012" (12 digits) in its locals'
        )
    apply_after = tuple(local.get("apply_after") or ())
    regions = tuple(dict.fromkeys(unit_region(unit, resolved) for unit in units))
    return Environment(env_dir.name, account, apply_after, regions)


def environments(live: Path = LIVE) -> list[Environment]:
    """The environments of live/ (folders with env.hcl; `_` marks shared or admin folders), in promotion
    order: each after those its apply_after names, otherwise by name."""
    env_dirs = [p.parent for p in sorted(live.glob("*/env.hcl")) if not p.parent.name.startswith("_")]
    resolved = resolved_locals(environment_files(env_dirs))
    found = {env_dir.name: read_environment(env_dir, resolved) for env_dir in env_dirs}
    ordered: list[Environment] = []
    remaining = dict(found)
    while remaining:
        ready = [e for e in remaining.values() if all(a in {o.name for o in ordered} for a in e.apply_after)]
        if not ready:
            unknown = sorted({a for e in remaining.values() for a in e.apply_after} - set(found))
            raise LiveError(
                f"apply_after names {', '.join(unknown)}, which is no environment under live/; list only folders "
                f"of live/ with an env.hcl"
                if unknown
                else f"apply_after makes a cycle among {', '.join(sorted(remaining))}: one of them must come first"
            )
        for environment in sorted(ready, key=lambda e: e.name):
            ordered.append(remaining.pop(environment.name))
    return ordered


def environment(name: str, live: Path = LIVE) -> Environment:
    if not (live / name / "env.hcl").is_file():
        known = [e.name for e in environments(live)]
        raise LiveError(f"no environment {name!r} under live/ (there are: {', '.join(known)})")
    return read_environment(live / name)


@functools.cache
def rendered(unit: Path) -> dict:
    """A unit's configuration as Terragrunt resolves it (includes merged, generate blocks, remote
    state); needs no AWS."""
    done = subprocess.run(
        ["terragrunt", "render", "--json", "--non-interactive"],
        cwd=unit,
        env=tool_env(),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise LiveError(f"terragrunt render failed in {unit}: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout)


def unit_inputs(unit: Path) -> dict:
    """The inputs Terraform gets in a unit."""
    return rendered(unit)["inputs"]
