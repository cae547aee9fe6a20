"""The GitHub workflows: actionlint (built from its Go module at the pinned version; `make lint` runs it on every
workflow) catches a broken one; pins, permissions, shape.

A pull request and a merge run step by step, on the emulator and a fake GitHub, in tests/ci/test_workflow_runs.py;
which job runs for each other outcome is tests/ci/test_workflow_wiring.py."""

from __future__ import annotations

import contextlib
import io
import re
import runpy
import subprocess
import sys
import warnings

import pytest
import yaml

from ddb_warmer.build.toolenv import ROOT, TOOLS_BIN


def test_actionlint_reports_a_broken_workflow(tools_env, tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    steps:\n"
        "      - run: echo ${{ github.event.nope.title }}\n        shell: bsh\n"
    )

    done = subprocess.run(
        [str(TOOLS_BIN / "actionlint"), "-no-color", str(broken)],
        capture_output=True,
        text=True,
        env=tools_env,
    )

    assert done.returncode == 1
    assert "shell" in done.stdout


def test_workflows_grant_no_permission_at_the_top_and_pin_actions_to_commits():
    for workflow in (ROOT / ".github" / "workflows").glob("*.yml"):
        text = workflow.read_text()
        assert "\npermissions: {}\n" in text, f"{workflow.name}: top-level permissions must be {{}}"
        for line in text.splitlines():
            if "uses:" in line and not line.strip().startswith("#"):
                reference = line.split("uses:")[1].split("#")[0].strip()
                if reference.startswith("./"):
                    continue  # a workflow of this repository, pinned by being in it
                assert len(reference.split("@")[1]) == 40, f"{workflow.name}: {reference} is not pinned to a SHA"


@contextlib.contextmanager
def patched_argv(argv: list[str]):
    saved = sys.argv
    sys.argv = argv
    try:
        yield
    finally:
        sys.argv = saved


def test_every_repository_script_a_workflow_runs_exists_and_answers_help():
    modules = set()
    for workflow in (ROOT / ".github" / "workflows").glob("*.yml"):
        modules |= set(re.findall(r"-m (ddb_warmer(?:\.\w+)+)", workflow.read_text()))
    assert {
        "ddb_warmer.ci.affected",
        "ddb_warmer.ci.plan",
        "ddb_warmer.ci.checkov_plans",
        "ddb_warmer.ci.post_comment",
        "ddb_warmer.ci.outdated",
        "ddb_warmer.ci.apply",
        "ddb_warmer.ci.report_apply",
        "ddb_warmer.ci.drift",
    } <= modules
    for module in sorted(modules):
        # Run as `python -m <module> --help` runs it, in this process: a subprocess per script would spend
        # most of its time importing boto3 again.
        shown = io.StringIO()
        # runpy warns that the module was imported already (by another test): it runs it again as __main__
        # either way, as `python -m` does.
        argv = patched_argv([module, "--help"])
        with pytest.raises(SystemExit) as exited, contextlib.redirect_stdout(shown), argv, warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            runpy.run_module(module, run_name="__main__", alter_sys=True)
        assert exited.value.code in (0, None) and "usage:" in shown.getvalue(), module


def workflow(name: str) -> dict:
    return yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text())


def test_only_the_apply_job_deploys_to_an_environment_one_at_a_time_and_never_cancelled():
    deploying = {
        (name, job_id): job
        for name in ("pull-request.yml", "apply.yml", "drift.yml")
        for job_id, job in workflow(name)["jobs"].items()
        if "environment" in job
    }

    assert list(deploying) == [("apply.yml", "apply")]
    apply = deploying[("apply.yml", "apply")]
    assert apply["environment"] == "${{ matrix.environment }}"
    assert apply["concurrency"] == {"group": "apply-${{ matrix.environment }}", "cancel-in-progress": False}
    assert apply["strategy"]["max-parallel"] == 1 and apply["strategy"]["fail-fast"] is True
    assert apply["needs"] == ["affected", "plan"]


def test_the_pull_request_has_one_fixed_name_check_that_needs_every_job():
    jobs = workflow("pull-request.yml")["jobs"]

    summary = jobs["pull-request"]
    assert summary["name"] == "pull request" and "${{" not in summary["name"]
    assert set(summary["needs"]) == set(jobs) - {"pull-request"}
    assert summary["if"] == "${{ always() }}"


def test_actions_are_pinned_to_a_release_commit_with_its_version_and_mise_itself_is_pinned():
    pinned = mise = 0
    for path in (ROOT / ".github" / "workflows").glob("*.yml"):
        text = path.read_text()
        for reference, version in re.findall(r"uses: ([\w./-]+@\w+)(?: # (v[\d.]+))?", text):
            assert version, f"{path.name}: {reference} has no version comment"
            pinned += 1
        for job in workflow(path.name)["jobs"].values():
            for step in job.get("steps", []):
                if step.get("uses", "").startswith("jdx/mise-action@"):
                    assert re.fullmatch(r"\d{4}\.\d+\.\d+", str(step["with"]["version"])), path.name
                    mise += 1
    assert pinned > 20 and mise > 5


