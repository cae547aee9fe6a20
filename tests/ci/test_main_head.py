"""Main's head is read in a step of its own; the apply script takes it as an argument and refuses any other commit."""

from __future__ import annotations

import json

from ddb_warmer.ci import apply, main_head
from ddb_warmer.ci.apply import APPLY_RESULTS, checked_out
from tests.ci.fake_github import fake_github


def test_main_head_prints_mains_head_as_a_step_output(monkeypatch, capsys):
    with fake_github() as (github, state):
        state["main"] = "a" * 40
        monkeypatch.setenv("GITHUB_REPOSITORY", github.repository)
        monkeypatch.setenv("GITHUB_API_URL", github.api)
        monkeypatch.setenv("GITHUB_TOKEN", "a-token")

        assert main_head.main([]) == 0

    assert capsys.readouterr().out == f"sha={'a' * 40}\n"
    assert ("GET", "/git/ref/heads/main") in state["calls"]


def test_main_head_without_a_token_fails_and_prints_no_output(monkeypatch, capsys):
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/ddb-warmer")

    assert main_head.main([]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and "could not read the head of main" in captured.err


def test_the_apply_script_refuses_a_commit_that_is_no_longer_mains_head_before_applying(tmp_path):
    newer = "f" * 40

    assert apply.main(["--environment", "no-such-environment", "--plans", str(tmp_path), "--main-head", newer]) == 1

    (result,) = json.loads((tmp_path / APPLY_RESULTS).read_text())
    assert not result["ok"]
    assert result["error"].startswith(f"refused: this run is for commit {checked_out()[:12]}, but main is now at ffff")
