"""Code is formatted and lint-clean: the same checks as `make lint`, inside the test command."""

from __future__ import annotations

import subprocess

import pytest

from ddb_warmer.build.toolenv import ROOT, VENV

CHECKS = {
    "ruff check": [str(VENV / "bin" / "ruff"), "check", "."],
    "ruff format": [str(VENV / "bin" / "ruff"), "format", "--check", "."],
    "terraform fmt": ["terraform", "fmt", "-check", "-recursive", "modules"],
    "terragrunt hcl fmt (live)": ["terragrunt", "hcl", "fmt", "--check", "--working-dir", "live"],
    "terragrunt hcl fmt (root)": ["terragrunt", "hcl", "fmt", "--check", "--file", "terragrunt.hcl"],
}


@pytest.mark.parametrize("check", CHECKS)
def test_the_tree_passes(check, tools_env):
    done = subprocess.run(CHECKS[check], cwd=ROOT, env=tools_env, capture_output=True, text=True)

    assert done.returncode == 0, f"{check} (fix with `make fmt`):\n{done.stdout[-3000:]}{done.stderr[-2000:]}"
