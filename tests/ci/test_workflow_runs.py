"""The workflows run, step by step in order, against the emulator and a fake GitHub on loopback.

Each test makes a repository like GitHub's (this checkout's files on main, with the
fixture tree tests/ci/fixtures/workflow-live as its live/: dev, staging and a
two-region prod, in three accounts), a change like a pull request's or a merge's,
and runs the workflow's jobs the way a runner would (tests/ci/workflow_runner.py).
`make test`, `make test-config` and `make lint` of the pull-request workflow stand
in as passed when the workflow would run them: they are this very test suite.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from ddb_warmer.build.live import environment
from ddb_warmer.build.terragrunt import terragrunt
from ddb_warmer.ci.affected import environments
from ddb_warmer.local.seed import seed_live
from tests.ci.fake_github import fake_github
from tests.ci.test_check_github import configured
from tests.ci.workflow_runner import Runner, commit, git, make_origin

pytestmark = pytest.mark.slow

FIXTURE = Path(__file__).parent / "fixtures" / "workflow-live"
DEV, STAGING, PROD = (environment(name, FIXTURE) for name in ("dev", "staging", "prod"))
# No role-ARN variables: each job finds its roles from the environment's account (ddb_warmer/ci/roles.py).
VARIABLES: dict = {}
DEV_UNIT = Path("live/dev/warmer/terragrunt.hcl")
SLOWER = 'schedule_expression = "rate(2 minutes)"'
RETENTION = "log_retention_days  = 7"  # in the fixture's dev unit


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
    path = tmp_path / "origin"
    make_origin(path)
    for folder in (path / "live").iterdir():
        if folder.name != "_shared":
            shutil.rmtree(folder)
    shutil.copytree(FIXTURE, path / "live", dirs_exist_ok=True)
    commit(path, "live/: the fixture's environments")
    return path


def destroy(origin: Path, emulator, *names: str) -> None:
    for name in names:
        terragrunt(
            ["run", "--all", "destroy"],
            origin / "live" / name,
            emulator.env(account=environment(name, FIXTURE).account),
        )


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
        pull_request={
            "number": 7,
            "head": {"sha": sha, "repo": {"full_name": head_repo}},
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


def run_pr(run: Runner, suites: dict[str, str] = SUITES_PASS):
    return run.run(only=["affected", "plan", "comment", "pull-request"], stand_in=suites)


# --- pull request ---------------------------------------------------------


def test_a_pull_request_gets_a_comment_with_its_commit_warnings_and_plan_artifact(
    origin, tmp_path, emulator_env, github
):
    _, state = github
    git(origin, "checkout", "-q", "-b", "slower-dev")
    sha = change(origin, DEV_UNIT, 'schedule_expression = "rate(1 minute)"', SLOWER, "dev: tick every 2 minutes")

    run = pull_request(origin, tmp_path, emulator_env, github, sha)
    jobs = run_pr(run)

    assert jobs["affected"].outputs == {"environments": '["dev"]', "code": "false", "fork": "false"}
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


TABLES = re.compile(r"\btables\s*=\s*\[")


def a_table_list(origin: Path) -> tuple[str, Path]:
    """(environment, unit file) of the first unit in the checkout's live/ that lists tables."""
    for name in environments(origin / "live"):
        for unit in sorted((origin / "live" / name).rglob("terragrunt.hcl")):
            if ".terragrunt-cache" not in unit.parts and TABLES.search(unit.read_text()):
                return name, unit.relative_to(origin)
    pytest.fail("no unit in live/ lists tables")


def test_a_pull_request_that_only_changes_a_table_list_is_planned_and_checked_without_the_full_suite(
    origin, tmp_path, emulator_env, github
):
    name, unit = a_table_list(origin)
    git(origin, "checkout", "-q", "-b", "one-more-table")
    text = (origin / unit).read_text()
    opening = TABLES.search(text).group(0)
    sha = change(origin, unit, opening, f'{opening}\n    {{ name = "added-in-a-pull-request" }},', "one more table")

    jobs = run_pr(pull_request(origin, tmp_path, emulator_env, github, sha))

    assert jobs["affected"].outputs["code"] == "false"
    assert jobs["affected"].outputs["environments"] == json.dumps([name])
    assert jobs["test"].result == "skipped"  # the full suite does not run
    assert jobs["config-tests"].stood_in and jobs["lint"].stood_in
    (plan,) = jobs["plan"].legs
    assert plan.result == "success", plan.log
    assert ("checkov on the plan", "success") in plan.steps
    assert jobs["pull-request"].result == "success"

    # The same pull request with failing configuration tests fails its required check.
    failed = pull_request(origin, tmp_path, emulator_env, github, sha).run(
        only=["affected", "pull-request"],
        assume={"plan": "success", "comment": "success"},
        stand_in={**SUITES_PASS, "config-tests": "failure"},
    )
    assert failed["pull-request"].result == "failure"


