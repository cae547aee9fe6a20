"""Shared fixtures: moto in-process for the handler, a moto server for Terraform and Terragrunt."""

from __future__ import annotations

import os
import shutil

import pytest

from ddb_warmer.build.toolenv import TERRAFORMRC, TOOLS_BIN, WORK, tool_env
from ddb_warmer.local import metric_series
from ddb_warmer.local.emulator import running_emulator
from ddb_warmer.local.seed import seed_live

# moto in this process answers GetMetricData as the emulator server does, series by series: the same answer
# (tests/local/test_metric_series.py), in a fraction of the time for the advise and doctor tests.
metric_series.install()


@pytest.fixture
def aws_credentials(monkeypatch):
    """Dummy credentials and a region, and no endpoint: moto's in-process mock answers."""
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")


@pytest.fixture(scope="session")
def tools_env():
    """The environment with the bootstrapped tools; the bootstrap must have run (make test does)."""
    missing = [name for name in ("terragrunt", "actionlint") if not (TOOLS_BIN / name).exists()]
    if missing or not TERRAFORMRC.exists() or shutil.which("terraform") is None:
        pytest.fail(
            f"tools missing ({', '.join(missing) or 'terraform CLI config'}): "
            "run `make bootstrap` (make test does it first)"
        )
    return tool_env()


@pytest.fixture(scope="session")
def emulator(tools_env):
    """One moto server for every slow test, seeded with the tables live/ names, each environment in its
    own account, like real accounts (ddb_warmer/local/seed.py). DDB_WARMER_TEST_NO_TABLES=1 seeds no
    table: the tests of live/ then run as in a new account, whose regions hold no table yet."""
    with running_emulator(name="moto-tests") as emulator, emulator.activated():
        emulator.seeded = seed_live(emulator, tables=os.environ.get("DDB_WARMER_TEST_NO_TABLES") != "1")
        yield emulator


@pytest.fixture(scope="session")
def emulator_env(emulator):
    return emulator.env()


# live/'s environments and every account's bootstrap, applied once per worker and both at the same time
# (tests/live/applied.py: applied_together), for the tests of live/ and of the CI roles (one xdist group).
@pytest.fixture(scope="session")
def live(emulator, request):
    """Every environment planned, each kind applied, ticked, planned again and destroyed (a Live)."""
    from tests.live.applied import applied_together  # the applied tests' own module: only they import it

    return applied_together(request.config, emulator)[0]


@pytest.fixture(scope="session")
def bootstraps(emulator, request):
    """(emulator, {account: AppliedAccount}): every account's bootstrap planned and applied to an emulator of
    its own."""
    from tests.live.applied import applied_together

    return applied_together(request.config, emulator)[1]


# make test runs on pytest-xdist workers (`--dist loadgroup`). A slow test file stays whole on one
# worker, so its module fixtures (plans, applies) are made once; files that share a session fixture
# form one group (the Terraform of tests/module runs in copies of modules/, so those files spread).
# Fast tests go wherever a worker is free. Each worker has its own emulator server (the session
# fixture above) and keeps Terragrunt's working copies in a folder of its own (TG_DOWNLOAD_DIR), so
# two workers can run Terragrunt in the same unit of live/ at once, each against its own AWS.
#
# The handler's fast tests record every request they send, and tests/iam/test_warmer_policy.py judges
# those requests against the function's planned policy: one group, the handler's files first (the
# collection's order), so the policy is judged on what they recorded in the same process.
HANDLER_REQUESTS = "handler requests"
APPLIED = "applied live and bootstraps"
SHARED_GROUPS = {
    # live/'s environments planned and each kind applied once (tests/live/applied.py), and every account's
    # bootstrap planned and applied once, to an emulator of its own (tests/iam/ci_roles.py: applied_once),
    # both at the same time (applied.py: applied_together): the CI roles' tests read the bootstraps' plans
    # and what they applied, and the calls of the environments' plans, applies and destroys.
    "tests/live/test_environments.py": APPLIED,
    "tests/iam/test_ci_permissions.py": APPLIED,
    "tests/live/test_github_oidc.py": APPLIED,
    "tests/iam/test_ci_escalation.py": APPLIED,
    "tests/iam/test_ci_trust.py": APPLIED,
    "tests/iam/test_warmer_policy.py": HANDLER_REQUESTS,  # and tests/handler's fast tests (xdist_group)
}


# Slow files whose tests share nothing costly: each test makes its own repository and runs, and only
# the seeding they share is cheap, so they go wherever a worker is free.
SPREAD = {"tests/ci/test_workflow_runs.py"}


def xdist_group(item) -> str | None:
    path = item.nodeid.split("::", 1)[0]
    if path in SHARED_GROUPS:
        return SHARED_GROUPS[path]
    if path.startswith("tests/handler/") and not item.get_closest_marker("slow"):
        return HANDLER_REQUESTS
    if path in SPREAD:
        return None
    return path if item.get_closest_marker("slow") else None


# The groups and files whose work runs longest on one worker, longest first: they start first (make
# test passes --no-loadscope-reorder, so xdist hands out work in this order), and the short tests fill
# the other workers meanwhile, so that no long chain starts when the rest of the suite is done.
LONGEST_FIRST = (
    APPLIED,
    "tests/ci/test_workflow_runs.py",
    "tests/module/test_module.py",
    "tests/live/test_adopter_copy.py",
    HANDLER_REQUESTS,
    "tests/module/test_thousand_tables.py",
)


def start_order(item) -> int:
    """Where the item's work starts: the longest chains first, then other slow tests, then the fast ones."""
    group = xdist_group(item) or item.nodeid.split("::", 1)[0]
    if group in LONGEST_FIRST:
        return LONGEST_FIRST.index(group)
    return len(LONGEST_FIRST) + (0 if item.get_closest_marker("slow") else 1)


# First: xdist's worker reads the xdist_group marks in its own hook of the same name, which runs
# before a conftest's unless this one is asked to run first.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        group = xdist_group(item)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))
    items.sort(key=start_order)  # stable: within a rank, the collection's order


def pytest_configure(config):
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        os.environ.setdefault("TG_DOWNLOAD_DIR", str(WORK / f"terragrunt-{worker}"))
