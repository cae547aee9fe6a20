"""The handler's tests on every botocore a python3.13 function may run on, and which request path each takes.

    python -m ddb_warmer.build.botocore_matrix                 # the three locked venvs
    python -m ddb_warmer.build.botocore_matrix --newest-from-pypi --json matrix.json

The function runs on the runtime's botocore, not one it ships, and AWS upgrades
it under a deployed function. Three venvs, each made by the bootstrap from its
hashed lock (requirements/botocore-*.txt, with moto and pytest):

- oldest: the botocore current when python3.13 launched (its .in file says why);
- runtime: the pin of requirements/lambda-runtime.txt, the local Lambda runtime's;
- newest: the newest at `make lock`, or with --newest-from-pypi the newest on
  PyPI now (installed over the lock: the weekly workflow's run).

Each venv runs the handler's request, failure and data-safety tests (HANDLER_TESTS)
in a process of its own, and says which path the warm requests take there (the
cold-start probe of lambda_function/wire_probe.py): lean, or stock and why. The
runs go two at a time (the suite's machines have two cores).

Exit codes: 0 every run passed (and the runtime pin takes the lean path);
1 a run failed, or the pin falls back; 2 a venv is missing (run the bootstrap).
Standard library only: the bootstrap imports the matrix from here.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from ddb_warmer.build.toolenv import ROOT, TOOLS


@dataclass(frozen=True)
class Botocore:
    """One botocore of the matrix: its lock, its venv, and whether the lean path must hold on it."""

    name: str
    lock: Path
    venv: Path
    lean_required: bool = False  # the pin: the lean path was measured on it (bench/tick_benchmark.py)


MATRIX = (
    Botocore("oldest", ROOT / "requirements" / "botocore-oldest.txt", TOOLS / "botocore-oldest-venv"),
    Botocore(
        "runtime", ROOT / "requirements" / "botocore-runtime.txt", TOOLS / "botocore-runtime-venv", lean_required=True
    ),
    Botocore("newest", ROOT / "requirements" / "botocore-newest.txt", TOOLS / "botocore-newest-venv"),
)
NEWEST = MATRIX[-1]
# The handler's tests of what it sends, how it fails and that no item changes; the rest
# (configuration parsing, discovery, logging) does not touch the request path.
HANDLER_TESTS = (
    "tests/handler/test_warming.py",
    "tests/handler/test_key_schemas.py",
    "tests/handler/test_retries_and_cache.py",
    "tests/handler/test_time_budget.py",
    "tests/handler/test_lean_requests.py",
    "tests/handler/test_request_path.py",
)
PARALLEL_RUNS = 2
# Which path a cold start takes on the venv's botocore: the probe the function runs.
PATH_PROBE = """
import json, boto3, botocore
from lambda_function.request_path import warm_sender
client = boto3.client("dynamodb", region_name="eu-west-1", aws_access_key_id="probe", aws_secret_access_key="probe")
print(json.dumps(warm_sender(client).report.as_dict()))
"""


@dataclass
class Run:
    name: str
    botocore: str
    path: str  # lean | stock
    reason: str | None
    passed: bool
    tests: str  # pytest's last line: counts and seconds
    seconds: float

    def line(self) -> str:
        path = self.path if self.reason is None else f"{self.path} ({self.reason})"
        return f"{self.name:<8} botocore {self.botocore:<9} {path}; tests: {self.tests}"


def venv_env() -> dict[str, str]:
    # The checkout's packages (lambda_function, ddb_warmer, tests) import from the source tree.
    return {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}


def upgrade_to_newest(entry: Botocore) -> None:
    """The newest boto3 and botocore on PyPI over the venv's lock (unhashed: a release of this week).
    The bootstrap's stamp goes, so its next run puts the lock back."""
    python = str(entry.venv / "bin" / "python")
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--upgrade", "boto3", "botocore"],
        check=True,
    )
    (entry.venv / ".bootstrap-lock.sha256").unlink(missing_ok=True)


def run_entry(entry: Botocore) -> Run:
    python = str(entry.venv / "bin" / "python")
    started = time.monotonic()
    probed = subprocess.run(
        [python, "-c", PATH_PROBE], cwd=ROOT, env=venv_env(), capture_output=True, text=True, check=False
    )
    if probed.returncode != 0:
        reason = (probed.stderr.strip().splitlines() or ["?"])[-1]
        return Run(entry.name, "?", "?", reason, False, "not run: the probe failed", 0.0)
    report = json.loads(probed.stdout)
    tests = subprocess.run(
        [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", *HANDLER_TESTS],
        cwd=ROOT,
        env=venv_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    last = (tests.stdout.strip().splitlines() or ["no output"])[-1].strip("= ")
    passed = tests.returncode == 0
    if not passed:
        sys.stderr.write(f"--- {entry.name} (botocore {report['botocore']}) ---\n{tests.stdout[-6000:]}\n")
    return Run(
        entry.name,
        report["botocore"],
        report["path"],
        report.get("reason"),
        passed,
        re.sub(r"\s+", " ", last),
        round(time.monotonic() - started, 1),
    )


def run_matrix(entries=MATRIX) -> list[Run]:
    with ThreadPoolExecutor(max_workers=PARALLEL_RUNS) as pool:
        return list(pool.map(run_entry, entries))


def failures(runs: list[Run]) -> list[str]:
    """What makes the matrix fail, one line each."""
    required = {entry.name for entry in MATRIX if entry.lean_required}
    problems = [f"{run.name}: the handler's tests failed on botocore {run.botocore}" for run in runs if not run.passed]
    problems += [
        f"{run.name}: botocore {run.botocore} takes the stock path, the lean one was measured on it: {run.reason}"
        for run in runs
        if run.name in required and run.path != "lean"
    ]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="exit codes: 0 all passed, 1 a run failed or the pin falls back, 2 a venv is missing",
    )
    parser.add_argument("--newest-from-pypi", action="store_true", help="upgrade the newest venv from PyPI first")
    parser.add_argument("--json", type=Path, help="also write the runs to this file, as JSON")
    args = parser.parse_args(argv)
    missing = [str(entry.venv) for entry in MATRIX if not (entry.venv / "bin" / "python").exists()]
    if missing:
        print(f"error: {', '.join(missing)} missing: run `make bootstrap` first", file=sys.stderr)
        return 2
    if args.newest_from_pypi:
        upgrade_to_newest(NEWEST)
    started = time.monotonic()
    runs = run_matrix()
    for run in runs:
        print(run.line())
    problems = failures(runs)
    print(f"matrix: {len(runs)} botocores in {time.monotonic() - started:.1f} s")
    for problem in problems:
        print(f"FAILED {problem}", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps([asdict(run) for run in runs], indent=2) + "\n")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
