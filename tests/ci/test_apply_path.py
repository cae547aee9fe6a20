"""A change to the workflows, the CI code or the CI roles is flagged as changing how every environment is applied;
after a stale plan a fresh run starts, and the next run diffs from the last successful one."""

from __future__ import annotations

import json

from ddb_warmer.ci.apply_path import FLAG, apply_path_changes, flag
from ddb_warmer.ci.fresh_run import STALE_MARK
from ddb_warmer.ci.fresh_run import main as fresh_run
from tests.ci.fake_github import fake_github


def test_workflow_ci_build_and_bootstrap_changes_are_flagged():
    changed = [
        ".github/workflows/apply.yml",
        "ddb_warmer/ci/apply.py",
        "ddb_warmer/build/toolenv.py",
        "modules/github-oidc/apply.tf",
        "live/_bootstrap/111111111111/github-oidc/terragrunt.hcl",
        "mise.lock",
        "README.md",
        "ddb_warmer/ops/doctor.py",
        "tests/ci/test_github.py",
    ]

    flagged = apply_path_changes(changed)

    assert "README.md" not in flagged and "ddb_warmer/ops/doctor.py" not in flagged
    assert len(flagged) == 6
    assert FLAG in flag(flagged) and "`ddb_warmer/ci/apply.py`" in flag(flagged)


def test_a_change_to_live_or_docs_only_is_not_flagged():
    assert flag(apply_path_changes(["docs/state.md", "live/dev/warmer/terragrunt.hcl"])) == ""


def with_fake(monkeypatch, github):
    monkeypatch.setenv("GITHUB_REPOSITORY", github.repository)
    monkeypatch.setenv("GITHUB_TOKEN", "token")
    monkeypatch.setenv("GITHUB_API_URL", github.api)


def test_a_stale_plan_dispatches_a_fresh_run_and_another_failure_does_not(monkeypatch, tmp_path):
    stale, other = tmp_path / "stale.json", tmp_path / "other.json"
    stale.write_text(json.dumps([{"unit": "prod/warmer", "ok": False, "error": f"{STALE_MARK}: the state changed"}]))
    other.write_text(json.dumps([{"unit": "prod/warmer", "ok": False, "error": "Error: AccessDenied"}]))
    with fake_github() as (github, state):
        with_fake(monkeypatch, github)

        codes = [fresh_run(["--results", str(stale)]), fresh_run(["--results", str(other)])]

    assert codes == [0, 0]
    assert state["dispatches"] == [("apply.yml", "main")]


def test_the_next_run_diffs_from_the_last_successful_run_not_its_own_push(monkeypatch, capsys):
    with fake_github() as (github, state):
        with_fake(monkeypatch, github)
        fresh_run(["--base", "--before", "before-sha"])
        state["runs"] = [{"head_sha": "applied-sha", "conclusion": "success"}]
        fresh_run(["--base", "--before", "before-sha"])

    assert capsys.readouterr().out.split() == ["before-sha", "applied-sha"]
