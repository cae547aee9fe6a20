"""The sticky comment, outdated comments, drift and failed-apply issues against a fake GitHub API on 127.0.0.1."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest

from ddb_warmer.ci.apply import UnitApply
from ddb_warmer.ci.comment import marker
from ddb_warmer.ci.drift import drift_marker, report_drift
from ddb_warmer.ci.outdated import mark_outdated
from ddb_warmer.ci.report_apply import applied_in_order, load, report
from ddb_warmer.ci.unit_plan import UnitPlan
from tests.ci.fake_github import fake_github


@pytest.fixture
def github():
    with fake_github() as (client, state):
        yield client, state


def test_the_plan_comment_is_created_once_and_then_edited_in_place(github):
    client, state = github
    state["comments"].append({"id": 1, "issue": 7, "body": "a reviewer's comment"})

    first = client.upsert_comment(7, marker("dev"), marker("dev") + "\nplan 1")
    second = client.upsert_comment(7, marker("dev"), marker("dev") + "\nplan 2")
    other_environment = client.upsert_comment(7, marker("prod"), marker("prod") + "\nplan")

    assert (first, second, other_environment) == ("created", "updated", "created")
    bodies = [c["body"] for c in state["comments"]]
    assert bodies == ["a reviewer's comment", marker("dev") + "\nplan 2", marker("prod") + "\nplan"]


def drifting(changes: int) -> list[UnitPlan]:
    return [UnitPlan("prod/warmer", True, change=changes, text="  ~ resource changed" if changes else "")]


def test_drift_opens_one_issue_updates_it_and_closes_it_when_clean(github):
    client, state = github

    outcomes = [report_drift(client, "prod", drifting(n), None) for n in (1, 2, 0, 0)]

    assert outcomes == ["opened", "updated", "closed", "clean"]
    assert len(state["issues"]) == 1
    issue = state["issues"][0]
    assert issue["title"] == "Drift detected in live/prod" and issue["labels"] == ["drift"]
    assert drift_marker("prod") in issue["body"] and "1 to add" not in issue["body"]
    assert issue["state"] == "closed"
    assert state["comments"][-1]["body"] == "The daily plan of `live/prod` has no changes again."


def test_each_environment_has_its_own_drift_issue(github):
    client, state = github

    report_drift(client, "prod", drifting(1), None)
    report_drift(client, "dev", [UnitPlan("dev/warmer", True, add=1)], None)

    assert sorted(i["title"] for i in state["issues"]) == ["Drift detected in live/dev", "Drift detected in live/prod"]


def test_a_run_that_failed_before_planning_marks_every_plan_comment_outdated_once(github):
    client, state = github
    for environment in ("dev", "prod"):
        client.upsert_comment(7, marker(environment), marker(environment) + f"\nplan of {environment}")
    state["comments"].append({"id": 99, "issue": 7, "body": "a reviewer's comment"})

    first = mark_outdated(client, 7, "abc123", planned=[], run_failed=True)
    again = mark_outdated(client, 7, "abc123", planned=[], run_failed=True)
    only_prod = mark_outdated(client, 7, "def456", planned=["dev", "prod"], run_failed=True, only="prod")

    assert (first, again, only_prod) == (["dev", "prod"], [], ["prod"])
    bodies = {c["id"]: c["body"] for c in state["comments"]}
    assert "since commit `abc123`" in bodies[1] and "failed before it could plan" in bodies[1]
    assert "since commit `def456`" in bodies[2] and "plan of prod" in bodies[2]
    assert bodies[99] == "a reviewer's comment"


def test_a_failed_apply_opens_one_issue_and_the_next_success_closes_it(github):
    client, state = github
    state["pulls"] = {"aaa": 7, "bbb": 8}
    failed = [UnitApply("prod/warmer", False, error="refused: the saved plan is stale")]
    applied = [UnitApply("prod/warmer", True, added=1)]

    outcomes = [
        report(client, "prod", failed, "aaa", None),
        report(client, "prod", failed, "aaa", None),
        report(client, "prod", applied, "bbb", None),
    ]

    assert [o["issue"] for o in outcomes] == ["opened", "updated", "closed"]
    assert [o["comment"] for o in outcomes] == [7, 7, 8]
    (issue,) = state["issues"]
    assert issue["labels"] == ["apply-failed"] and issue["state"] == "closed"
    assert "| `prod/warmer` | 1 added, 0 changed, 0 destroyed |" in state["comments"][-2]["body"]


def test_a_spoofed_marker_from_a_pull_request_author_is_ignored(github):
    client, state = github
    spoof = marker("prod") + "\nlooks like the bot's plan"
    state["comments"].append({"id": 1, "issue": 7, "body": spoof, "user": {"login": "mallory", "type": "User"}})
    # A user named like the bot is no bot.
    state["comments"].append(
        {"id": 2, "issue": 7, "body": spoof, "user": {"login": "github-actions[bot]", "type": "User"}}
    )

    outcome = client.upsert_comment(7, marker("prod"), marker("prod") + "\nthe real plan")
    marked = mark_outdated(client, 7, "abc123", planned=[], run_failed=True)

    assert outcome == "created"
    bodies = {c["id"]: c["body"] for c in state["comments"]}
    assert bodies[1] == spoof and bodies[2] == spoof  # neither edited nor marked outdated
    assert "the real plan" in bodies[3] and marked == ["prod"]
    assert ("PATCH", "/issues/comments/1") not in state["calls"]


def test_a_drift_issue_opened_by_someone_else_with_the_marker_is_not_taken_over(github):
    client, state = github
    state["issues"].append(
        {
            "number": 5,
            "state": "open",
            "labels": ["drift"],
            "body": drift_marker("prod"),
            "user": {"login": "mallory", "type": "User"},
        }
    )

    report_drift(client, "prod", drifting(1), None)

    assert [i["number"] for i in state["issues"] if i["state"] == "open"] == [5, 101]
    assert state["issues"][0]["body"] == drift_marker("prod")


def test_the_report_job_reports_each_environment_that_ran_in_order_up_to_the_one_that_failed(tmp_path):
    def results(environment: str, ok: bool | None) -> None:
        if ok is None:
            return  # no results: it stopped before applying, or never ran
        path = tmp_path / f"apply-{environment}" / "apply.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps([asdict(UnitApply(f"{environment}/warmer", ok))]))

    for environment, ok in (("dev", True), ("staging", False), ("prod", None)):
        results(environment, ok)
    assert [e for e, _ in applied_in_order(["dev", "staging", "prod"], tmp_path)] == ["dev", "staging"]

    # A job that stopped before applying (no results right after a success) is reported, as failed.
    (tmp_path / "apply-staging" / "apply.json").unlink()
    ran = applied_in_order(["dev", "staging", "prod"], tmp_path)
    assert [e for e, _ in ran] == ["dev", "staging"]
    assert not load(ran[1][1], "staging")[0].ok

    results("staging", True)
    results("prod", True)
    assert [e for e, _ in applied_in_order(["dev", "staging", "prod"], tmp_path)] == ["dev", "staging", "prod"]
