"""An adopter's copy of the repository passes the tests of what live/ holds and the demo, with edits to live/ only.

The copy renames every table, moves the first environment to a region live/ does not use, keeps only
the home region of an environment that has several, and adds an environment with
`ddb-warmer new-environment` whose name, account and region live/ does not hold (tests/live/unused.py);
then it runs the copy's own tests/live (every environment planned, the
first applied, ticked and destroyed, every account's bootstrap applied), the tests of which
environments a change affects, and its demo. The workflow tests are left out of the copy: they run on
their own fixture tree (tests/ci/fixtures), not on live/, so the copy would repeat them unchanged.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from ddb_warmer.build.live import environments, unit_dirs, unit_inputs
from ddb_warmer.build.toolenv import ROOT, WORK, tool_env
from tests.ci.workflow_runner import commit, git
from tests.live.unused import unused_account, unused_name, unused_region

pytestmark = pytest.mark.slow

PREFIX = "acme-"  # every table and pattern of the copy starts with it


def copy_repository(target: Path) -> None:
    """This checkout's files (as git sees them) in a git repository of their own, with the machine's
    bootstrapped tools linked in, as a fresh clone after `make bootstrap` has them."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT, capture_output=True
    ).stdout.split(b"\0")
    for name in filter(None, (n.decode() for n in listed)):
        if (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    for tool in (".venv", ".tools", "tests/iam/evaluator/node_modules"):
        (target / tool).symlink_to(ROOT / tool)
    git(target, "init", "-q", "-b", "main")
    commit(target, "the repository as published")


def rename_tables(live: Path) -> list[str]:
    """Every listed table and every pattern of every unit gets the prefix; returns the new table names."""
    renamed = []
    for environment in environments(live):
        for unit in unit_dirs(live / environment.name):
            inputs = unit_inputs(unit)
            old = [t["name"] for t in inputs.get("tables") or []]
            old += inputs.get("table_name_patterns") or []
            old += inputs.get("exclude_table_name_patterns") or []
            renamed += [PREFIX + t["name"] for t in inputs.get("tables") or []]
            files = {unit / "terragrunt.hcl", *unit.parent.glob("*.hcl"), *(live / environment.name).glob("*.hcl")}
            for file in sorted(files):
                text = file.read_text()
                for name in old:
                    text = text.replace(f'"{name}"', f'"{PREFIX}{name}"')
                file.write_text(text)
    return renamed


def ran(args: list[str], cwd: Path, log: Path, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in tool_env().items() if not k.startswith("PYTEST")} | (extra_env or {})
    env["PATH"] = f"{cwd / '.venv' / 'bin'}:{env['PATH']}"
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    log.write_text(f"$ {' '.join(args)}\n{done.stdout}\n{done.stderr}\nexit {done.returncode}\n")
    return done


@pytest.mark.timeout(3600)  # it runs the copy's live tests and its demo
def test_an_adopters_copy_passes_the_tests_of_its_live_and_the_demo_with_edits_to_live_only(tmp_path):
    copy = tmp_path / "adopter"
    copy_repository(copy)
    live = copy / "live"
    python = str(copy / ".venv" / "bin" / "python")
    first, *_ = environments(live)
    multi = next((e for e in environments(live) if len(e.regions) > 1), None)
    new_region = unused_region(live)
    added_name, added_account = unused_name(live), unused_account(live)
    added_region = unused_region(live, also_taken=(new_region,))

    tables = rename_tables(live)
    # The first environment moves to another region: every region.hcl of it names the new one.
    for region_hcl in (live / first.name).rglob("region.hcl"):
        region_hcl.write_text(
            re.sub(r'aws_region\s*=\s*"[^"]+"', f'aws_region = "{new_region}"', region_hcl.read_text())
        )
    # An environment with several regions keeps only its home region.
    if multi:
        for unit in unit_dirs(live / multi.name)[1:]:
            shutil.rmtree(unit.parent)
    added = ran(
        [
            python,
            "-m",
            "ddb_warmer.ops.cli",
            "new-environment",
            added_name,
            "--account",
            added_account,
            "--region",
            added_region,
            "--after",
            first.name,
            "--table",
            f"{PREFIX}{added_name}-orders",
            "--notify-email",
            f"{added_name}-alerts@example.com",
        ],
        copy,
        tmp_path / "new-environment.log",
    )
    assert added.returncode == 0, added.stderr
    tables.append(f"{PREFIX}{added_name}-orders")

    changed = git(copy, "status", "--porcelain", "--untracked-files=all").splitlines()
    assert changed and all(line.split(maxsplit=1)[1].startswith("live/") for line in changed), changed
    commit(copy, "adopted")
    stat = git(copy, "diff", "--stat", "HEAD~1", "HEAD")
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / "adopter-copy-diffstat.txt").write_text(stat + "\n")
    print(stat)

    tests = ran(
        [
            python,
            "-m",
            "pytest",
            "tests/live",
            "tests/ci/test_affected.py",
            "-q",
            "-p",
            "no:cacheprovider",
            "--deselect",
            "tests/live/test_adopter_copy.py",
        ],
        copy,
        WORK / "adopter-copy-tests.log",
    )
    assert tests.returncode == 0, (
        f"the copy's tests failed; log: {WORK / 'adopter-copy-tests.log'}\n{tests.stdout[-3000:]}"
    )

    demo = ran([python, "-m", "ddb_warmer.local.demo", "--ticks", "1"], copy, WORK / "adopter-copy-demo.log")
    assert demo.returncode == 0, f"the copy's demo failed; log: {WORK / 'adopter-copy-demo.log'}"
    shown = [t for t in tables if t in demo.stdout]
    assert shown and all(t.startswith(PREFIX) for t in shown), demo.stdout[-3000:]
    assert f"account {first.account}" in demo.stdout
