"""`ddb-warmer check-github` against the local fake GitHub: every setting the CI roles rely on, ok or what to set."""

from __future__ import annotations

import base64
import copy

import pytest

from ddb_warmer.build.toolenv import ROOT
from ddb_warmer.ci import check_github
from ddb_warmer.ci.affected import environments
from tests.ci.fake_github import fake_github

OWNED_BY_US = "* @octo-org/platform\n" + "\n".join(f"/{d} @octo-org/platform" for d in check_github.OWNED) + "\n"


def contents(text: str) -> dict:
    return {"type": "file", "encoding": "base64", "content": base64.b64encode(text.encode()).decode()}


def configured(names: list[str] | None = None) -> dict:
    """Every setting as check-github wants it, for the environments live/ holds (or `names`)."""
    settings = {}
    for name in environments() if names is None else names:
        settings[f"/environments/{name}"] = {
            "name": name,
            "protection_rules": [
                {"type": "required_reviewers", "prevent_self_review": True, "reviewers": [{"type": "Team"}]}
            ],
            "deployment_branch_policy": {"protected_branches": False, "custom_branch_policies": True},
            "can_admins_bypass": False,
        }
        settings[f"/environments/{name}/deployment-branch-policies"] = {
            "total_count": 1,
            "branch_policies": [{"name": "main", "type": "branch"}],
        }
    settings["/rules/branches/main"] = [
        {
            "type": "pull_request",
            "ruleset_id": 7,
            "parameters": {
                "required_approving_review_count": 1,
                "require_code_owner_review": True,
                "dismiss_stale_reviews_on_push": True,
            },
        },
        {
            "type": "required_status_checks",
            "ruleset_id": 7,
            "parameters": {"required_status_checks": [{"context": "pull request"}]},
        },
    ]
    settings["/rulesets/7"] = {"id": 7, "name": "main", "bypass_actors": []}
    settings["/actions/permissions/workflow"] = {
        "default_workflow_permissions": "read",
        "can_approve_pull_request_reviews": False,
    }
    settings["/actions/permissions/fork-pr-contributor-approval"] = {"approval_policy": "all_external_contributors"}
    settings["/actions/permissions/fork-pr-workflows-private-repos"] = {
        "run_workflows_from_fork_pull_requests": True,
        "send_write_tokens_to_workflows": False,
        "send_secrets_and_variables": False,
        "require_approval_for_fork_pr_workflows": True,
    }
    settings["/contents/.github/CODEOWNERS"] = contents(OWNED_BY_US)
    return settings


def run(settings: dict, monkeypatch, capsys, *args: str, forbidden=()) -> tuple[int, str]:
    with fake_github() as (github, state):
        state["settings"] = settings
        state["forbidden"] = set(forbidden)
        monkeypatch.setenv("GITHUB_REPOSITORY", github.repository)
        monkeypatch.setenv("GITHUB_TOKEN", "token")
        monkeypatch.setenv("GITHUB_API_URL", github.api)
        code = check_github.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_a_repository_set_up_as_documented_passes_every_item(monkeypatch, capsys):
    code, out = run(configured(), monkeypatch, capsys)

    assert code == 0, out
    assert "MISSING" not in out
    for name in environments():
        assert f"ok       environment {name}: prevent self-review" in out


def without(path: str, change) -> dict:
    settings = copy.deepcopy(configured())
    change(settings, path)
    return settings


def first_environment() -> str:
    return environments()[0]


def drop(settings, path):
    del settings[path]


