"""Which job of a workflow runs for which outcome of the jobs before it, read from the workflows themselves.

The workflows' own `if:`, `needs:` and step conditions are decided by the local runner's evaluator
(tests/ci/workflow_runner.py), the one the workflow runs use: the jobs a promise starts from are given
with their results and outputs, every later job is decided as a runner decides it and stands in for its
steps. A step these promises rest on (the pull request's required check, its fork notice) runs as the
runner runs it, in bash. What the steps' scripts answer is tested by calling them
(tests/ci/test_workflow_scripts.py); the two runs through every step are tests/ci/test_workflow_runs.py.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.ci.workflow_runner import WORKFLOWS, Expression, JobRun, Runner, holds, text

SHA = "0123456789abcdef0123456789abcdef01234567"


def workflow(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def pull_request_event(head_repository: str = "acme/ddb-warmer") -> dict:
    return {
        "pull_request": {
            "number": 7,
            "head": {"sha": SHA, "repo": {"full_name": head_repository}},
            "base": {"ref": "main", "sha": "f" * 40},
        }
    }


def decide(
    tmp_path: Path,
    name: str,
    given: dict[str, JobRun],
    results: dict[str, str] | None = None,
    event_name: str = "pull_request",
    event: dict | None = None,
) -> Runner:
    """The run of workflow `name` once the `given` jobs ended as they say: every other job decided by its
    `needs` and `if`, and, when it would run, ending as `results` says (success unless named)."""
    run = Runner(
        workflow=name,
        event_name=event_name,
        event=event if event is not None else pull_request_event(),
        sha=SHA,
        origin=tmp_path / "no-checkout",  # no job runs its steps here
        work=tmp_path / "runner",
        env={},
        github_api="http://127.0.0.1:9",
    )
    run.jobs.update(given)
    stand_in = {job: (results or {}).get(job, "success") for job in run.definition["jobs"] if job not in given}
    run.run(stand_in=stand_in)
    return run


def affected(**outputs: str) -> dict[str, JobRun]:
    return {"affected": JobRun("affected", "success", outputs=outputs)}


def merge(tmp_path: Path, environments: str, results: dict[str, str] | None = None) -> Runner:
    """The apply workflow's run for a merge to main (a push) whose affected job lists `environments` (JSON),
    the other jobs ending as `results` says."""
    return decide(tmp_path, "apply.yml", affected(environments=environments), results, event_name="push", event={})


def job_contexts(run: Runner, job_id: str) -> dict:
    needs = run.definition["jobs"][job_id].get("needs", [])
    needs = [needs] if isinstance(needs, str) else needs
    return {
        "github": run.github_context(),
        "needs": {n: {"result": run.jobs[n].result, "outputs": run.jobs[n].outputs} for n in needs},
        "vars": {},
        "secrets": {},
        "matrix": {},
        "steps": {},
    }


def run_step(run: Runner, job_id: str, step_name: str, tmp_path: Path) -> tuple[bool, subprocess.CompletedProcess]:
    """(whether the step runs, what its script did): one `run:` step of `job_id`, with the job's env, as the
    runner runs it, its needs being the decided run's jobs."""
    job = run.definition["jobs"][job_id]
    (step,) = [s for s in job["steps"] if s.get("name") == step_name]
    evaluate = Expression(job_contexts(run, job_id), tmp_path, {"success": True})
    summary = tmp_path / f"{job_id}-summary.md"
    summary.write_text("")
    env = {k: text(evaluate.render(v)) for k, v in job.get("env", {}).items()}
    env.update(GITHUB_STEP_SUMMARY=str(summary), PATH="/usr/bin:/bin")
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", evaluate.render(step["run"])],
        env=env,
        capture_output=True,
        text=True,
    )
    done.stdout += summary.read_text()
    return holds(step.get("if"), evaluate), done


def required_check(run: Runner, tmp_path: Path) -> bool:
    """Whether the job named "pull request" passes: its last step, given the results of every job it needs."""
    assert run.jobs["pull-request"].stood_in  # it always runs (`always()`)
    runs, done = run_step(run, "pull-request", "every job passed (a skipped plan is no failure)", tmp_path)
    assert runs
    return done.returncode == 0


# --- pull requests ------------------------------------------------------------------------------------


