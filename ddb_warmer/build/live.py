"""What live/ holds: its environments in promotion order, each one's AWS account, and a unit's inputs.

Everything that must work for whatever an adopter's live/ holds (the workflows' role lookup, the
emulator's seeding, the tests) reads live/ through here instead of knowing the sample's names.
"""

from __future__ import annotations

import functools
import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ddb_warmer.build.toolenv import ROOT, tool_env
from ddb_warmer.names import apply_role_arn, plan_role_arn

LIVE = ROOT / "live"
ACCOUNT_LINE = re.compile(r'^\s*aws_account_id\s*=\s*"([^"]*)"', re.MULTILINE)
AFTER_LINE = re.compile(r"^\s*apply_after\s*=\s*\[([^\]]*)\]", re.MULTILINE)
REGION_LINE = re.compile(r'^\s*aws_region\s*=\s*"([a-z0-9-]+)"', re.MULTILINE)


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


def unit_region(unit: Path) -> str:
    """The region a unit deploys to: what the nearest region.hcl above it names."""
    region_hcl = next(folder / "region.hcl" for folder in (unit, *unit.parents) if (folder / "region.hcl").is_file())
    found = REGION_LINE.search(region_hcl.read_text())
    if found is None:
        raise LiveError(f'{region_hcl}: no aws_region = "…" line: write the unit\'s region there')
    return found[1]


def read_environment(env_dir: Path) -> Environment:
    text = (env_dir / "env.hcl").read_text()
    account = ACCOUNT_LINE.search(text)
    if not account or not re.fullmatch(r"\d{12}", account[1]):
        raise LiveError(
            f"{env_dir.relative_to(ROOT)}/env.hcl: set the AWS account this environment deploys to, as "
            f'aws_account_id = "123456789012" (12 digits) in its locals'
        )
    after = AFTER_LINE.search(text)
    apply_after = tuple(re.findall(r'"([^"]+)"', after[1])) if after else ()
    regions = tuple(dict.fromkeys(unit_region(unit) for unit in unit_dirs(env_dir)))
    return Environment(env_dir.name, account[1], apply_after, regions)


def environments(live: Path = LIVE) -> list[Environment]:
    """The environments of live/ (folders with env.hcl; `_` marks shared or admin folders), in promotion
    order: each after those its apply_after names, otherwise by name."""
    found = {
        p.parent.name: read_environment(p.parent)
        for p in sorted(live.glob("*/env.hcl"))
        if not p.parent.name.startswith("_")
    }
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
