"""The GitHub workflows pass actionlint (built from its Go module at the pinned version)."""

from __future__ import annotations

import re
import subprocess

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
        "ddb_warmer.ci.plan",
        "ddb_warmer.ci.post_comment",
        "ddb_warmer.ci.apply",
        "ddb_warmer.ci.drift",
        "ddb_warmer.ci.affected",
        "ddb_warmer.build.checkov",
    } <= modules
    for module in sorted(modules):
        done = subprocess.run(
            [str(VENV / "bin" / "python"), "-m", module, "--help"], cwd=ROOT, capture_output=True, text=True
        )
        assert done.returncode == 0 and "usage:" in done.stdout, (module, done.stderr)


def test_applies_run_in_order_in_their_environment_and_are_never_cancelled_halfway():
    apply = (ROOT / ".github" / "workflows" / "apply.yml").read_text()
    per_environment = (ROOT / ".github" / "workflows" / "apply-environment.yml").read_text()

    assert "prod:\n    needs: dev" in apply
    assert "environment: ${{ inputs.environment }}" in per_environment
    assert "group: apply-${{ inputs.environment }}\n      cancel-in-progress: false" in per_environment