def test_a_pull_request_that_changes_only_live_runs_lint_the_configuration_tests_and_the_plan_not_the_suite(
    tmp_path,
):
    run = decide(tmp_path, "pull-request.yml", affected(environments='["dev"]', code="false", fork="false"))

    assert run.jobs["test"].result == "skipped"  # the full suite does not run
    assert all(run.jobs[job].stood_in for job in ("config-tests", "lint", "plan", "comment", "pull-request"))
    assert required_check(run, tmp_path)

    # The same pull request with failing configuration tests fails its required check.
    failed = decide(
        tmp_path / "failed",
        "pull-request.yml",
        affected(environments='["dev"]', code="false", fork="false"),
        results={"config-tests": "failure"},
    )
    assert not required_check(failed, tmp_path)


def test_a_pull_request_that_changes_the_handler_runs_the_full_suite_and_plans_every_environment(tmp_path):
    every = json.dumps(["dev", "staging", "prod"])
    run = decide(tmp_path, "pull-request.yml", affected(environments=every, code="true", fork="false"))

    assert run.jobs["test"].stood_in and run.jobs["test"].result == "success"  # make test: every test
    assert run.jobs["config-tests"].result == "skipped"  # make test holds them
    assert run.jobs["lint"].stood_in and run.jobs["plan"].stood_in
    matrix = workflow("pull-request.yml")["jobs"]["plan"]["strategy"]["matrix"]
    assert matrix == {"environment": "${{ fromJSON(needs.affected.outputs.environments) }}"}  # each one listed
    assert required_check(run, tmp_path)

    failed = decide(
        tmp_path / "failed",
        "pull-request.yml",
        affected(environments=every, code="true", fork="false"),
        results={"test": "failure"},
    )
    assert not required_check(failed, tmp_path)


def test_a_pull_request_that_affects_no_environment_plans_nothing_and_passes(tmp_path):
    run = decide(tmp_path, "pull-request.yml", affected(environments="[]", code="true", fork="false"))

    assert run.jobs["plan"].result == "skipped" and run.jobs["comment"].result == "skipped"
    # Its earlier plan comments are marked outdated with the empty list planned.
    runs, _ = run_step(run, "pull-request", "plan comments of environments no longer affected", tmp_path)
    assert runs
    step = next(s for s in run.definition["jobs"]["pull-request"]["steps"] if "outdated" in s.get("run", ""))
    assert '--planned "$PLANNED"' in step["run"]
    assert run.definition["jobs"]["pull-request"]["env"]["PLANNED"] == "${{ needs.affected.outputs.environments }}"
    assert required_check(run, tmp_path)


@pytest.mark.parametrize(("head", "fork"), [("mallory/ddb-warmer", "true"), ("acme/ddb-warmer", "false")])
def test_a_pull_request_from_another_repository_counts_as_a_fork(tmp_path, head, fork):
    run = decide(tmp_path, "pull-request.yml", {}, event=pull_request_event(head))
    (step,) = [s for s in run.definition["jobs"]["affected"]["steps"] if s.get("id") == "affected"]

    assert text(Expression({"github": run.github_context()}, None, {}).render(step["env"]["FORK"])) == fork
    assert 'echo "fork=${FORK}" >> "$GITHUB_OUTPUT"' in step["run"]


def test_a_fork_pull_request_gets_a_notice_instead_of_a_failing_plan(tmp_path):
    run = decide(
        tmp_path,
        "pull-request.yml",
        affected(environments='["dev"]', code="false", fork="true"),
        event=pull_request_event("mallory/ddb-warmer"),
    )

    # No plan (a fork's run gets no AWS credentials) and nothing written to the pull request: the comment
    # job and the outdated step are the workflow's only writers to it.
    assert run.jobs["plan"].result == "skipped" and run.jobs["comment"].result == "skipped"
    runs, _ = run_step(run, "pull-request", "plan comments of environments no longer affected", tmp_path)
    assert not runs
    runs, notice = run_step(run, "pull-request", "a fork's pull request is not planned", tmp_path)
    assert runs and notice.returncode == 0
    assert "::notice title=No plan for a fork::" in notice.stdout
    assert "Pull requests from forks get no AWS credentials" in notice.stdout.split("::notice", 1)[1]
    assert required_check(run, tmp_path)


# --- merges -------------------------------------------------------------------------------------------


def test_a_merge_that_affects_no_environment_plans_nothing_and_asks_for_no_approval(tmp_path):
    run = merge(tmp_path, "[]")

    assert {name: job.result for name, job in run.jobs.items()} == {
        "affected": "success",
        "settings": "skipped",
        "plan": "skipped",
        "apply": "skipped",  # the only job in a GitHub Environment: no approval is asked
        "report": "skipped",
        "doctor": "skipped",
    }