def test_a_pull_request_that_changes_the_handler_runs_the_full_suite_and_plans_every_environment(
    origin, tmp_path, emulator_env, github
):
    git(origin, "checkout", "-q", "-b", "handler-change")
    handler = origin / "lambda_function" / "tick.py"
    handler.write_text(handler.read_text() + "\n# a change to the handler\n")
    sha = commit(origin, "handler: a comment")
    # The plans of every environment are shown by the tests above; here they are taken as made.
    jobs = pull_request(origin, tmp_path, emulator_env, github, sha).run(
        only=["affected", "pull-request"], assume={"plan": "success", "comment": "success"}, stand_in=SUITES_PASS
    )

    assert jobs["affected"].outputs["code"] == "true"
    assert json.loads(jobs["affected"].outputs["environments"]) == environments(origin / "live")
    assert jobs["test"].stood_in and jobs["test"].result == "success"  # make test: every test
    assert jobs["config-tests"].result == "skipped"  # make test holds them
    assert jobs["lint"].stood_in
    assert jobs["pull-request"].result == "success"

    failed = pull_request(origin, tmp_path, emulator_env, github, sha).run(
        only=["affected", "pull-request"],
        assume={"plan": "success", "comment": "success"},
        stand_in={**SUITES_PASS, "test": "failure"},
    )
    assert failed["pull-request"].result == "failure"


def test_a_fork_pull_request_gets_a_notice_instead_of_a_failing_plan(origin, tmp_path, emulator_env, github):
    _, state = github
    git(origin, "checkout", "-q", "-b", "from-a-fork")
    sha = change(origin, DEV_UNIT, 'schedule_expression = "rate(1 minute)"', SLOWER, "dev: slower")

    jobs = run_pr(pull_request(origin, tmp_path, emulator_env, github, sha, fork=True))

    assert jobs["affected"].outputs == {"environments": '["dev"]', "code": "false", "fork": "true"}
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


def function_exists(emulator, env=DEV, region: str | None = None) -> bool:
    client = emulator.session(env.account, region or env.regions[0]).client("lambda")
    return any(f["FunctionName"] == f"ddb-warmer-{env.name}-warmer" for f in client.list_functions()["Functions"])


def test_a_merge_without_the_settings_token_stops_before_planning_and_names_the_secret(
    origin, tmp_path, emulator_env, github
):
    """The settings every approval rests on are checked before the first environment: no token, no plan
    (unless the repository says DDB_WARMER_SETTINGS_UNCHECKED=true); a missing setting stops it too."""
    before, sha = merge(origin, RETENTION, "log_retention_days  = 30")
    run = push(origin, tmp_path, emulator_env, github, before, sha)
    run.secrets = {}

    jobs = run.run(only=["affected", "settings", "plan"])

    assert jobs["settings"].result == "failure"
    assert "set the repository secret DDB_WARMER_SETTINGS_TOKEN" in jobs["settings"].log
    assert jobs["plan"].result == "skipped"

    _, state = github
    state["settings"][f"/environments/{DEV.name}"]["can_admins_bypass"] = True
    run = push(origin, tmp_path / "again", emulator_env, github, before, sha)
    jobs = run.run(only=["affected", "settings", "plan"])

    assert jobs["settings"].result == "failure" and jobs["plan"].result == "skipped"
    assert f"MISSING  environment {DEV.name}: no admin bypass" in jobs["settings"].log


def apply_plans(run: Runner) -> str:
    return str(run.work / "workspaces" / "apply-dev-" / "plans" / "dev")


