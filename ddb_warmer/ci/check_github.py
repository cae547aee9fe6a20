"""Check the repository's GitHub settings that the CI roles' safety rests on, through the REST API.

    ddb-warmer check-github [--unreviewed dev]      (or python -m ddb_warmer.ci.check_github)

The AWS roles trust a GitHub Environment's jobs and the plan role trusts pull
requests: what stands between a branch and an apply is GitHub's settings, so
they are read, not assumed. For each environment of live/ (whatever it holds):
required reviewers, prevent self-review, deployments from main only. For main
(rulesets or classic branch protection): required reviews, code owners' review,
the required check "pull request". Actions: workflows' default token read-only
and unable to approve pull requests, approval before fork pull requests run.
A CODEOWNERS file whose owners (not the example's placeholder) cover the CI
code. Each item is printed "ok" or with what to set.

GITHUB_REPOSITORY names the repository and GITHUB_TOKEN authenticates: a token
that may read the administration settings (fine-grained: "Administration: read",
"Environments: read", "Contents: read").

Exit codes: 0 every item ok; 1 an item is missing (each says what to set);
2 a setting could not be read (the token's permissions; the message says which).
"""

from __future__ import annotations

import argparse
import base64
import fnmatch
import sys
from dataclasses import dataclass

from ddb_warmer.ci.affected import environments
from ddb_warmer.ci.apply_path import APPLY_PATH
from ddb_warmer.ci.github import GitHub, GitHubError

BRANCH = "main"
REQUIRED_CHECK = "pull request"  # the pull-request workflow's final job (.github/workflows/pull-request.yml)
CODEOWNERS_PATHS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
# A change to these changes how every environment is applied: code owners must review it.
OWNED = tuple(p for p in APPLY_PATH if p.endswith("/"))
PLACEHOLDER_OWNER = "@your-org/platform-team"  # .github/CODEOWNERS as shipped


@dataclass
class Item:
    name: str
    ok: bool
    fix: str = ""

    def line(self) -> str:
        return f"ok       {self.name}" if self.ok else f"MISSING  {self.name}: {self.fix}"


class Unreadable(RuntimeError):
    pass


def get(github: GitHub, path: str):
    """The setting, or None when GitHub says it does not exist (404)."""
    try:
        return github.request("GET", path)
    except GitHubError as error:
        if "HTTP 404" in str(error):
            return None
        if "HTTP 403" in str(error) or "HTTP 401" in str(error):
            raise Unreadable(
                f"{path}: {error}. The token cannot read it: use one with Administration, Environments and "
                "Contents read access (drift.yml: secret DDB_WARMER_SETTINGS_TOKEN)."
            ) from None
        raise


def environment_items(github: GitHub, name: str, reviewed: bool) -> list[Item]:
    where = f"Settings → Environments → {name}"
    found = get(github, f"/environments/{name}")
    if found is None:
        return [Item(f"environment {name}", False, f"create the environment {name!r} ({where})")]
    rules = {r.get("type"): r for r in found.get("protection_rules") or []}
    reviewers = rules.get("required_reviewers") or {}
    items = []
    if reviewed:
        items += [
            Item(
                f"environment {name}: required reviewers",
                bool(reviewers.get("reviewers")),
                f"{where} → Required reviewers: add the people or team who approve its applies",
            ),
            Item(
                f"environment {name}: prevent self-review",
                reviewers.get("prevent_self_review") is True,
                f"{where} → Prevent self-review: on (whoever merged cannot approve their own apply)",
            ),
        ]
    policy = found.get("deployment_branch_policy") or {}
    branches = []
    if policy.get("custom_branch_policies"):
        listed = get(github, f"/environments/{name}/deployment-branch-policies") or {}
        branches = [(p.get("name"), p.get("type", "branch")) for p in listed.get("branch_policies") or []]
    items.append(
        Item(
            f"environment {name}: deployments from {BRANCH} only",
            branches == [(BRANCH, "branch")],
            f"{where} → Deployment branches and tags: Selected branches, exactly {BRANCH!r}",
        )
    )
    return items