def test_no_job_that_holds_an_apply_role_may_write_to_github():
    """A job that runs in an environment (the only ones whose token an apply role trusts) reads the
    repository and writes nothing to GitHub: comments, issues and fresh runs come from a job without
    a role. Jobs under the read-only plan role may comment."""
    jobs = [
        (name, job_id, job)
        for name in ("pull-request.yml", "apply.yml", "drift.yml", "doctor.yml", "destroy.yml")
        for job_id, job in workflow(name)["jobs"].items()
        if "environment" in job
    ]
    assert {(name, job_id) for name, job_id, _ in jobs} == {("apply.yml", "apply"), ("destroy.yml", "destroy")}
    for name, job_id, job in jobs:
        assert job["permissions"] == {"contents": "read", "id-token": "write"}, (name, job_id)


def all_jobs():
    for path in sorted((ROOT / ".github" / "workflows").glob("*.yml")):
        for job_id, job in workflow(path.name)["jobs"].items():
            yield path.name, job_id, job


def runs(job: dict) -> str:
    return "\n".join(step.get("run", "") for step in job.get("steps", []))


def test_a_job_that_can_assume_an_aws_role_runs_only_reviewed_minimal_code_from_hashed_pins():
    """On main, a job with `id-token: write` (plan, apply, destroy, drift, doctor) runs no bootstrap and no
    build of the checkout, installs no dev or test package, restores no cache another run wrote, and
    installs Python packages only from hashed pins. The pull request's plan job runs the pull request's
    code by design (its plan role reads no data) and is the one exception."""
    holding = [
        (name, job_id, job)
        for name, job_id, job in all_jobs()
        if (job.get("permissions") or {}).get("id-token") == "write" and name != "pull-request.yml"
    ]
    assert {(n, j) for n, j, _ in holding} >= {
        ("apply.yml", "plan"),
        ("apply.yml", "apply"),
        ("destroy.yml", "destroy"),
    }
    for name, job_id, job in holding:
        commands = runs(job)
        where = f"{name}: {job_id}"
        assert "make " not in commands and ".venv/" not in commands, where
        assert "pip install -e" not in commands and "setup.py" not in commands, where
        for line in re.findall(r"pip install[^\n]*", commands):
            assert "--require-hashes" in line and "requirements/dev.txt" not in line, (where, line)
        for step in job["steps"]:
            if step.get("uses", "").startswith("jdx/mise-action@"):
                assert step["with"].get("install_args"), f"{where}: mise installs every tool of mise.toml"
                assert step["with"].get("cache") is False, f"{where}: mise restores a cache"
                assert step["with"].get("github_token") == "", where


def test_a_job_that_runs_pull_request_code_may_not_write_to_github():
    """A job that checks out the pull request (the default ref) holds no write permission: the comments come
    from jobs that check out the base branch and read the plans as data."""
    jobs = workflow("pull-request.yml")["jobs"]
    for job_id, job in jobs.items():
        checkouts = [s for s in job.get("steps", []) if s.get("uses", "").startswith("actions/checkout@")]
        runs_pr_code = any(
            (s.get("with") or {}).get("ref") != "${{ github.event.pull_request.base.sha }}" for s in checkouts
        )
        writes = {k: v for k, v in (job.get("permissions") or {}).items() if v == "write" and k != "id-token"}
        if runs_pr_code:
            assert writes == {}, (job_id, writes)
    assert jobs["comment"]["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert jobs["plan"]["permissions"] == {"contents": "read", "id-token": "write"}


def test_no_job_hands_the_github_token_to_mise():
    for name, job_id, job in all_jobs():
        for step in job.get("steps", []):
            if step.get("uses", "").startswith("jdx/mise-action@"):
                assert step["with"].get("github_token") == "", f"{name}: {job_id}"


def test_the_apply_workflow_checks_the_repository_settings_before_the_first_plan():
    jobs = workflow("apply.yml")["jobs"]

    assert "settings" in jobs["plan"]["needs"]
    (check,) = [s for s in jobs["settings"]["steps"] if "check_github" in s.get("run", "")]
    assert "--before-apply" in check["run"]
    assert check["env"]["DDB_WARMER_SETTINGS_TOKEN"] == "${{ secrets.DDB_WARMER_SETTINGS_TOKEN }}"
    assert jobs["settings"]["permissions"] == {"contents": "read"}


def test_the_advise_workflow_reads_aws_and_writes_its_issue_in_separate_jobs():
    """No step that talks to AWS holds a GitHub token: the job with the plan role cannot write to GitHub and
    passes no token to a step; the job that writes the issue holds no AWS role."""
    jobs = workflow("advise.yml")["jobs"]

    assert jobs["advise"]["permissions"] == {"contents": "read", "id-token": "write"}
    assert jobs["issue"]["permissions"] == {"contents": "read", "issues": "write"}
    aws_steps = yaml.safe_dump(jobs["advise"]["steps"])
    assert "github.token" not in aws_steps and "secrets." not in aws_steps and "GITHUB_TOKEN" not in aws_steps
    assert not any("configure-aws-credentials" in step.get("uses", "") for step in jobs["issue"]["steps"])
    assert workflow("advise.yml")[True] == {"schedule": [{"cron": "41 5 * * 1"}], "workflow_dispatch": None}
