"""The comment job's script (ddb_warmer.ci.post_comment), called directly against the fake GitHub: it posts
one sticky comment per planned environment from the plan jobs' artifacts, marks outdated the one whose plan
job stopped before planning, and says when the repository's settings go unchecked."""

from __future__ import annotations

from pathlib import Path

from ddb_warmer.ci import post_comment
from ddb_warmer.ci.check_github import UNCHECKED_VARIABLE
from ddb_warmer.ci.comment import marker
from ddb_warmer.ci.plan import save
from ddb_warmer.ci.unit_plan import UnitPlan
from tests.ci.fake_github import fake_github

BOT = {"login": "github-actions[bot]", "type": "Bot"}
SHA = "0123456789abcdef0123456789abcdef01234567"


def artifacts(tmp_path: Path) -> Path:
    """Two environments planned: one plan each with its link; a third whose plan job stopped."""
    plans = tmp_path / "plans"
    for environment in ("alpha", "beta"):
        save([UnitPlan(f"{environment}/warmer", ok=True, add=3, text="Plan: 3 to add")], plans / f"plan-{environment}")
        link = plans / f"plan-link-{environment}" / "artifact-url"
        link.parent.mkdir(parents=True)
        link.write_text(f"https://github.com/acme/ddb-warmer/actions/runs/1/artifacts/{environment}\n")
    return plans


def test_each_planned_environment_gets_its_comment_and_a_stopped_one_is_marked_outdated(tmp_path, monkeypatch):
    monkeypatch.delenv(UNCHECKED_VARIABLE, raising=False)
    plans = artifacts(tmp_path)
    with fake_github() as (github, state):
        state["comments"].append({"id": 1, "issue": 7, "body": f"{marker('gamma')}\nold plan", "user": BOT})

        lines = post_comment.post_all(github, 7, SHA, ["alpha", "beta", "gamma"], plans)

        bodies = {c["body"].split("\n", 1)[0]: c["body"] for c in state["comments"] if c["issue"] == 7}
    assert len(lines) == 3 and "marked outdated" in lines[2]
    alpha = bodies[marker("alpha")]
    assert f"For commit `{SHA}`" in alpha and "/artifacts/alpha" in alpha
    assert "not checked before apply" not in alpha
    assert "**Outdated**" in bodies[marker("gamma")]


def test_every_comment_says_so_when_the_repository_settings_go_unchecked(tmp_path, monkeypatch):
    monkeypatch.setenv(UNCHECKED_VARIABLE, "true")
    with fake_github() as (github, state):
        post_comment.post_all(github, 7, SHA, ["alpha"], artifacts(tmp_path))

        (comment,) = state["comments"]
    assert "**Repository settings are not checked before apply**" in comment["body"]
    assert "DDB_WARMER_SETTINGS_TOKEN" in comment["body"]
