"""Check the repository's GitHub settings that the CI roles' safety rests on, through the REST API.

    ddb-warmer check-github [--unreviewed dev]      (or python -m ddb_warmer.ci.check_github)

The AWS roles trust a GitHub Environment's jobs and the plan role trusts pull
requests: what stands between a branch and an apply is GitHub's settings, so
they are read, not assumed. For each environment of live/ (whatever it holds):
required reviewers, prevent self-review, no admin bypass, deployments from main
only. For main (rulesets or classic branch protection): required reviews, code
owners' review, stale approvals dismissed on push (or the last push approved),
no bypass (no bypass actors on the rulesets, or admins included in classic
protection), the required check "pull request". Actions: workflows' default
token read-only and unable to approve pull requests, approval before fork pull
requests run, no write token or secrets for fork pull requests (private
repositories). A CODEOWNERS file with an owner for every path (a default line)
whose owners (not the example's placeholder) cover the CI code. Each item is
printed "ok" or with what to set.

The apply workflow runs it before the first environment and stops on a missing
item, so a setting is checked before it matters, not a day after.

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
import os
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


# The apply workflow checks the settings with this secret before its first environment; a repository
# that cannot give one says so with the variable, and every plan comment then says that nothing was checked.
SETTINGS_TOKEN = "DDB_WARMER_SETTINGS_TOKEN"
UNCHECKED_VARIABLE = "DDB_WARMER_SETTINGS_UNCHECKED"
SETTINGS_UNCHECKED_NOTICE = (
    "\n> [!WARNING]\n> **Repository settings are not checked before apply** "
    f"(`{UNCHECKED_VARIABLE}=true`): reviewers, code owners and branch rules of `main` and the environments "
    f"are assumed, not read. Set the secret `{SETTINGS_TOKEN}` and remove the variable.\n"
)


def settings_unchecked(environ) -> bool:
    return environ.get(UNCHECKED_VARIABLE, "").strip().lower() == "true"


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
    items.append(
        Item(
            f"environment {name}: no admin bypass",
            # GitHub's default is true: only an explicit false means admins wait for the reviewers too.
            found.get("can_admins_bypass") is False,
            f"{where} → untick 'Allow administrators to bypass configured protection rules'",
        )
    )
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
    reviews = owners = check = fresh = False
    ruleset_ids = set()
    for rule in get(github, f"/rules/branches/{BRANCH}") or []:
        parameters = rule.get("parameters") or {}
        if rule.get("type") == "pull_request":
            reviews |= (parameters.get("required_approving_review_count") or 0) >= 1
            owners |= parameters.get("require_code_owner_review") is True
            # An approval given before a later push must not carry that push to main.
            fresh |= parameters.get("dismiss_stale_reviews_on_push") is True
            fresh |= parameters.get("require_last_push_approval") is True
            if rule.get("ruleset_id") is not None:
                ruleset_ids.add(rule["ruleset_id"])
        if rule.get("type") == "required_status_checks":
            check |= any(c.get("context") == REQUIRED_CHECK for c in parameters.get("required_status_checks") or [])
    protection = get(github, f"/branches/{BRANCH}/protection") or {}
    pull = protection.get("required_pull_request_reviews") or {}
    reviews |= (pull.get("required_approving_review_count") or 0) >= 1
    owners |= pull.get("require_code_owner_reviews") is True
    fresh |= pull.get("dismiss_stale_reviews") is True or pull.get("require_last_push_approval") is True
    status = protection.get("required_status_checks") or {}
    check |= REQUIRED_CHECK in (status.get("contexts") or []) or any(
        c.get("context") == REQUIRED_CHECK for c in status.get("checks") or []
    )
    where = f"Settings → Rules → Rulesets (or Branches) for {BRANCH}"
    return [
        Item(f"{BRANCH}: required reviews", reviews, f"{where}: require a pull request with at least 1 approval"),
        Item(f"{BRANCH}: code owners' review", owners, f"{where}: require review from Code Owners"),
        Item(
            f"{BRANCH}: no stale approval",
            fresh,
            f"{where}: dismiss stale pull request approvals when new commits are pushed "
            "(or require approval of the most recent reviewable push)",
        ),
        no_bypass_item(github, ruleset_ids, protection, where),
        Item(
            f"{BRANCH}: required check {REQUIRED_CHECK!r}",
            check,
            f"{where}: require the status check {REQUIRED_CHECK!r} (the pull-request workflow's summary job)",
        ),
    ]


def no_bypass_item(github: GitHub, ruleset_ids: set, protection: dict, where: str) -> Item:
    """Nobody skips the review: the rulesets that require it list no bypass actor, or classic protection
    (when it is what requires the review) includes administrators."""
    bypassed = []
    for ruleset_id in sorted(ruleset_ids):
        ruleset = get(github, f"/rulesets/{ruleset_id}") or {}
        bypassed += [
            f"{actor.get('actor_type')} {actor.get('actor_id')}" for actor in ruleset.get("bypass_actors") or []
        ]
    classic = bool(protection.get("required_pull_request_reviews"))
    admins_included = (protection.get("enforce_admins") or {}).get("enabled") is True
    ok = not bypassed and (not classic or admins_included) and bool(ruleset_ids or classic)
    fix = (
        f"{where}: remove the bypass list ({', '.join(bypassed)})"
        if bypassed
        else f"{where}: do not allow bypassing the settings (classic: 'Do not allow bypassing', admins included)"
    )
    return Item(f"{BRANCH}: nobody bypasses the review", ok, fix)


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
        fork_tokens_item(github, where),
    ]


def fork_tokens_item(github: GitHub, where: str) -> Item:
    """Fork pull requests get no write token and no secret. A public repository never sends them (GitHub
    answers 404 for its private-repository setting); a private one has the setting:
    https://docs.github.com/en/rest/actions/permissions#get-private-repo-fork-pr-workflow-settings-for-a-repository"""
    private = get(github, "/actions/permissions/fork-pr-workflows-private-repos")
    name = "Actions: fork pull requests get no write token and no secret"
    if private is None:
        return Item(name, True)
    ok = private.get("send_write_tokens_to_workflows") is False and private.get("send_secrets_and_variables") is False
    return Item(
        name,
        ok,
        f"{where} → Fork pull request workflows in private repositories: untick 'Send write tokens to "
        "workflows from pull requests' and 'Send secrets and variables to workflows from pull requests'",
    )


