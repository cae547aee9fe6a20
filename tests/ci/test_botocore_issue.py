"""ddb_warmer.ci.botocore_issue, run by the weekly botocore workflow: one issue, open while the newest
botocore would make the warmer's warm requests fall back to the stock path, closed once it does not."""

from __future__ import annotations

import json

from ddb_warmer.ci.botocore_issue import LABEL, MARKER, keep_issue, main
from tests.ci.fake_github import REPOSITORY, fake_github


def run(name: str, version: str, path: str = "lean", reason: str | None = None, passed: bool = True) -> dict:
    return {
        "name": name,
        "botocore": version,
        "path": path,
        "reason": reason,
        "passed": passed,
        "tests": "51 passed in 9.0s" if passed else "1 failed, 50 passed in 9.0s",
        "seconds": 20.0,
    }


OLDEST_STOCK = run("oldest", "1.35.58", "stock", "cold-start check: AttributeError: resolved_protocol")
RUNTIME = run("runtime", "1.42.97")
NEWEST_STOCK = run("newest", "1.45.0", "stock", "cold-start check: AttributeError: '_endpoint'")
NEWEST_LEAN = run("newest", "1.45.1")


def test_a_newest_botocore_on_the_stock_path_opens_one_issue_then_updates_it():
    with fake_github() as (github, state):
        first = keep_issue(github, [OLDEST_STOCK, RUNTIME, NEWEST_STOCK])
        second = keep_issue(github, [OLDEST_STOCK, RUNTIME, {**NEWEST_STOCK, "botocore": "1.45.2"}])

    assert (first, second) == ("opened", "updated")
    (issue,) = state["issues"]
    assert issue["labels"] == [LABEL] and issue["body"].startswith(MARKER)
    assert issue["title"] == "botocore 1.45.2: the warmer's lean request path would fall back"
    assert (
        "botocore 1.45.2 takes the stock request path: cold-start check: AttributeError: '_endpoint'" in issue["body"]
    )


def test_the_oldest_botocore_on_the_stock_path_is_expected_and_opens_nothing():
    with fake_github() as (github, state):
        outcome = keep_issue(github, [OLDEST_STOCK, RUNTIME, NEWEST_LEAN])

    assert outcome == "none" and state["issues"] == []


def test_failing_handler_tests_on_any_botocore_keep_the_issue_open():
    with fake_github() as (github, state):
        outcome = keep_issue(github, [OLDEST_STOCK, {**RUNTIME, "passed": False}, NEWEST_LEAN])

    assert outcome == "opened"
    assert "the handler's tests fail on botocore 1.42.97 (runtime)" in state["issues"][0]["body"]


def test_the_issue_is_closed_with_a_comment_once_the_newest_botocore_takes_the_lean_path():
    with fake_github() as (github, state):
        keep_issue(github, [OLDEST_STOCK, RUNTIME, NEWEST_STOCK])
        outcome = keep_issue(github, [OLDEST_STOCK, RUNTIME, NEWEST_LEAN])

    assert outcome == "closed" and state["issues"][0]["state"] == "closed"
    (comment,) = state["comments"]
    assert comment["body"] == "botocore 1.45.1 takes the lean request path and passes the handler's tests."


def test_the_command_keeps_the_issue_from_runs_already_made_and_fails_when_a_run_failed(tmp_path, monkeypatch, capsys):
    runs = tmp_path / "matrix.json"
    runs.write_text(json.dumps([OLDEST_STOCK, {**RUNTIME, "passed": False}, NEWEST_STOCK]))
    with fake_github() as (github, state):
        monkeypatch.setenv("GITHUB_REPOSITORY", REPOSITORY)
        monkeypatch.setenv("GITHUB_TOKEN", "token")
        monkeypatch.setenv("GITHUB_API_URL", github.api)
        code = main(["--matrix", str(runs)])

    assert code == 1
    assert len(state["issues"]) == 1
    assert capsys.readouterr().out.strip() == "botocore matrix: 2 problem(s) with the newest botocore; issue opened"
