"""Running Terragrunt on an environment, for the demo and the tests."""

from __future__ import annotations

import json
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from ddb_warmer.build.live import LIVE, unit_dirs, unit_region
from ddb_warmer.build.toolenv import ROOT, WORK

__all__ = [
    "LIVE",
    "Run",
    "TerragruntFailed",
    "environment_dir",
    "terragrunt",
    "unit_dirs",
    "unit_outputs",
    "unit_region",
]


class TerragruntFailed(RuntimeError):
    pass


@dataclass(frozen=True)
class Run:
    args: tuple[str, ...]
    returncode: int
    seconds: float
    log_path: Path
    stdout: str
    stderr: str


def environment_dir(environment: str) -> Path:
    path = LIVE / environment
    if not (path / "env.hcl").exists():
        known = sorted(p.parent.name for p in LIVE.glob("*/env.hcl"))
        raise ValueError(f"no environment {environment!r} under live/ (there are: {', '.join(known)})")
    return path


def terragrunt(
    args: list[str], cwd: Path, env: dict[str, str], check: bool = True, ok_codes: tuple[int, ...] = (0,)
) -> Run:
    """Run terragrunt; keep its whole output in .work/ and raise with the log's tail on failure."""
    WORK.mkdir(parents=True, exist_ok=True)
    # A folder outside the checkout (a copy of the repository in a test) is named by its last parts.
    where = cwd.relative_to(ROOT).as_posix() if cwd.is_relative_to(ROOT) else "/".join(cwd.parts[-3:])
    name = "-".join(["terragrunt", where.replace("/", "_"), *args[:3]])
    log_path = WORK / (name.replace(" ", "_").replace("--", "") + ".log")
    started = time.perf_counter()
    # Terragrunt interleaves the output of units running at once, and can cut a line inside a
    # multi-byte character (the box of a warning): such a byte is replaced, not fatal.
    done = subprocess.run(["terragrunt", *args], cwd=cwd, env=env, capture_output=True, text=True, errors="replace")
    run = Run(tuple(args), done.returncode, time.perf_counter() - started, log_path, done.stdout, done.stderr)
    log_path.write_text(
        f"$ terragrunt {' '.join(args)}  (in {cwd})\n--- stdout\n{done.stdout}\n"
        f"--- stderr\n{done.stderr}\n--- exit {done.returncode}\n"
    )
    if check and done.returncode not in ok_codes:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-40:])
        raise TerragruntFailed(
            f"terragrunt {' '.join(args)} failed ({done.returncode}) in {cwd}; full log: {log_path}\n{tail}"
        )
    return run


def unit_outputs(unit_dir: Path, env: dict[str, str]) -> dict:
    """`terragrunt output -json` of one unit, as {name: value}."""
    run = terragrunt(["output", "-json"], unit_dir, env)
    return {name: value["value"] for name, value in json.loads(run.stdout).items()}
