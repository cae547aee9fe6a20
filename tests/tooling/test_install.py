"""`pip install .` in a clean virtual environment gives a working `ddb-warmer`, and ships nothing test-only."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile

import pytest

from ddb_warmer.build.toolenv import ROOT

pytestmark = pytest.mark.slow


def test_pip_install_in_a_clean_venv_gives_the_command_and_a_wheel_without_test_tools(tmp_path):
    env_dir = tmp_path / "clean"
    # No pip inside the clean venv (seconds to install it there): this venv's pip builds the wheel and
    # installs into it, so the clean venv holds only the wheel and what it depends on.
    venv.EnvBuilder(with_pip=False).create(env_dir)
    pip = [sys.executable, "-m", "pip", "--python", str(env_dir / "bin" / "python"), "--disable-pip-version-check"]
    pip += ["--quiet"]
    subprocess.run([*pip, "wheel", "--no-deps", "--wheel-dir", str(tmp_path / "wheels"), str(ROOT)], check=True)
    [wheel] = (tmp_path / "wheels").glob("ddb_warmer-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert any(n.startswith("ddb_warmer/ops/cli.py") for n in names)
    assert any(n.startswith("lambda_function/") for n in names)  # doctor uses the handler's own lookups
    # The AGPL test-time evaluator and the tests never reach a user.
    assert not [n for n in names if n.startswith("tests/") or "node_modules" in n or n.endswith(".mjs")]

    subprocess.run([*pip, "install", str(wheel)], check=True)
    command = env_dir / "bin" / "ddb-warmer"
    done = subprocess.run([str(command), "--version"], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.startswith("ddb-warmer ")
    usage = subprocess.run([str(command), "doctor"], capture_output=True, text=True, cwd=tmp_path)
    assert usage.returncode == 2 and "name the warmer" in usage.stderr
    assert sys.version_info[:2] == (3, 13), "the tests run on the Lambda runtime's Python"
