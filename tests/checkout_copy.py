"""Copies of this checkout, for the tests that run Terraform elsewhere than in it, with lock files that pin
the provider's version and no checksum.

On every command Terraform checks the provider package against each checksum of the working directory's
lock file: it hashes the whole AWS provider (about 700 MB), about 0.5 CPU-s a command and three times in an
init from the plugin cache. Over the suite's applies, plans and workflow runs that was some 70 CPU-s. In a
copy made here the lock files keep the version and lose their checksums, and the runs in it add
READ_ONLY_INIT to their environment: `terraform init` then keeps the lock file as it is (it says so in a
warning, "Provider lock file not updated") instead of writing the checksum back, so no command hashes the
provider again. What runs is otherwise what is committed.

What the checksums prove, that the provider the tests run is the one each committed lock file pins, is
checked once, with Terraform's own check: tests/tooling/test_lock_files.py.
"""

from __future__ import annotations

import atexit
import functools
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from ddb_warmer.build.toolenv import ROOT
from ddb_warmer.ops.new_environment import LOCK_FILE
from tests.ci.workflow_runner import commit, git

READ_ONLY_INIT = {"TF_CLI_ARGS_init": "-lockfile=readonly"}
CHECKSUMS = re.compile(r"^[ \t]*hashes[ \t]*=[ \t]*\[[^\]]*\][ \t]*\n", re.MULTILINE)
# The bootstrapped tools a copy links to, as a fresh clone has them after `make bootstrap`.
TOOLS = (".venv", ".tools", "tests/iam/evaluator/node_modules")


def without_checksums(tree: Path) -> None:
    """Every lock file under `tree` keeps its provider versions and constraints, and loses its checksums (also
    right after a `terraform init` there, which wrote the one it computed)."""
    for lock in tree.rglob(LOCK_FILE):
        lock.write_text(CHECKSUMS.sub("", lock.read_text()))


def copy_checkout(target: Path, tools: bool = False) -> str:
    """This checkout's files as git sees them (uncommitted changes included), committed on main in a git
    repository of their own at `target`, with lock files without checksums; with `tools`, the bootstrapped
    tools linked in. Returns the commit."""
    target.mkdir(parents=True)
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, (n.decode() for n in listed)):
        if (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    without_checksums(target)
    if tools:
        for tool in TOOLS:
            (target / tool).symlink_to(ROOT / tool)
    git(target, "init", "-q", "-b", "main")
    return commit(target, "the repository as published")


@functools.cache
def terraform_checkout() -> Path:
    """One copy of this checkout per pytest process (removed when it ends), where the tests that apply and plan
    live/ (tests/live/applied.py and the tests of its xdist group) run Terragrunt; its live/ is this
    checkout's but for the lock files' checksums. Runs in it add READ_ONLY_INIT to their environment."""
    target = Path(tempfile.mkdtemp(prefix="ddb-warmer-checkout-")) / "repository"
    atexit.register(shutil.rmtree, target.parent, True)
    copy_checkout(target, tools=True)
    return target


def copied(path: Path) -> Path:
    """`path`, a file or folder of this checkout, in `terraform_checkout()`."""
    return terraform_checkout() / path.relative_to(ROOT)
