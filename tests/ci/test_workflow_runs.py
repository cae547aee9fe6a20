"""The two workflow runs that hold the end-to-end promises, step by step in order, against the emulator and a
fake GitHub on loopback: one pull request and one merge.

Each test makes a repository like GitHub's (this checkout's files on main, with the fixture tree
tests/ci/fixtures/workflow-live as its live/: dev, staging and a two-region prod, in three accounts), a change
like a pull request's or a merge's, and runs the workflow's jobs the way a runner would
(tests/ci/workflow_runner.py). `make test`, `make test-config` and `make lint` of the pull-request workflow
stand in as passed when the workflow would run them: they are this very test suite.

Every other promise of the workflows is held where it is cheapest: which job runs for which outcome, in
tests/ci/test_workflow_wiring.py (the workflows' own `if:` and `needs:`, by the runner's evaluator); what a
step's script does, in tests/ci/test_workflow_scripts.py, tests/ci/test_doctor_workflow.py and
tests/ci/test_advise_workflow.py (the script called as its step calls it).
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from ddb_warmer.local.emulator import running_emulator
from ddb_warmer.local.seed import seed_live
from tests.checkout_copy import READ_ONLY_INIT
from tests.ci.workflow_fixture import DEV, FIXTURE, PROD, STAGING, ci_script, fixture_repository, github_env
from tests.ci.workflow_runner import Runner, commit, git

pytestmark = pytest.mark.slow

# No role-ARN variables: each job finds its roles from the environment's account (ddb_warmer/ci/roles.py).
VARIABLES: dict = {}
DEV_UNIT = Path("live/dev/warmer/terragrunt.hcl")
SLOWER = 'schedule_expression = "rate(2 minutes)"'


def runner(workflow, origin, tmp_path, emulator_env, github, sha, **event) -> Runner:
    client, _ = github
    return Runner(
        workflow=workflow,
        event_name=event.pop("event_name"),
        event=event,
        sha=sha,
        origin=origin,
        work=tmp_path / f"runner-{sha[:8]}-{workflow}",
        # The fixture repository's lock files pin the version only (tests/checkout_copy.py).
        env={**emulator_env, **READ_ONLY_INIT},
        github_api=client.api,
        variables=VARIABLES,
        secrets={"DDB_WARMER_SETTINGS_TOKEN": "a token that may read the settings"},
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


def pull_request(origin, tmp_path, emulator_env, github, sha) -> Runner:
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
        pull_request={
            "number": 7,
            "head": {"sha": sha, "repo": {"full_name": "acme/ddb-warmer"}},
            "base": {"ref": "main", "sha": git(origin, "rev-parse", "main")},
        },
    )


def push(origin, tmp_path, emulator_env, github, before, sha) -> Runner:
    _, state = github
    state["main"] = sha
    return runner("apply.yml", origin, tmp_path, emulator_env, github, sha, event_name="push", before=before, after=sha)


def terraform_adds(text: str) -> int:
    """What Terraform's own plan, shown in a comment or summary, says it will add: a unit of the fixture
    is planned from nothing, so the summary row must say the same."""
    return int(re.search(r"Plan: (\d+) to add, 0 to change, 0 to destroy\.", text).group(1))


def step_names(run) -> list[str]:
    return [name for name, _ in run.steps]


# `make test`, `make test-config` and `make lint` are this very test suite: each stands in as passed
# when the workflow would run it.
SUITES_PASS = {"test": "success", "config-tests": "success", "lint": "success"}


# --- pull request ---------------------------------------------------------


def test_a_pull_request_gets_a_comment_with_its_commit_warnings_and_plan_artifact(
    origin, tmp_path, emulator_env, github
):
    """The one pull-request run: a change to live/ alone is planned and checked (checkov) with the plan role
    of its environment's account, without the full suite; the comment, posted from the base branch's code by
    a job without an AWS role, gives the commit, the warnings above the plan and the artifact of plan files.
    A later push that no longer changes the environment marks its comment outdated."""
    client, state = github
    git(origin, "checkout", "-q", "-b", "slower-dev")
    sha = change(origin, DEV_UNIT, 'schedule_expression = "rate(1 minute)"', SLOWER, "dev: tick every 2 minutes")

    run = pull_request(origin, tmp_path, emulator_env, github, sha)
    jobs = run.run(only=["affected", "plan", "comment", "pull-request"], stand_in=SUITES_PASS)

    assert jobs["affected"].outputs == {"environments": '["dev"]', "code": "false", "fork": "false"}
    # A change to live/ alone: lint and the configuration tests, not the full suite.
    assert jobs["test"].result == "skipped"
    assert jobs["config-tests"].stood_in and jobs["lint"].stood_in
    (plan,) = jobs["plan"].legs
    assert plan.result == "success", plan.log
    assert step_names(plan) == [
        "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1",
        "jdx/mise-action@3c2e0cf82a5b2e5249f0d3635a4d83d0ae861518",
        "make bootstrap",
        "the environment's account, roles and regions (live/)",
        "aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c",
        "terragrunt run --all plan (no state lock)",
        "checkov on the plan",
        "keep the plans",
        "where the plans are, for the comment",
        "keep the link",
    ]
    assert [outcome for _, outcome in plan.steps] == ["success"] * 10
    assert plan.roles == [DEV.plan_role_arn] and plan.environment is None
    # The comment comes from the job that runs the base branch's code and holds no AWS role.
    assert jobs["comment"].result == "success" and jobs["comment"].roles == [], jobs["comment"].log
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
    assert f"| `dev/warmer` | {terraform_adds(body)} to add, 0 to change, 0 to destroy |" in body
    assert "/actions/runs/4242/artifacts/" in body

    # The next push takes the change back out: the affected job's script then lists no environment (so no
    # plan job runs: tests/ci/test_workflow_wiring.py), and the pull-request job's script marks the dev
    # comment outdated.
    change(origin, DEV_UNIT, SLOWER, 'schedule_expression = "rate(1 minute)"', "dev: back to every minute")
    (origin / "README.md").write_text((origin / "README.md").read_text() + "\n")
    again = commit(origin, "README only")
    affected = ci_script(origin, "affected", "--base", "main", env=emulator_env)
    assert affected.returncode == 0 and affected.stdout.strip() == "[]", affected.stderr
    planned = affected.stdout.strip()
    outdated = ci_script(
        origin, "outdated", "--pull-request", "7", "--sha", again, "--planned", planned,
        env={**emulator_env, **github_env(client.api, again)},
    )  # fmt: skip
    assert outdated.returncode == 0, outdated.stderr
    (comment,) = [c for c in state["comments"] if c["issue"] == 7]
    assert f"**Outdated** since commit `{again}`" in comment["body"]
    assert "no longer changes `live/dev`" in comment["body"]
    assert comment["body"].startswith("<!-- ddb-warmer-plan:dev -->")


# --- merge: promotion across accounts and regions ------------------------------------------------


def function_exists(emulator, env=DEV, region: str | None = None) -> bool:
    client = emulator.session(env.account, region or env.regions[0]).client("lambda")
    return any(f["FunctionName"] == f"ddb-warmer-{env.name}-warmer" for f in client.list_functions()["Functions"])


def apply_plans(run: Runner) -> Path:
    return run.work / "workspaces" / "apply-dev-" / "plans" / "dev"


@pytest.fixture
def own_emulator(tools_env):
    """A moto server of this test's own, seeded with the fixture's environments: what the merge applies goes
    with it when it stops, so nothing is destroyed afterwards."""
    with running_emulator(name="moto-merge") as emulator:
        seed_live(emulator, FIXTURE)
        yield emulator


@pytest.mark.timeout(1800)  # two environments, three units: plans, applies and doctors
def test_a_merge_applies_exactly_its_reviewed_plans_in_promotion_order_with_each_accounts_roles(
    tmp_path, own_emulator, github
):
    """The one merge run: a change to dev and prod, not to staging between them (prod applies after staging,
    staging after dev): dev, then prod, each with the roles of its own account, staging left alone,
    only the apply job in the GitHub Environment, the saved plans applied (not new ones), each apply reported
    on the merged pull request; prod's doctor checks both its regions. Then its apply job, re-run, refuses
    before Terraform runs a run older than main's head and an artifact without the unit's plan, and refuses
    a stale plan (the state changed after it was made, here by the run's own apply) with a clear message, an
    issue, a comment and a fresh run; each failure of dev stops prod."""
    emulator = own_emulator
    _, state = github
    origin = fixture_repository(tmp_path / "origin")
    before = git(origin, "rev-parse", "HEAD")
    for name in (DEV.name, PROD.name):
        env_hcl = origin / "live" / name / "env.hcl"
        env_hcl.write_text(env_hcl.read_text() + "\n# a change of this environment\n")
    sha = commit(origin, "Merge pull request #8")
    state["pulls"][sha] = 8
    run = push(origin, tmp_path, emulator.env(), github, before, sha)
    jobs = run.run()

    assert jobs["affected"].outputs == {"environments": '["dev", "prod"]'}
    assert jobs["settings"].result == "success" and "0 to set" not in jobs["settings"].log, jobs["settings"].log
    order = [leg.name for leg in jobs["apply"].legs]
    assert order == ["apply (dev)", "apply (prod)"]
    for job in ("plan", "apply", "doctor"):
        assert [leg.result for leg in jobs[job].legs] == ["success"] * 2, [leg.log for leg in jobs[job].legs]
    assert [leg.roles for leg in jobs["plan"].legs] == [[e.plan_role_arn] for e in (DEV, PROD)]
    assert [leg.roles for leg in jobs["apply"].legs] == [[e.apply_role_arn] for e in (DEV, PROD)]
    assert [leg.roles for leg in jobs["doctor"].legs] == [[e.plan_role_arn] for e in (DEV, PROD)]
    # Only the apply job is in the Environment (its approval gate).
    assert [leg.environment for leg in jobs["plan"].legs + jobs["doctor"].legs] == [None] * 4
    assert [leg.environment for leg in jobs["apply"].legs] == ["dev", "prod"]
    plan, apply = jobs["plan"].legs[0], jobs["apply"].legs[0]
    # No bootstrap in the job that holds the apply role: checkout and mise's three tools, then the plans.
    assert step_names(apply)[2:] == [
        "the reviewed plans",
        "the environment's account, roles and regions (live/)",
        "main's head on GitHub",
        "aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c",
        "terragrunt run --all apply of the saved plans",
        "keep the state Terraform could not save",
        "keep the apply results for the report",
    ]
    # The approver sees the plan and its warnings in the plan job's summary.
    added = terraform_adds(plan.summary)
    assert f"| `dev/warmer` | {added} to add, 0 to change, 0 to destroy |" in plan.summary
    assert f"For commit `{sha}`" in plan.summary
    # Applied: the saved plan file, not a new plan (Terraform prints the actions only when it plans).
    assert "Terraform will perform the following actions" not in apply.log
    assert f"--out-dir {apply_plans(run)}" in apply.log
    applied = json.loads((apply_plans(run) / "apply.json").read_text())
    expected = {"unit": "dev/warmer", "ok": True, "added": added, "changed": 0, "destroyed": 0, "error": ""}
    assert applied == [expected]
    # prod has a warmer per region: both deployed in prod's account, and doctor checked each region
    # (not one doctor without --region, which cannot tell which of prod's regions to check).
    assert function_exists(emulator)
    assert all(function_exists(emulator, PROD, region) for region in PROD.regions)
    assert not function_exists(emulator, STAGING)  # not changed by the merge: neither planned nor applied
    prod_doctor = jobs["doctor"].legs[1].log
    assert [f"::group::doctor: live/prod in {region}" in prod_doctor for region in PROD.regions] == [True, True]
    assert "pick one with --region" not in prod_doctor
    # Each environment is in its own account: prod's function is not in dev's.
    assert not function_exists(emulator, replace(PROD, account=DEV.account))
    # Only the report job, which holds no AWS role, writes to GitHub: each environment's apply on the
    # merged pull request, in order.
    assert jobs["report"].result == "success" and jobs["report"].roles == []
    comments = [c["body"] for c in state["comments"] if c["issue"] == 8]
    assert len(comments) == 2 and state["issues"] == []
    for environment, body in zip((DEV, PROD), comments, strict=True):
        assert f"Apply of `live/{environment.name}` at `{sha}`" in body
    assert f"| `dev/warmer` | {added} added, 0 changed, 0 destroyed |" in comments[0]

    # --- the apply job re-run: each time dev's apply refuses, and prod never runs ---
    stopped = [("apply (prod)", "cancelled")]

    def apply_again(only=("apply",)):
        for job in only:
            run.jobs.pop(job, None)
        jobs = run.run(only=list(only))
        assert [(leg.name, leg.result) for leg in jobs["apply"].legs] == [("apply (dev)", "failure"), *stopped]
        (result,) = json.loads((apply_plans(run) / "apply.json").read_text())
        assert not result["ok"]
        return jobs, result["error"]

    # A newer merge landed while this run waited for its approval: refused before Terragrunt runs.
    state["main"] = "f" * 40
    jobs, error = apply_again()
    assert f"this run is for commit {sha[:12]}, but main is now at ffffffffffff" in error
    assert "$ terragrunt run --all apply" not in jobs["apply"].legs[0].log

    # Main is this commit again, but the artifact lacks the unit's plan: refused before Terragrunt runs.
    state["main"] = sha
    saved = run.artifacts / "plan-dev" / "warmer" / "tfplan.tfplan"
    plan_bytes = saved.read_bytes()
    saved.unlink()
    jobs, error = apply_again()
    assert "no saved plan for dev/warmer" in error and "only reviewed plans are applied" in error
    assert "$ terragrunt run --all apply" not in jobs["apply"].legs[0].log
    saved.write_bytes(plan_bytes)

    # The reviewed plan again, but dev's state changed since it was made (the run's own apply above).
    jobs, error = apply_again(only=("apply", "report"))
    assert error.startswith("the saved plan is stale: the state changed after it was made")
    assert "Saved plan is stale" in error  # Terraform's own words, kept under ours
    # Reported: dev failed (its issue and its comment); prod never ran (nothing said of it).
    (issue,) = state["issues"]
    assert issue["title"] == "Apply failed: live/dev" and issue["labels"] == ["apply-failed"]
    assert "the saved plan is stale" in issue["body"]
    comments = [c["body"] for c in state["comments"] if c["issue"] == 8]
    assert len(comments) == 3 and "❌ Apply of `live/dev`" in comments[-1]
    # The report job, not the apply job, starts the fresh run that plans from the new state.
    assert state["dispatches"] == [("apply.yml", "main")]
    assert jobs["report"].result == "success" and jobs["report"].roles == []
