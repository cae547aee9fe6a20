"""The botocore matrix (ddb_warmer/build/botocore_matrix.py): its venvs' locks pin the botocores it names,
and it fails when a run fails or when the runtime pin would leave the lean request path."""

from __future__ import annotations

import re

from ddb_warmer.build.botocore_matrix import MATRIX, Run, failures
from ddb_warmer.build.toolenv import ROOT


def pinned(lock, package: str) -> str:
    return re.search(rf"^{package}==(\S+)", lock.read_text(), re.MULTILINE).group(1)


def test_the_runtime_entry_runs_the_botocore_of_the_local_lambda_runtime():
    runtime = next(entry for entry in MATRIX if entry.name == "runtime")
    lambda_runtime = ROOT / "requirements" / "lambda-runtime.txt"

    assert pinned(runtime.lock, "botocore") == pinned(lambda_runtime, "botocore")
    assert pinned(runtime.lock, "boto3") == pinned(lambda_runtime, "boto3")


def test_each_lock_pins_its_botocore_and_the_tests_tools_oldest_first():
    versions = [tuple(int(part) for part in pinned(entry.lock, "botocore").split(".")) for entry in MATRIX]

    assert versions == sorted(versions) and versions[0] == (1, 35, 58)
    for entry in MATRIX:
        assert pinned(entry.lock, "moto") == pinned(ROOT / "requirements" / "dev.txt", "moto")
        assert pinned(entry.lock, "pytest") and "--hash=sha256:" in entry.lock.read_text()


def run(name: str, path: str = "lean", passed: bool = True) -> Run:
    return Run(name, "1.0.0", path, None if path == "lean" else "cold-start check: x", passed, "1 passed", 1.0)


def test_the_oldest_botocore_on_the_stock_path_passes_the_matrix():
    assert failures([run("oldest", "stock"), run("runtime"), run("newest")]) == []


def test_a_failed_run_or_the_runtime_pin_on_the_stock_path_fails_the_matrix():
    problems = failures([run("oldest", passed=False), run("runtime", "stock"), run("newest")])

    assert problems == [
        "oldest: the handler's tests failed on botocore 1.0.0",
        "runtime: botocore 1.0.0 takes the stock path, the lean one was measured on it: cold-start check: x",
    ]
