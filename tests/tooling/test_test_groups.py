"""The suite's own grouping on pytest-xdist works: tests that share a plan or a folder run on one worker.

Grouping can stop silently (a new pytest with structured node IDs, pytest-xdist#1386): nothing fails,
the module fixtures are just made on every worker and tests collide in a shared folder. This runs
tests/conftest.py's hook on a small tree with `-n 2 --dist loadgroup` and reads who ran what.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from ddb_warmer.build.toolenv import ROOT

TEST = """
import json, os, pathlib, time
import pytest

pytestmark = {mark}

@pytest.mark.parametrize("i", range(4))
def test_runs(i):
    out = pathlib.Path(os.environ["GROUPS_OUT"]) / f"{{__name__}}-{{i}}.json"
    out.write_text(json.dumps([os.environ.get("PYTEST_XDIST_WORKER"), time.monotonic_ns()]))
"""

QUIET = ["-q", "-p", "no:cacheprovider"]


def test_each_group_runs_on_one_worker_the_longest_first_and_ungrouped_tests_spread(tmp_path):
    tree = tmp_path / "tree"
    for path, mark in {
        # One group: two files of tests/conftest.py's SHARED_GROUPS, which share a session fixture.
        "tests/live/test_environments.py": "[pytest.mark.slow]",
        "tests/iam/test_ci_permissions.py": "[pytest.mark.slow]",
        "tests/slow/test_alone.py": "[pytest.mark.slow]",  # a slow file: a group of its own
        "tests/fast/test_d.py": "[]",  # no group
    }.items():
        (tree / path).parent.mkdir(parents=True, exist_ok=True)
        (tree / path).write_text(TEST.format(mark=mark))
    (tree / "conftest.py").write_text("from tests.conftest import pytest_collection_modifyitems  # noqa: F401\n")
    (tree / "pytest.ini").write_text("[pytest]\nmarkers =\n    slow: slow\n")
    out = tmp_path / "out"
    out.mkdir()
    env = {**os.environ, "GROUPS_OUT": str(out), "PYTHONPATH": str(ROOT)}
    env.pop("PYTEST_XDIST_WORKER", None)

    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "--no-loadscope-reorder", *QUIET],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
    )

    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    started = {f.stem: json.loads(f.read_text()) for f in out.glob("*.json")}
    ran = {name: worker for name, (worker, _) in started.items()}
    assert len(ran) == 16
    assert len({w for name, w in ran.items() if name.startswith(("test_environments", "test_ci_permissions"))}) == 1
    assert len({w for name, w in ran.items() if name.startswith("test_alone")}) == 1
    assert set(ran.values()) == {"gw0", "gw1"}  # the rest is spread
    # The longest chain (tests/conftest.py: LONGEST_FIRST) is the first work its worker gets.
    applied_worker = ran["test_environments-0"]
    first = min((at, name) for name, (worker, at) in started.items() if worker == applied_worker)[1]
    assert first.startswith(("test_environments", "test_ci_permissions")), sorted(
        started.items(), key=lambda i: i[1][1]
    )
