"""The sticky comment, outdated comments, drift and failed-apply issues against a fake GitHub API on 127.0.0.1."""

from __future__ import annotations

import pytest

from ddb_warmer.ci.comment import marker
from ddb_warmer.ci.drift import drift_marker, report_drift
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
