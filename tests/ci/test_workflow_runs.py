"""The workflows run, step by step in order, against the emulator and a fake GitHub on loopback.

Each test makes a repository like GitHub's (this checkout's files on main), a
change like a pull request's or a merge's, and runs the workflow's jobs the way a
runner would (tests/ci/workflow_runner.py). `make test` and `make lint` of the
pull-request workflow are taken as passed: they are this very test suite.
"""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

from ddb_warmer.build.terragrunt import LIVE, terragrunt
from tests.ci.fake_github import fake_github
from tests.ci.workflow_runner import Runner, commit, git, make_origin

pytestmark = pytest.mark.slow

ACCOUNT = "arn:aws:iam::123456789012:role/ddb-warmer-bootstrap-github"
VARIABLES = {
    "": {"AWS_PLAN_ROLE_ARN": f"{ACCOUNT}-plan", "AWS_REGION": "eu-west-1"},
    "dev": {"AWS_APPLY_ROLE_ARN": f"{ACCOUNT}-apply-dev"},
    "prod": {"AWS_APPLY_ROLE_ARN": f"{ACCOUNT}-apply-prod"},
}
DEV_UNIT = Path("live/dev/warmer/terragrunt.hcl")
SLOWER = 'schedule_expression = "rate(2 minutes)"'


@pytest.fixture
def github():
    with fake_github() as (client, state):
        yield client, state


@pytest.fixture
def origin(tmp_path):
    """GitHub's copy of the repository: main holds this checkout's files."""
    path = tmp_path / "origin"
    make_origin(path)
    return path


@pytest.fixture
def dev_cleanup(emulator_env):
    yield
    terragrunt(["run", "--all", "destroy"], LIVE / "dev", emulator_env)


def runner(workflow, origin, tmp_path, emulator_env, github, sha, **event) -> Runner:
    client, _ = github
    return Runner(
        workflow=workflow,
        event_name=event.pop("event_name"),
        event=event,
        sha=sha,
        origin=origin,
        work=tmp_path / f"runner-{sha[:8]}-{workflow}",
        env=emulator_env,
        github_api=client.api,
        variables=VARIABLES,
        # No registry on this machine: the bootstrap finds the provider mirror instead.
        overrides={"DDB_WARMER_PROVIDER_MIRROR": None},
        ref=event.pop("ref", "refs/heads/main"),
        base_ref=event.pop("base_ref", ""),
    )


def change(origin: Path, path: Path, old: str, new: str, message: str) -> str:
    file = origin / path
    text = file.read_text()
    assert old in text, (path, old)
    file.write_text(text.replace(old, new))
    return commit(origin, message)


def pull_request(origin, tmp_path, emulator_env, github, sha, fork=False) -> Runner:
    head_repo = "mallory/ddb-warmer" if fork else "acme/ddb-warmer"
    return runner(
        "pull-request.yml",
        origin,
        tmp_path,
        emulator_env,
        github,
        sha,
        event_name="pull_request",
        ref="refs/pull/7/merge",
        base_ref="main",
        pull_request={"number": 7, "head": {"sha": sha, "repo": {"full_name": head_repo}}, "base": {"ref": "main"}},
    )


def push(origin, tmp_path, emulator_env, github, before, sha) -> Runner:
    _, state = github
    state["main"] = sha
    return runner("apply.yml", origin, tmp_path, emulator_env, github, sha, event_name="push", before=before, after=sha)


def step_names(run) -> list[str]:
    return [name for name, _ in run.steps]


def run_pr(run: Runner):
    return run.run(only=["affected", "plan", "pull-request"], assume={"test": "success", "lint": "success"})


# --- pull request ---------------------------------------------------------


