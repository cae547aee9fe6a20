"""The tests of live/ follow whatever live/ holds: `make test-config`, the required check of a live/-only
pull request, passes on five generated trees, each written from an empty live/ by
`ddb-warmer new-environment` in a copy of this repository, as an adopter would:

- staging: dev → staging → prod, three accounts, prod in two regions;
- three-accounts: sandbox → staging → production (the names a platform team picks), production's
  alarms to an existing topic in each of its two regions;
- no-dev-no-prod: blue → green, sharing one account;
- single-and-multi-region: alpha in one region, beta in three, gamma in one, alpha and gamma sharing an
  account, three regions in all (see docs/testing.md for four);
- no-tables: an environment in two regions that hold no table yet (DDB_WARMER_TEST_NO_TABLES=1): it
  plans, warns for each listed table, and its ticks fail naming them.

The three-accounts tree, docs/adopting.md's checklist for three environments in three accounts, also
runs `make demo`; the files `new-environment` wrote are listed next to the times.

Each tree's time is written to .work/generated-trees.txt (docs/testing.md gives the figures).
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from ddb_warmer.build.live import environments
from ddb_warmer.build.toolenv import WORK
from tests.checkout_copy import copy_checkout
from tests.ci.workflow_runner import git
from tests.live.test_adopter_copy import ran

pytestmark = [
    pytest.mark.slow,
    # Five end-to-end runs of `make test-config` (5 to 8 minutes each on 2 cores): the proof that the
    # tests of live/ follow any fork's tree, run on demand and before a release, not on every change.
    pytest.mark.skipif(
        os.environ.get("DDB_WARMER_TEST_TREES") != "1",
        reason="runs make test-config on five generated live/ trees (about 15 min): `make test-trees` runs it",
    ),
]

EMAIL = ("--notify-email", "alerts@example.com")


def env(name: str, account: str, regions: list[str], *selection: str, notify: tuple[str, ...] = EMAIL) -> list[str]:
    """The arguments of one `new-environment` call: its account, regions, tables or patterns, alarm destination."""
    region_args = [arg for region in regions for arg in ("--region", region)]
    return [name, "--account", account, *region_args, *selection, *notify]


def topics(account: str, regions: list[str]) -> tuple[str, ...]:
    """An existing SNS topic in each region (an alarm notifies only a topic of its own region)."""
    return tuple(arg for region in regions for arg in ("--notify-topic", f"arn:aws:sns:{region}:{account}:oncall"))


TWO_REGIONS = ["eu-west-1", "us-east-1"]
# Tree name -> the new-environment calls that write it, in promotion order.
TREES: dict[str, list[list[str]]] = {
    "staging": [
        env("dev", "111111111111", ["eu-west-1"], "--table", "dev-orders"),
        env("staging", "222222222222", ["eu-west-1"], "--pattern", "staging-*"),
        env("prod", "333333333333", TWO_REGIONS, "--table", "prod-orders", "--pattern", "prod-events-*"),
    ],
    "three-accounts": [
        env("sandbox", "444444444444", ["eu-central-1"], "--table", "globex-sbx-orders"),
        env("staging", "555555555555", ["eu-west-1"], "--pattern", "globex-stg-*"),
        env(
            "production",
            "666666666666",
            TWO_REGIONS,
            *("--table", "globex-prd-orders", "--pattern", "globex-prd-*"),
            notify=topics("666666666666", TWO_REGIONS),
        ),
    ],
    "no-dev-no-prod": [
        env("blue", "777777777777", ["us-west-2"], "--table", "blue-orders"),
        env("green", "777777777777", ["us-west-2"], "--pattern", "green-*"),
    ],
    "single-and-multi-region": [
        env("alpha", "111111111111", ["eu-west-1"], "--table", "alpha-orders"),
        env("beta", "222222222222", [*TWO_REGIONS, "ap-southeast-2"], "--pattern", "beta-*"),
        env("gamma", "111111111111", ["us-east-1"], "--table", "gamma-orders"),
    ],
    "no-tables": [
        env("fresh", "888888888888", TWO_REGIONS, "--table", "fresh-orders", "--table", "fresh-events"),
    ],
}
NO_TABLES = {"no-tables"}
WITH_DEMO = {"three-accounts"}


def empty_live(live: Path) -> None:
    """live/ without its environments and their accounts' bootstrap units: what every tree starts from."""
    for environment in environments(live):
        shutil.rmtree(live / environment.name)
    for account in (live / "_bootstrap").glob("[0-9]*"):
        shutil.rmtree(account)


@pytest.mark.timeout(3600)
@pytest.mark.parametrize("tree", list(TREES))
def test_make_test_config_passes_on_a_generated_tree(tree, tmp_path):
    copy = tmp_path / tree
    copy_checkout(copy, tools=True)
    live = copy / "live"
    empty_live(live)
    python = str(copy / ".venv" / "bin" / "python")
    for number, argv in enumerate(TREES[tree]):
        log = tmp_path / f"new-environment-{number}.log"
        written = ran([python, "-m", "ddb_warmer.ops.cli", "new-environment", *argv], copy, log)
        assert written.returncode == 0, written.stderr
    assert [e.name for e in environments(live)] == [argv[0] for argv in TREES[tree]]
    written_files = git(copy, "status", "--porcelain", "--untracked-files=all").splitlines()
    assert all(line.split(maxsplit=1)[1].startswith("live/") for line in written_files), written_files

    log = WORK / f"generated-tree-{tree}.log"
    WORK.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    env = {"DDB_WARMER_TEST_NO_TABLES": "1"} if tree in NO_TABLES else {}
    # Two workers, so the machine's other work goes on; the adopter-copy test left out, as it copies the
    # repository again and plans that copy's own edited live/ (tests/live/test_adopter_copy.py).
    parallel = "PARALLEL=-n 2 --dist loadgroup --deselect tests/live/test_adopter_copy.py"
    done = ran(["make", "test-config", parallel], copy, log, env)
    seconds = time.perf_counter() - started
    with (WORK / "generated-trees.txt").open("a") as figures:
        figures.write(f"{tree}: make test-config {'passed' if done.returncode == 0 else 'FAILED'} in {seconds:.0f} s\n")
        figures.write(f"  written by new-environment, none by hand: {len(written_files)} files under live/\n")
    assert done.returncode == 0, f"make test-config failed on the {tree} tree; log: {log}\n{done.stdout[-3000:]}"
    if tree in WITH_DEMO:
        started = time.perf_counter()
        demo = ran(["make", "demo"], copy, WORK / f"generated-tree-{tree}-demo.log", env)
        with (WORK / "generated-trees.txt").open("a") as figures:
            result = "passed" if demo.returncode == 0 else "FAILED"
            figures.write(f"{tree}: make demo {result} in {time.perf_counter() - started:.0f} s\n")
        assert demo.returncode == 0, f"make demo failed on the {tree} tree\n{demo.stdout[-3000:]}"