def covers(pattern: str, path: str) -> bool:
    """Whether a CODEOWNERS pattern matches the file `path` (gitignore-like, as far as CODEOWNERS uses it):
    a pattern with a slash other than at its end is anchored at the root, else it matches at any depth; it
    matches a file or any folder above it. A folder's files: `covers(pattern, "folder/any-file")`."""
    anchored = "/" in pattern.rstrip("/")
    name = pattern.strip("/") or "*"
    segments = path.split("/")
    starts = [0] if anchored else range(len(segments))
    return any(
        fnmatch.fnmatchcase("/".join(segments[start:end]), name)
        for start in starts
        for end in range(start + 1, len(segments) + 1)
    )


def codeowners_rules(text: str) -> list[tuple[str, list[str]]]:
    """(pattern, owners) per line of a CODEOWNERS file, in order."""
    rules = []
    for line in text.splitlines():
        words = line.split("#", 1)[0].split()
        if words:
            rules.append((words[0], words[1:]))
    return rules


def owners_of(rules: list[tuple[str, list[str]]], path: str) -> list[str]:
    """The owners of the last rule that matches the file `path` (CODEOWNERS: the last match wins)."""
    found: list[str] = []
    for pattern, owners in rules:
        if covers(pattern, path):
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
    rules = codeowners_rules(text)
    default = owners_of(rules, "a-new-folder/a-new-file")
    items = [
        Item(
            "CODEOWNERS owns every path (a default line)",
            bool(default) and PLACEHOLDER_OWNER not in default,
            f"replace the placeholder {PLACEHOLDER_OWNER} with your team"
            if PLACEHOLDER_OWNER in default
            else "add a first line '* @<your team>': a new file anywhere (setup.py, requirements/) needs a review",
        )
    ]
    for directory in OWNED:
        owners = owners_of(rules, f"{directory}any-file")
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
        epilog="Exit codes: 0 every item ok (or, with --before-apply, settings deliberately unchecked); "
        "1 an item is missing; 2 a setting could not be read, or no settings token to read them with.",
    )
    parser.add_argument(
        "--unreviewed",
        action="append",
        default=[],
        metavar="ENVIRONMENT",
        help="an environment deliberately applied without reviewers (still deployed from main only); repeatable. "
        "The repository variable DDB_WARMER_UNREVIEWED (names separated by spaces) adds to it.",
    )
    parser.add_argument(
        "--before-apply",
        action="store_true",
        help=f"the apply workflow's gate: read the settings with the secret {SETTINGS_TOKEN} (environment "
        f"variable of that name); without it, stop unless {UNCHECKED_VARIABLE}=true",
    )
    args = parser.parse_args(argv)
    unreviewed = set(args.unreviewed) | set(os.environ.get("DDB_WARMER_UNREVIEWED", "").split())
    if args.before_apply:
        token = os.environ.get(SETTINGS_TOKEN, "").strip()
        if not token:
            if settings_unchecked(os.environ):
                print(
                    f"::warning::repository settings not checked ({UNCHECKED_VARIABLE}=true): set the secret "
                    f"{SETTINGS_TOKEN} to check them before every apply"
                )
                return 0
            print(
                f"ddb-warmer check-github: no settings token: set the repository secret {SETTINGS_TOKEN} (a "
                "fine-grained token with Administration, Environments and Contents read), or the repository "
                f"variable {UNCHECKED_VARIABLE}=true to apply without checking (every plan comment then says so)",
                file=sys.stderr,
            )
            return 2
        os.environ["GITHUB_TOKEN"] = token
    try:
        items = check(GitHub.from_environment(), unreviewed)
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