def test_a_pull_request_gets_a_comment_with_its_commit_warnings_and_plan_artifact(
    origin, tmp_path, emulator_env, github
):
    _, state = github
    git(origin, "checkout", "-q", "-b", "slower-dev")
    sha = change(origin, DEV_UNIT, 'schedule_expression = "rate(1 minute)"', SLOWER, "dev: tick every 2 minutes")

    run = pull_request(origin, tmp_path, emulator_env, github, sha)
    jobs = run_pr(run)

    assert jobs["affected"].outputs == {"environments": '["dev"]', "fork": "false"}
    (plan,) = jobs["plan"].legs
    assert plan.result == "success", plan.log
    assert step_names(plan) == [
        "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1",
        "jdx/mise-action@3c2e0cf82a5b2e5249f0d3635a4d83d0ae861518",
        "make bootstrap",
        "aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c",
        "terragrunt run --all plan (no state lock)",
        "checkov on the plan",
        "keep the plans",
        "sticky plan comment",
        "mark the comment outdated (the job failed before planning)",
    ]
    assert [outcome for _, outcome in plan.steps] == ["success"] * 8 + ["skipped"]
    assert plan.roles == [f"{ACCOUNT}-plan"] and plan.environment is None
    assert jobs["pull-request"].result == "success"
    # The artifact holds each unit's plan file, at the unit's path.
    artifact = run.artifacts / "plan-dev"
    assert (artifact / "warmer" / "tfplan.tfplan").stat().st_size > 1000
    assert json.loads((artifact / "results.json").read_text())[0]["unit"] == "dev/warmer"
    # One comment, for dev only: its commit, the warning above the plan, the artifact's link.
    (comment,) = [c for c in state["comments"] if c["issue"] == 7]
    body = comment["body"]
    assert body.startswith("<!-- ddb-warmer-plan:dev -->")
    assert f"For commit `{sha}`, planned 20" in body
    assert "Terraform warnings (1)" in body, body[: body.index("<details>")]
    warning = body.index("rate(2 minutes) is slower than once a minute")
    assert warning < body.index("<details><summary>plan: <code>dev/warmer</code>")
    assert "| `dev/warmer` | 12 to add, 0 to change, 0 to destroy |" in body
    assert "/actions/runs/4242/artifacts/" in body

    # The next push takes the change back out: the dev comment is marked outdated.
    change(origin, DEV_UNIT, SLOWER, 'schedule_expression = "rate(1 minute)"', "dev: back to every minute")
    (origin / "README.md").write_text((origin / "README.md").read_text() + "\n")
    again = commit(origin, "README only")
    jobs = run_pr(pull_request(origin, tmp_path, emulator_env, github, again))

    assert jobs["affected"].outputs["environments"] == "[]"
    assert jobs["plan"].result == "skipped" and jobs["pull-request"].result == "success"
    (comment,) = [c for c in state["comments"] if c["issue"] == 7]
    assert f"**Outdated** since commit `{again}`" in comment["body"]
    assert "no longer changes `live/dev`" in comment["body"]
    assert comment["body"].startswith("<!-- ddb-warmer-plan:dev -->")


def test_a_fork_pull_request_gets_a_notice_instead_of_a_failing_plan(origin, tmp_path, emulator_env, github):
    _, state = github
    git(origin, "checkout", "-q", "-b", "from-a-fork")
    sha = change(origin, DEV_UNIT, 'schedule_expression = "rate(1 minute)"', SLOWER, "dev: slower")

    jobs = run_pr(pull_request(origin, tmp_path, emulator_env, github, sha, fork=True))

    assert jobs["affected"].outputs == {"environments": '["dev"]', "fork": "true"}
    assert jobs["plan"].result == "skipped"
    summary = jobs["pull-request"]
    assert summary.result == "success", summary.log
    assert "Pull requests from forks get no AWS credentials" in summary.summary
    assert "::notice title=No plan for a fork::" in summary.log
    assert state["comments"] == []


# --- merge ------------------------------------------------------------------


def merge(origin: Path, old: str, new: str) -> tuple[str, str]:
    before = git(origin, "rev-parse", "HEAD")
    return before, change(origin, DEV_UNIT, old, new, "Merge pull request #7")