def branch_items(github: GitHub) -> list[Item]:
    """main's rules: active rulesets first, classic branch protection as the alternative."""
    reviews = owners = check = False
    for rule in get(github, f"/rules/branches/{BRANCH}") or []:
        parameters = rule.get("parameters") or {}
        if rule.get("type") == "pull_request":
            reviews |= (parameters.get("required_approving_review_count") or 0) >= 1
            owners |= parameters.get("require_code_owner_review") is True
        if rule.get("type") == "required_status_checks":
            check |= any(c.get("context") == REQUIRED_CHECK for c in parameters.get("required_status_checks") or [])
    protection = get(github, f"/branches/{BRANCH}/protection") or {}
    pull = protection.get("required_pull_request_reviews") or {}
    reviews |= (pull.get("required_approving_review_count") or 0) >= 1
    owners |= pull.get("require_code_owner_reviews") is True
    status = protection.get("required_status_checks") or {}
    check |= REQUIRED_CHECK in (status.get("contexts") or []) or any(
        c.get("context") == REQUIRED_CHECK for c in status.get("checks") or []
    )
    where = f"Settings → Rules → Rulesets (or Branches) for {BRANCH}"
    return [
        Item(f"{BRANCH}: required reviews", reviews, f"{where}: require a pull request with at least 1 approval"),
        Item(f"{BRANCH}: code owners' review", owners, f"{where}: require review from Code Owners"),
        Item(
            f"{BRANCH}: required check {REQUIRED_CHECK!r}",
            check,
            f"{where}: require the status check {REQUIRED_CHECK!r} (the pull-request workflow's summary job)",
        ),
    ]


def actions_items(github: GitHub) -> list[Item]:
    where = "Settings → Actions → General"
    workflow = get(github, "/actions/permissions/workflow") or {}
    forks = get(github, "/actions/permissions/fork-pr-contributor-approval") or {}
    return [
        Item(
            "Actions: workflows' token read-only by default",
            workflow.get("default_workflow_permissions") == "read",
            f"{where} → Workflow permissions: Read repository contents and packages permissions",
        ),
        Item(
            "Actions: workflows cannot approve pull requests",
            workflow.get("can_approve_pull_request_reviews") is False,
            f"{where} → untick 'Allow GitHub Actions to create and approve pull requests'",
        ),
        Item(
            "Actions: fork pull requests wait for approval",
            forks.get("approval_policy") == "all_external_contributors",
            f"{where} → Approval for running fork pull request workflows: "
            "Require approval for all external contributors",
        ),
    ]


def covers(pattern: str, directory: str) -> bool:
    """Whether a CODEOWNERS pattern matches the files of `directory` (gitignore-like, as far as CODEOWNERS uses it):
    a pattern with a slash other than at its end is anchored at the root, else it matches at any depth; it
    matches a file or any folder above it."""
    anchored = "/" in pattern.rstrip("/")
    name = pattern.strip("/") or "*"
    segments = f"{directory}any-file".split("/")
    starts = [0] if anchored else range(len(segments))
    return any(
        fnmatch.fnmatchcase("/".join(segments[start:end]), name)
        for start in starts
        for end in range(start + 1, len(segments) + 1)
    )


def owners_of(rules: list[tuple[str, list[str]]], directory: str) -> list[str]:
    """The owners of the last rule that matches (CODEOWNERS: the last match wins)."""
    found: list[str] = []
    for pattern, owners in rules:
        if covers(pattern, directory):
            found = owners
    return found


def codeowners_items(github: GitHub) -> list[Item]:
    text = None
    for path in CODEOWNERS_PATHS:
        found = get(github, f"/contents/{path}?ref={BRANCH}")
        if found and found.get("content") is not None:
            text = base64.b64decode(found["content"]).decode()
            break
    if text is None:
        return [Item("CODEOWNERS", False, "add .github/CODEOWNERS on main (the repository ships an example)")]
    rules = []
    for line in text.splitlines():
        words = line.split("#", 1)[0].split()
        if words:
            rules.append((words[0], words[1:]))
    items = []
    for directory in OWNED:
        owners = owners_of(rules, directory)
        fix = (
            f"replace the placeholder {PLACEHOLDER_OWNER} with your team"
            if PLACEHOLDER_OWNER in owners
            else f"add a line '/{directory} @<your team>'"
        )
        items.append(Item(f"CODEOWNERS covers {directory}", bool(owners) and PLACEHOLDER_OWNER not in owners, fix))
    return items


def check(github: GitHub, unreviewed: set[str]) -> list[Item]:
    items = []
    for environment in environments():
        items += environment_items(github, environment, environment not in unreviewed)
    return items + branch_items(github) + actions_items(github) + codeowners_items(github)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="ddb-warmer check-github",
        description=__doc__.splitlines()[0],
        epilog="Exit codes: 0 every item ok; 1 an item is missing; 2 a setting could not be read.",
    )
    parser.add_argument(
        "--unreviewed",
        action="append",
        default=[],
        metavar="ENVIRONMENT",
        help="an environment deliberately applied without reviewers (still deployed from main only); repeatable",
    )
    args = parser.parse_args(argv)
    try:
        items = check(GitHub.from_environment(), set(args.unreviewed))
    except (Unreadable, GitHubError) as error:
        print(f"ddb-warmer check-github: could not read the settings: {error}", file=sys.stderr)
        return 2
    for item in items:
        print(item.line())
    missing = [i for i in items if not i.ok]
    print(f"{len(items) - len(missing)} of {len(items)} ok" + (f", {len(missing)} to set" if missing else ""))
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
