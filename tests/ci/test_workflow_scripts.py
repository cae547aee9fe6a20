"""The workflows' scripts, each called as its step calls it (`python -m ddb_warmer.ci.<script>` in the job's
checkout, whose live/ is the fixture tree tests/ci/fixtures/workflow-live), with the job's role on the
emulator and the fake GitHub: what the affected job lists for a merge or a pull request, the roles each
environment's job assumes, and the drift job's issue when its plan fails. Which jobs then run is
tests/ci/test_workflow_wiring.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.ci.workflow_fixture import DEV, ENVIRONMENTS, ci_script, github_env, role_env, step_running
from tests.ci.workflow_runner import commit, git

pytestmark = pytest.mark.slow


@pytest.fixture
def clone(checkout, tmp_path) -> Path:
    """A job's checkout with the whole history (fetch-depth: 0): main is origin/main, as on a runner."""
    path = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(checkout), str(path))
    return path


def affected(clone: Path, env: dict[str, str], *args: str) -> str:
    done = ci_script(clone, "affected", *args, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_readme_only_merge_affects_no_environment(clone, emulator_env, github):
    """The merge's affected job diffs from the commit the last successful run applied (the push's `before`
    while none did) and finds no environment: nothing is planned (tests/ci/test_workflow_wiring.py)."""
    client, state = github
    before = git(clone, "rev-parse", "HEAD")
    (clone / "README.md").write_text((clone / "README.md").read_text() + "\nA typo fixed.\n")
    sha = commit(clone, "README: a typo")

    base = ci_script(clone, "fresh_run", "--base", "--before", before, env={**emulator_env, **github_env(client.api)})
    assert base.returncode == 0 and base.stdout.strip() == before, base.stderr
    assert affected(clone, emulator_env, "--base", base.stdout.strip()) == "[]"

    # Once a run succeeded, its commit is the base: everything merged since is planned again.
    state["runs"] = [{"head_sha": git(clone, "rev-parse", "HEAD~2")}]
    base = ci_script(clone, "fresh_run", "--base", "--before", before, env={**emulator_env, **github_env(client.api)})
    assert base.stdout.strip() == git(clone, "rev-parse", "HEAD~2") != sha


TABLES = '  tables              = [{ name = "fixture-dev-ledger" }]'


def test_a_pull_request_that_only_changes_a_table_list_affects_its_environment_and_no_code(clone, emulator_env):
    git(clone, "checkout", "-q", "-b", "one-more-table")
    unit = clone / "live" / "dev" / "warmer" / "terragrunt.hcl"
    assert TABLES in unit.read_text()
    unit.write_text(unit.read_text().replace(TABLES, TABLES.replace("}]", '}, { name = "added-in-a-pull-request" }]')))
    commit(clone, "one more table")

    assert affected(clone, emulator_env, "--base", "origin/main") == '["dev"]'
    assert affected(clone, emulator_env, "--base", "origin/main", "--code-changed") == "false"


def test_a_pull_request_that_changes_the_handler_is_code_and_affects_every_environment(clone, emulator_env):
    git(clone, "checkout", "-q", "-b", "handler-change")
    handler = clone / "lambda_function" / "tick.py"
    handler.write_text(handler.read_text() + "\n# a change to the handler\n")
    commit(clone, "handler: a comment")

    every = affected(clone, emulator_env, "--base", "origin/main")
    assert json.loads(every) == [e.name for e in ENVIRONMENTS]
    # What the drift job plans every day, whatever changed: the same list, in promotion order.
    assert affected(clone, emulator_env, "--all") == every
    assert affected(clone, emulator_env, "--base", "origin/main", "--code-changed") == "true"


def test_each_environment_gets_the_roles_and_regions_of_its_own_account(checkout, emulator_env):
    for environment in ENVIRONMENTS:
        done = ci_script(checkout, "roles", "--environment", environment.name, env=emulator_env)
        assert done.returncode == 0, done.stderr
        assert dict(line.split("=", 1) for line in done.stdout.splitlines()) == {
            "plan-role": environment.plan_role_arn,
            "apply-role": environment.apply_role_arn,
            "region": environment.regions[0],
            "regions": " ".join(environment.regions),
        }
    assert len({e.account for e in ENVIRONMENTS}) == len(ENVIRONMENTS)  # three accounts, three plan roles


def test_a_drift_plan_that_fails_opens_the_drift_issue(checkout, fixture_seeded, emulator, emulator_env, github):
    """The drift job's two steps: the plan (no GitHub token, the plan role of dev's account) fails the module's
    validation and saves its results; the next step opens the environment's drift issue and fails the job."""
    client, state = github
    assert step_running("drift.yml", "drift", "plan")["run"].endswith(
        '--environment "$ENVIRONMENT" --out-dir "plans/$ENVIRONMENT" --no-lock'
    )
    assert step_running("drift.yml", "drift", "drift")["run"].endswith(
        '--environment "$ENVIRONMENT" --results "plans/$ENVIRONMENT/results.json"'
    )
    broken = {**emulator_env, "TF_VAR_schedule_expression": "rate(5 minute)"}  # fails the module's validation
    plan = ci_script(
        checkout, "plan", "--environment", "dev", "--out-dir", "plans/dev", "--no-lock",
        env=role_env(emulator, broken, DEV.plan_role_arn, DEV.regions[0]),
    )  # fmt: skip
    assert plan.returncode == 1, plan.stdout + plan.stderr
    results = checkout / "plans" / "dev" / "results.json"
    assert [r["ok"] for r in json.loads(results.read_text())] == [False]  # kept as the job's artifact

    drift = ci_script(
        checkout, "drift", "--environment", "dev", "--results", "plans/dev/results.json",
        env={**emulator_env, **github_env(client.api)},
    )  # fmt: skip
    assert drift.returncode == 1
    (issue,) = state["issues"]
    assert issue["title"] == "Drift detected in live/dev"
    assert "failed, so drift cannot be checked" in issue["body"]
    assert "rate(5 minute)" in issue["body"]