def function_exists(emulator_env) -> bool:
    client = boto3.client(
        "lambda",
        endpoint_url=emulator_env["AWS_ENDPOINT_URL"],
        region_name="eu-west-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    return any(f["FunctionName"] == "ddb-warmer-dev-warmer" for f in client.list_functions()["Functions"])


def test_a_merge_plans_then_applies_exactly_those_plans_in_the_environment(
    origin, tmp_path, emulator_env, github, dev_cleanup
):
    _, state = github
    before, sha = merge(origin, "log_retention_days  = 14", "log_retention_days  = 30")
    state["pulls"][sha] = 7

    run = push(origin, tmp_path, emulator_env, github, before, sha)
    jobs = run.run()

    assert jobs["affected"].outputs == {"environments": '["dev"]'}
    (plan,) = jobs["plan"].legs
    (apply,) = jobs["apply"].legs
    (doctor,) = jobs["doctor"].legs
    assert [j.result for j in (plan, apply, doctor)] == ["success"] * 3, (plan.log, apply.log, doctor.log)
    # Who ran where, with which role: only the apply job is in the Environment (its approval gate).
    assert (plan.environment, apply.environment, doctor.environment) == (None, "dev", None)
    assert plan.roles == [f"{ACCOUNT}-plan"] and doctor.roles == [f"{ACCOUNT}-plan"]
    assert apply.roles == [f"{ACCOUNT}-apply-dev"]
    assert step_names(apply)[3:] == [
        "the reviewed plans",
        "aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c",
        "terragrunt run --all apply of the saved plans",
        "report on the merged pull request",
    ]
    # The approver sees the plan and its warnings in the plan job's summary.
    assert "| `dev/warmer` | 12 to add, 0 to change, 0 to destroy |" in plan.summary
    assert f"For commit `{sha}`" in plan.summary
    # Applied: the saved plan file, not a new plan (Terraform prints the actions only when it plans).
    assert "Terraform will perform the following actions" not in apply.log
    assert f"--out-dir {apply_plans(run)}" in apply.log
    applied = json.loads((Path(apply_plans(run)) / "apply.json").read_text())
    assert applied == [{"unit": "dev/warmer", "ok": True, "added": 12, "changed": 0, "destroyed": 0, "error": ""}]
    assert function_exists(emulator_env)
    (comment,) = [c for c in state["comments"] if c["issue"] == 7]
    assert f"Apply of `live/dev` at `{sha}`" in comment["body"]
    assert "| `dev/warmer` | 12 added, 0 changed, 0 destroyed |" in comment["body"]
    assert state["issues"] == []


def apply_plans(run: Runner) -> str:
    return str(run.work / "workspaces" / "apply-dev-" / "plans" / "dev")


def test_a_stale_plan_is_refused_with_a_clear_message_and_an_issue(origin, tmp_path, emulator_env, github, dev_cleanup):
    _, state = github
    before, sha = merge(origin, "log_retention_days  = 14", "log_retention_days  = 30")
    state["pulls"][sha] = 7
    run = push(origin, tmp_path, emulator_env, github, before, sha)
    run.run(only=["affected", "plan"])
    # Between the plan and its approval, something else applies dev: the state changes.
    terragrunt(["run", "--all", "apply"], LIVE / "dev", emulator_env)

    jobs = run.run(only=["apply"])

    (apply,) = jobs["apply"].legs
    assert apply.result == "failure"
    (result,) = json.loads((Path(apply_plans(run)) / "apply.json").read_text())
    assert not result["ok"]
    assert result["error"].startswith("the saved plan is stale: the state changed after it was made")
    assert "Saved plan is stale" in result["error"]  # Terraform's own words, kept under ours
    (issue,) = state["issues"]
    assert issue["title"] == "Apply failed: live/dev" and issue["labels"] == ["apply-failed"]
    assert "the saved plan is stale" in issue["body"]
    (comment,) = [c for c in state["comments"] if c["issue"] == 7]
    assert "❌ Apply of `live/dev`" in comment["body"]


def test_an_old_run_or_a_missing_plan_applies_nothing(origin, tmp_path, emulator_env, github, dev_cleanup):
    _, state = github
    before, sha = merge(origin, "log_retention_days  = 14", "log_retention_days  = 30")
    run = push(origin, tmp_path, emulator_env, github, before, sha)
    run.run(only=["affected", "plan"])

    # A newer merge landed while this run waited for its approval.
    state["main"] = "f" * 40
    jobs = run.run(only=["apply"])
    (apply,) = jobs["apply"].legs
    (result,) = json.loads((Path(apply_plans(run)) / "apply.json").read_text())
    assert apply.result == "failure"
    assert f"this run is for commit {sha[:12]}, but main is now at ffffffffffff" in result["error"]

    # Main is this commit again, but the artifact lacks the unit's plan.
    state["main"] = sha
    (run.artifacts / "plan-dev" / "warmer" / "tfplan.tfplan").unlink()
    del run.jobs["apply"]
    jobs = run.run(only=["apply"])
    (result,) = json.loads((Path(apply_plans(run)) / "apply.json").read_text())
    assert "no saved plan for dev/warmer" in result["error"] and "only reviewed plans are applied" in result["error"]
    assert not function_exists(emulator_env)


def test_a_readme_only_merge_plans_nothing_and_asks_for_no_approval(origin, tmp_path, emulator_env, github):
    before = git(origin, "rev-parse", "HEAD")
    (origin / "README.md").write_text((origin / "README.md").read_text() + "\nA typo fixed.\n")
    sha = commit(origin, "README: a typo")

    jobs = push(origin, tmp_path, emulator_env, github, before, sha).run()

    assert jobs["affected"].outputs == {"environments": "[]"}
    assert {name: job.result for name, job in jobs.items()} == {
        "affected": "success",
        "plan": "skipped",
        "apply": "skipped",  # the only job in a GitHub Environment: no approval is asked
        "doctor": "skipped",
    }


# --- drift ------------------------------------------------------------------


def test_a_drift_plan_that_fails_opens_the_drift_issue(origin, tmp_path, emulator_env, github):
    _, state = github
    sha = git(origin, "rev-parse", "HEAD")
    broken = {**emulator_env, "TF_VAR_schedule_expression": "rate(5 minute)"}  # fails the module's validation
    run = runner("drift.yml", origin, tmp_path, broken, github, sha, event_name="schedule")

    jobs = run.run()

    assert jobs["environments"].outputs == {"environments": '["dev", "prod"]'}
    assert [leg.result for leg in jobs["drift"].legs] == ["failure", "failure"]
    assert all(leg.roles == [f"{ACCOUNT}-plan"] for leg in jobs["drift"].legs)
    titles = sorted(i["title"] for i in state["issues"])
    assert titles == ["Drift detected in live/dev", "Drift detected in live/prod"]
    assert all("failed, so drift cannot be checked" in i["body"] for i in state["issues"])
    assert (run.artifacts / "drift-dev" / "results.json").exists()