CASES = {
    "no environment": (
        lambda: without(f"/environments/{first_environment()}", drop),
        f"environment {first_environment()}",
        "create the environment",
    ),
    "no reviewers": (
        lambda: without(
            f"/environments/{first_environment()}",
            lambda s, p: s[p].update(protection_rules=[]),
        ),
        "required reviewers",
        "Required reviewers",
    ),
    "self-review allowed": (
        lambda: without(
            f"/environments/{first_environment()}",
            lambda s, p: s[p]["protection_rules"][0].update(prevent_self_review=False),
        ),
        "prevent self-review",
        "Prevent self-review: on",
    ),
    "any branch deploys": (
        lambda: without(
            f"/environments/{first_environment()}",
            lambda s, p: s[p].update(deployment_branch_policy=None),
        ),
        "deployments from main only",
        "Selected branches, exactly 'main'",
    ),
    "no rules on main": (
        lambda: without("/rules/branches/main", drop),
        "main: required reviews",
        "at least 1 approval",
    ),
    "no code owners review": (
        lambda: without(
            "/rules/branches/main", lambda s, p: s[p][0]["parameters"].update(require_code_owner_review=False)
        ),
        "main: code owners' review",
        "Code Owners",
    ),
    "the check is not required": (
        lambda: without("/rules/branches/main", lambda s, p: s[p].pop(1)),
        "required check 'pull request'",
        "require the status check",
    ),
    "write token by default": (
        lambda: without(
            "/actions/permissions/workflow",
            lambda s, p: s[p].update(default_workflow_permissions="write"),
        ),
        "read-only by default",
        "Read repository contents",
    ),
    "forks run without approval": (
        lambda: without(
            "/actions/permissions/fork-pr-contributor-approval",
            lambda s, p: s[p].update(approval_policy="first_time_contributors_new_to_github"),
        ),
        "fork pull requests wait for approval",
        "Require approval for all external contributors",
    ),
    "admins bypass an environment's reviewers": (
        lambda: without(f"/environments/{first_environment()}", lambda s, p: s[p].update(can_admins_bypass=True)),
        "no admin bypass",
        "untick 'Allow administrators to bypass",
    ),
    "a stale approval carries a later push": (
        lambda: without(
            "/rules/branches/main", lambda s, p: s[p][0]["parameters"].update(dismiss_stale_reviews_on_push=False)
        ),
        "main: no stale approval",
        "dismiss stale pull request approvals",
    ),
    "a bypass actor skips the review": (
        lambda: without(
            "/rulesets/7",
            lambda s, p: s[p].update(bypass_actors=[{"actor_type": "RepositoryRole", "actor_id": 5}]),
        ),
        "main: nobody bypasses the review",
        "remove the bypass list (RepositoryRole 5)",
    ),
    "fork pull requests get a write token": (
        lambda: without(
            "/actions/permissions/fork-pr-workflows-private-repos",
            lambda s, p: s[p].update(send_write_tokens_to_workflows=True),
        ),
        "fork pull requests get no write token",
        "untick 'Send write tokens",
    ),
    "no default code owner": (
        lambda: without(
            "/contents/.github/CODEOWNERS",
            lambda s, p: s.update({p: contents(OWNED_BY_US.split("\n", 1)[1])}),
        ),
        "CODEOWNERS owns every path",
        "add a first line '* @<your team>'",
    ),
    "no CODEOWNERS": (lambda: without("/contents/.github/CODEOWNERS", drop), "CODEOWNERS", "add .github/CODEOWNERS"),
    "CODEOWNERS misses the CI code": (
        lambda: without(
            "/contents/.github/CODEOWNERS",
            lambda s, p: s.update({p: contents("/live/ @octo-org/platform\n/ddb_warmer/ci/ @octo-org/platform\n")}),
        ),
        "CODEOWNERS covers .github/",
        "add a line '/.github/ @<your team>'",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_each_missing_setting_is_named_with_what_to_set_and_exits_1(case, monkeypatch, capsys):
    settings, item, fix = CASES[case]

    code, out = run(settings(), monkeypatch, capsys)

    assert code == 1
    missing = [line for line in out.splitlines() if line.startswith("MISSING")]
    assert any(item in line and fix in line for line in missing), out


def test_the_example_codeowners_is_flagged_until_its_placeholder_team_is_replaced(monkeypatch, capsys):
    settings = configured()
    settings["/contents/.github/CODEOWNERS"] = contents((ROOT / ".github" / "CODEOWNERS").read_text())

    code, out = run(settings, monkeypatch, capsys)

    assert code == 1
    for directory in check_github.OWNED:
        assert f"MISSING  CODEOWNERS covers {directory}: replace the placeholder" in out


def test_an_environment_applied_without_review_on_purpose_still_deploys_from_main_only(monkeypatch, capsys):
    name = first_environment()
    settings = configured()
    settings[f"/environments/{name}"]["protection_rules"] = []

    code, out = run(settings, monkeypatch, capsys, "--unreviewed", name)

    assert code == 0, out
    assert f"ok       environment {name}: deployments from main only" in out


def with_classic_protection(reviews: dict, checks: dict, admins_enforced: bool) -> dict:
    """The settings with main protected by classic branch protection instead of a ruleset."""
    settings = configured()
    del settings["/rules/branches/main"]
    settings["/branches/main/protection"] = {
        "required_pull_request_reviews": {"require_code_owner_reviews": True, **reviews},
        "required_status_checks": {"contexts": ["pull request"], **checks},
        "enforce_admins": {"enabled": admins_enforced},
    }
    return settings


def test_classic_branch_protection_counts_as_well_as_rulesets(monkeypatch, capsys):
    reviews = {"required_approving_review_count": 2, "require_last_push_approval": True}
    settings = with_classic_protection(reviews, {"strict": True}, admins_enforced=True)

    code, out = run(settings, monkeypatch, capsys)

    assert code == 0, out


def test_classic_protection_that_admins_may_bypass_is_flagged(monkeypatch, capsys):
    reviews = {"required_approving_review_count": 1, "dismiss_stale_reviews": True}
    settings = with_classic_protection(reviews, {}, admins_enforced=False)

    code, out = run(settings, monkeypatch, capsys)

    assert code == 1
    assert "MISSING  main: nobody bypasses the review" in out


def test_a_public_repository_has_no_fork_token_setting_and_needs_none(monkeypatch, capsys):
    settings = configured()
    del settings["/actions/permissions/fork-pr-workflows-private-repos"]

    code, out = run(settings, monkeypatch, capsys)

    assert code == 0, out
    assert "ok       Actions: fork pull requests get no write token and no secret" in out


def test_a_token_that_cannot_read_the_settings_exits_2_saying_which_permission(monkeypatch, capsys):
    code, out = run(configured(), monkeypatch, capsys, forbidden={f"/environments/{first_environment()}"})

    assert code == 2
    assert "Administration" in out


def test_before_apply_without_the_settings_token_stops_naming_the_secret_and_the_opt_out(monkeypatch, capsys):
    monkeypatch.delenv(check_github.SETTINGS_TOKEN, raising=False)
    monkeypatch.delenv(check_github.UNCHECKED_VARIABLE, raising=False)

    code = check_github.main(["--before-apply"])

    out = capsys.readouterr().err
    assert code == 2
    assert "set the repository secret DDB_WARMER_SETTINGS_TOKEN" in out
    assert "DDB_WARMER_SETTINGS_UNCHECKED=true" in out


def test_before_apply_goes_on_unchecked_only_when_the_repository_says_so(monkeypatch, capsys):
    monkeypatch.delenv(check_github.SETTINGS_TOKEN, raising=False)
    monkeypatch.setenv(check_github.UNCHECKED_VARIABLE, "true")

    code = check_github.main(["--before-apply"])

    assert code == 0
    assert "repository settings not checked" in capsys.readouterr().out


def test_before_apply_reads_the_settings_with_the_settings_token_and_stops_on_a_missing_one(monkeypatch, capsys):
    settings = configured()
    settings[f"/environments/{first_environment()}"]["can_admins_bypass"] = True
    with fake_github() as (github, state):
        state["settings"] = settings
        monkeypatch.setenv("GITHUB_REPOSITORY", github.repository)
        monkeypatch.setenv("GITHUB_API_URL", github.api)
        monkeypatch.setenv("GITHUB_TOKEN", "the workflow's own token, which cannot read the settings")
        monkeypatch.setenv(check_github.SETTINGS_TOKEN, "token")

        code = check_github.main(["--before-apply"])

    assert code == 1
    assert f"MISSING  environment {first_environment()}: no admin bypass" in capsys.readouterr().out