def test_a_merge_whose_settings_check_fails_plans_nothing(tmp_path):
    """The settings every approval rests on are checked before the first environment; what the check
    says (the secret to set, the setting missing) is tests/ci/test_check_github.py."""
    run = merge(tmp_path, '["dev", "prod"]', results={"settings": "failure"})

    assert run.jobs["settings"].result == "failure"
    assert [run.jobs[job].result for job in ("plan", "apply", "report", "doctor")] == ["skipped"] * 4


def test_a_failed_apply_is_reported_and_no_doctor_runs_after_it(tmp_path):
    """A failed apply leg fails the apply job (fail-fast: the legs after it are cancelled, one at a time in
    the affected job's order: tests/tooling/test_workflows.py); the report job still runs and reports it."""
    run = merge(tmp_path, '["dev", "prod"]', results={"apply": "failure"})

    assert run.jobs["report"].stood_in and run.jobs["doctor"].result == "skipped"
    jobs = run.definition["jobs"]
    for job in ("plan", "apply", "doctor"):
        assert jobs[job]["strategy"]["matrix"] == {
            "environment": "${{ fromJSON(needs.affected.outputs.environments) }}"
        }, job
    (report,) = [s for s in jobs["report"]["steps"] if "report_apply" in s.get("run", "")]
    assert report["env"]["ENVIRONMENTS"] == "${{ join(fromJSON(needs.affected.outputs.environments), ' ') }}"


# --- the scheduled workflows ---------------------------------------------------------------------------


def test_a_drift_plan_that_fails_still_reports_and_keeps_its_results(tmp_path):
    """The drift issue step and the upload of the plans run after the plan step failed (not cancelled)."""
    job = workflow("drift.yml")["jobs"]["drift"]
    steps = {s.get("name"): s for s in job["steps"]}
    plans = tmp_path / "plans" / "dev"
    plans.mkdir(parents=True)
    (plans / "results.json").write_text("[]")
    contexts = {"matrix": {"environment": "dev"}, "steps": {}, "github": {}, "needs": {}}
    after_a_failure = Expression(contexts, tmp_path, {"success": False})

    assert holds(steps["the drift issue"].get("if"), after_a_failure)
    assert holds(steps["keep the plans"].get("if"), after_a_failure)
    assert "ddb_warmer.ci.drift --environment" in steps["the drift issue"]["run"]
    (listing,) = workflow("drift.yml")["jobs"]["environments"]["steps"][1:]
    assert "ddb_warmer.ci.affected --all" in listing["run"]


PLAN_ROLE, APPLY_ROLE = "${{ steps.roles.outputs.plan-role }}", "${{ steps.roles.outputs.apply-role }}"


@pytest.mark.parametrize(
    ("name", "jobs"),
    [
        ("pull-request.yml", {"plan": PLAN_ROLE}),
        ("apply.yml", {"plan": PLAN_ROLE, "apply": APPLY_ROLE, "doctor": PLAN_ROLE}),
        ("drift.yml", {"drift": PLAN_ROLE}),
        ("doctor.yml", {"doctor": PLAN_ROLE}),
        ("advise.yml", {"advise": PLAN_ROLE}),
    ],
)
def test_each_environments_job_assumes_the_role_of_its_own_account_and_no_other(name, jobs):
    """Each leg's role and region come from ddb_warmer.ci.roles for the leg's own environment (what it
    prints for each environment: tests/ci/test_workflow_scripts.py); no other job of the workflow assumes
    a role."""
    definition = workflow(name)["jobs"]
    assuming = {
        job_id: [s for s in job["steps"] if s.get("uses", "").startswith("aws-actions/configure-aws-credentials@")]
        for job_id, job in definition.items()
    }
    assert {job_id for job_id, steps in assuming.items() if steps} == set(jobs)
    for job_id, role in jobs.items():
        job = definition[job_id]
        (credentials,) = assuming[job_id]
        assert credentials["with"] == {"role-to-assume": role, "aws-region": "${{ steps.roles.outputs.region }}"}
        (roles,) = [s for s in job["steps"] if s.get("id") == "roles"]
        assert roles["run"].endswith('-m ddb_warmer.ci.roles --environment "$ENVIRONMENT" >> "$GITHUB_OUTPUT"')
        assert job["steps"].index(roles) < job["steps"].index(credentials)
        assert job["env"]["ENVIRONMENT"] == "${{ matrix.environment }}"