def test_a_readme_only_merge_plans_nothing_and_asks_for_no_approval(origin, tmp_path, emulator_env, github):
    before = git(origin, "rev-parse", "HEAD")
    (origin / "README.md").write_text((origin / "README.md").read_text() + "\nA typo fixed.\n")
    sha = commit(origin, "README: a typo")

    jobs = push(origin, tmp_path, emulator_env, github, before, sha).run()

    assert jobs["affected"].outputs == {"environments": "[]"}
    assert {name: job.result for name, job in jobs.items()} == {
        "affected": "success",
        "settings": "skipped",
        "plan": "skipped",
        "apply": "skipped",  # the only job in a GitHub Environment: no approval is asked
        "report": "skipped",
        "doctor": "skipped",
    }


# --- drift ------------------------------------------------------------------


def test_a_drift_plan_that_fails_opens_the_drift_issue(origin, tmp_path, emulator_env, github):
    _, state = github
    sha = git(origin, "rev-parse", "HEAD")
    broken = {**emulator_env, "TF_VAR_schedule_expression": "rate(5 minute)"}  # fails the module's validation
    run = runner("drift.yml", origin, tmp_path, broken, github, sha, event_name="schedule")

    jobs = run.run()

    assert jobs["environments"].outputs == {"environments": '["dev", "staging", "prod"]'}
    assert [leg.result for leg in jobs["drift"].legs] == ["failure", "failure", "failure"]
    # Each environment's plan runs with the plan role of its own account.
    assert [leg.roles for leg in jobs["drift"].legs] == [[e.plan_role_arn] for e in (DEV, STAGING, PROD)]
    titles = sorted(i["title"] for i in state["issues"])
    assert titles == ["Drift detected in live/dev", "Drift detected in live/prod", "Drift detected in live/staging"]
    assert all("failed, so drift cannot be checked" in i["body"] for i in state["issues"])
    assert (run.artifacts / "drift-dev" / "results.json").exists()


# --- promotion across accounts and regions ---------------------------------------------------


@pytest.mark.timeout(1800)  # three environments, four units: plans, applies, doctors and destroys
def test_a_merge_applies_exactly_its_reviewed_plans_in_promotion_order_with_each_accounts_roles(
    origin, tmp_path, emulator, emulator_env, github
):
    """The one merge run that applies: dev, then staging, then prod (apply_after), each with the roles of
    its own account, only the apply job in the GitHub Environment, the saved plans applied (not new ones),
    each apply reported on the merged pull request; prod's doctor checks both its regions."""
    _, state = github
    before = git(origin, "rev-parse", "HEAD")
    shared = origin / "live" / "_shared" / "warmer.hcl"
    shared.write_text(shared.read_text() + "\n# every environment\n")
    sha = commit(origin, "Merge pull request #8")
    state["pulls"][sha] = 8
    try:
        run = push(origin, tmp_path, emulator_env, github, before, sha)
        jobs = run.run()

        assert jobs["affected"].outputs == {"environments": '["dev", "staging", "prod"]'}
        assert jobs["settings"].result == "success" and "0 to set" not in jobs["settings"].log, jobs["settings"].log
        order = [leg.name for leg in jobs["apply"].legs]
        assert order == ["apply (dev)", "apply (staging)", "apply (prod)"]
        for job in ("plan", "apply", "doctor"):
            assert [leg.result for leg in jobs[job].legs] == ["success"] * 3, [leg.log for leg in jobs[job].legs]
        assert [leg.roles for leg in jobs["plan"].legs] == [[e.plan_role_arn] for e in (DEV, STAGING, PROD)]
        assert [leg.roles for leg in jobs["apply"].legs] == [[e.apply_role_arn] for e in (DEV, STAGING, PROD)]
        assert [leg.roles for leg in jobs["doctor"].legs] == [[e.plan_role_arn] for e in (DEV, STAGING, PROD)]
        # Only the apply job is in the Environment (its approval gate).
        assert [leg.environment for leg in jobs["plan"].legs + jobs["doctor"].legs] == [None] * 6
        assert [leg.environment for leg in jobs["apply"].legs] == ["dev", "staging", "prod"]
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
        applied = json.loads((Path(apply_plans(run)) / "apply.json").read_text())
        expected = {"unit": "dev/warmer", "ok": True, "added": added, "changed": 0, "destroyed": 0, "error": ""}
        assert applied == [expected]
        # prod has a warmer per region: both deployed in prod's account, and doctor checked each region
        # (not one doctor without --region, which cannot tell which of prod's regions to check).
        assert function_exists(emulator)
        assert all(function_exists(emulator, PROD, region) for region in PROD.regions)
        prod_doctor = jobs["doctor"].legs[2].log
        assert [f"::group::doctor: live/prod in {region}" in prod_doctor for region in PROD.regions] == [True, True]
        assert "pick one with --region" not in prod_doctor
        # Each environment is in its own account: prod's function is not in dev's.
        assert not function_exists(emulator, replace(PROD, account=DEV.account))
        # Only the report job, which holds no AWS role, writes to GitHub: each environment's apply on the
        # merged pull request, in order.
        assert jobs["report"].result == "success" and jobs["report"].roles == []
        comments = [c["body"] for c in state["comments"] if c["issue"] == 8]
        assert len(comments) == 3 and state["issues"] == []
        for environment, body in zip((DEV, STAGING, PROD), comments, strict=True):
            assert f"Apply of `live/{environment.name}` at `{sha}`" in body
        assert f"| `dev/warmer` | {added} added, 0 changed, 0 destroyed |" in comments[0]
    finally:
        destroy(origin, emulator, "dev", "staging", "prod")


