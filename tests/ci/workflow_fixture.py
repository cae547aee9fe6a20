"""What the workflow tests share: the fixture tree of environments, a repository holding it as live/, the fake
GitHub with the settings check-github wants, and a workflow script called the way its step calls it.

The fixture tree (tests/ci/fixtures/workflow-live): dev, staging and a two-region prod, in three accounts.
A step runs `python -m ddb_warmer.ci.<script>` in its job's checkout, with the job's AWS role and GitHub
token in its environment; `ci_script` does the same in a copy of the repository whose live/ is the fixture,
so the script reads the fixture's environments (ddb_warmer.build.live finds live/ next to the package).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ddb_warmer.build.live import environment
from ddb_warmer.ci.affected import environments
from ddb_warmer.local.emulator import assumed_credentials
from ddb_warmer.local.seed import seed_live
from tests.checkout_copy import copy_checkout, without_checksums
from tests.ci.fake_github import REPOSITORY, fake_github
from tests.ci.test_check_github import configured
from tests.ci.workflow_runner import WORKFLOWS, commit

FIXTURE = Path(__file__).parent / "fixtures" / "workflow-live"
DEV, STAGING, PROD = (environment(name, FIXTURE) for name in ("dev", "staging", "prod"))
ENVIRONMENTS = (DEV, STAGING, PROD)


def fixture_repository(path: Path) -> Path:
    """A git repository of this checkout's files on main, with the fixture as its live/ (the shared
    configuration of live/_shared kept), its lock files without checksums (tests/checkout_copy.py: runs in it
    add READ_ONLY_INIT)."""
    copy_checkout(path)
    for folder in (path / "live").iterdir():
        if folder.name != "_shared":
            shutil.rmtree(folder)
    shutil.copytree(FIXTURE, path / "live", dirs_exist_ok=True)
    without_checksums(path / "live")
    commit(path, "live/: the fixture's environments")
    return path


@pytest.fixture(scope="module")
def fixture_seeded(emulator):
    """The fixture environments' state buckets and tables, each in its account."""
    return seed_live(emulator, FIXTURE)


@pytest.fixture
def github():
    """The fake GitHub, its settings as check-github wants them for the fixture's environments (the apply
    workflow checks them, with the settings token, before its first plan)."""
    with fake_github() as (client, state):
        state["settings"] = configured(environments(FIXTURE))
        yield client, state


@pytest.fixture
def origin(tmp_path, fixture_seeded):
    """GitHub's copy of the repository: main holds this checkout's files, with the fixture as live/."""
    return fixture_repository(tmp_path / "origin")


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> Path:
    """A job's checkout of main, for the scripts its steps run; tests that commit to it clone it first."""
    return fixture_repository(tmp_path_factory.mktemp("checkout") / "repository")


def github_env(api: str, sha: str = "") -> dict[str, str]:
    """What a step that is given `GITHUB_TOKEN: ${{ github.token }}` finds in its environment on a runner."""
    return {
        "GITHUB_TOKEN": "ghs_fake",
        "GITHUB_REPOSITORY": REPOSITORY,
        "GITHUB_API_URL": api,
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_RUN_ID": "4242",
        "GITHUB_SHA": sha,
    }


def role_env(emulator, env: dict[str, str], role_arn: str, region: str | None = None) -> dict[str, str]:
    """`env` holding what configure-aws-credentials gives a job's later steps: the credentials of `role_arn`
    (the emulator answers in the role's account) and the region."""
    env = {**env, **assumed_credentials(emulator.endpoint, role_arn, "GitHubActions")}
    if region:
        env.update(AWS_REGION=region, AWS_DEFAULT_REGION=region)
    return env


def ci_script(repository: Path, script: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """`python -m ddb_warmer.ci.<script> <args>` in `repository`, as the workflow step runs it."""
    return subprocess.run(
        [sys.executable, "-m", f"ddb_warmer.ci.{script}", *args],
        cwd=repository,
        env=env,
        capture_output=True,
        text=True,
    )


def step_running(workflow: str, job: str, script: str) -> dict:
    """The one step of `job` in .github/workflows/`workflow` that runs `python -m ddb_warmer.ci.<script>`."""
    definition = yaml.safe_load((WORKFLOWS / workflow).read_text())
    (step,) = [s for s in definition["jobs"][job]["steps"] if f"-m ddb_warmer.ci.{script} " in s.get("run", "")]
    return step
