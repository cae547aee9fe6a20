"""The GitHub workflows: actionlint (built from its Go module at the pinned version), pins, permissions, shape.

Their steps run in order, on the emulator and a fake GitHub, in tests/ci/test_workflow_runs.py."""

from __future__ import annotations

import re
import subprocess

import yaml

from ddb_warmer.build.toolenv import ROOT, TOOLS_BIN, VENV


def test_actionlint_finds_no_problem_in_any_workflow(tools_env):
    workflows = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
    assert workflows, "no workflow to lint"

    done = subprocess.run(
        [str(TOOLS_BIN / "actionlint"), "-no-color", *map(str, workflows)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=tools_env,
    )

    assert done.stdout + done.stderr == ""
    assert done.returncode == 0


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
        done = subprocess.run(
            [str(VENV / "bin" / "python"), "-m", module, "--help"], cwd=ROOT, capture_output=True, text=True
        )
        assert done.returncode == 0 and "usage:" in done.stdout, (module, done.stderr)


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