@pytest.mark.timeout(1800)
def test_an_apply_that_cannot_apply_its_reviewed_plan_fails_and_stops_the_environments_after_it(
    origin, tmp_path, emulator, emulator_env, github
):
    """dev's apply refuses, before Terraform changes anything, a run older than main's head and an
    artifact without the unit's plan; it refuses a stale plan (the state changed after it was made) with
    a clear message, an issue, a comment and a fresh run. Each failure stops staging and prod."""
    _, state = github
    before = git(origin, "rev-parse", "HEAD")
    shared = origin / "live" / "_shared" / "warmer.hcl"
    shared.write_text(shared.read_text() + "\n# every environment\n")
    sha = commit(origin, "Merge pull request #9")
    state["pulls"][sha] = 9
    run = push(origin, tmp_path, emulator_env, github, before, sha)
    stopped = [("apply (staging)", "cancelled"), ("apply (prod)", "cancelled")]

    def apply_again(only=("apply",)):
        run.jobs.pop("apply", None)
        jobs = run.run(only=list(only))
        assert [(leg.name, leg.result) for leg in jobs["apply"].legs] == [("apply (dev)", "failure"), *stopped]
        (result,) = json.loads((Path(apply_plans(run)) / "apply.json").read_text())
        assert not result["ok"]
        return jobs, result["error"]

    try:
        run.run(only=["affected", "settings", "plan"])

        # A newer merge landed while this run waited for its approval.
        state["main"] = "f" * 40
        _, error = apply_again()
        assert f"this run is for commit {sha[:12]}, but main is now at ffffffffffff" in error

        # Main is this commit again, but the artifact lacks the unit's plan.
        state["main"] = sha
        saved = run.artifacts / "plan-dev" / "warmer" / "tfplan.tfplan"
        plan_bytes = saved.read_bytes()
        saved.unlink()
        _, error = apply_again()
        assert "no saved plan for dev/warmer" in error and "only reviewed plans are applied" in error
        assert not function_exists(emulator)
        saved.write_bytes(plan_bytes)

        # Between the plan and its approval, something else applies dev: the state changes.
        terragrunt(["run", "--all", "apply"], origin / "live" / "dev", emulator.env(account=DEV.account))
        jobs, error = apply_again(only=("apply", "report"))
        assert error.startswith("the saved plan is stale: the state changed after it was made")
        assert "Saved plan is stale" in error  # Terraform's own words, kept under ours
        assert not any(function_exists(emulator, PROD, region) for region in PROD.regions)
        # Reported: dev failed (its issue and its comment); staging and prod never ran (nothing said of them).
        (issue,) = state["issues"]
        assert issue["title"] == "Apply failed: live/dev" and issue["labels"] == ["apply-failed"]
        assert "the saved plan is stale" in issue["body"]
        (comment,) = [c for c in state["comments"] if c["issue"] == 9]
        assert "❌ Apply of `live/dev`" in comment["body"]
        # The report job, not the apply job, starts the fresh run that plans from the new state.
        assert state["dispatches"] == [("apply.yml", "main")]
        assert jobs["report"].result == "success" and jobs["report"].roles == []
    finally:
        destroy(origin, emulator, "dev")
