"""Every committed lock file pins, by checksum, the provider package the tests run.

The suite runs Terraform in copies whose lock files keep the version and lose the checksums (it would
otherwise hash the 700 MB provider on every command: tests/checkout_copy.py). This is the check those
commands would each have made, made once per distinct lock file with Terraform's own: `terraform init`
links the provider from the plugin cache only if it matches one of the lock file's checksums.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from ddb_warmer.build.toolenv import ROOT
from ddb_warmer.ops.new_environment import LOCK_FILE

pytestmark = pytest.mark.slow

PROVIDER = re.compile(r'^provider "(?:[^"/]+/)?(?P<namespace>[^"/]+)/(?P<name>[^"/]+)" \{', re.MULTILINE)
CHECKSUM = re.compile(r'"h1:[^"]+"')


def committed_lock_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z", f":(glob)**/{LOCK_FILE}"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    return [ROOT / name.decode() for name in listed if name]


def init_with(lock: str, folder: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """`terraform init` of a root module that needs the lock file's providers, with that lock file (not
    tests/module's `terraform`, which drops the checksums after an init)."""
    folder.mkdir()
    needed = "".join(
        f'    {m["name"]} = {{ source = "{m["namespace"]}/{m["name"]}" }}\n' for m in PROVIDER.finditer(lock)
    )
    (folder / "main.tf").write_text(f"terraform {{\n  required_providers {{\n{needed}  }}\n}}\n")
    (folder / LOCK_FILE).write_text(lock)
    return subprocess.run(
        ["terraform", "init", "-backend=false", "-input=false", "-no-color"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
    )


def test_every_committed_lock_file_has_checksums_that_match_the_provider_the_tests_run(tools_env, tmp_path):
    files = committed_lock_files()
    assert files, f"no {LOCK_FILE} is committed"
    distinct: dict[str, list[Path]] = {}
    for file in files:
        text = file.read_text()
        assert CHECKSUM.search(text), f"{file.relative_to(ROOT)} has no h1 checksum: run `terragrunt init` there"
        distinct.setdefault(text, []).append(file)

    for number, (lock, same) in enumerate(distinct.items()):
        done = init_with(lock, tmp_path / str(number), tools_env)
        assert done.returncode == 0, f"{[str(f.relative_to(ROOT)) for f in same]}:\n{done.stdout}{done.stderr}"


def test_a_lock_file_whose_checksum_does_not_match_fails_the_init(tools_env, tmp_path):
    """The check above can fail: one character of the checksum changed, and Terraform refuses the package."""
    lock = committed_lock_files()[0].read_text()
    wrong = CHECKSUM.sub(lambda m: m[0][:5] + ("B" if m[0][5] == "A" else "A") + m[0][6:], lock, count=1)
    done = init_with(wrong, tmp_path / "wrong", tools_env)
    assert done.returncode != 0
    assert "checksum" in done.stdout + done.stderr
