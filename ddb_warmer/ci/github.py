"""The few GitHub REST calls the workflows need: sticky PR comments, the merged PR of a commit, issues.

Standard library only. GITHUB_API_URL (set on every Actions runner) names the
API, so tests point it at a local fake; GITHUB_TOKEN authenticates.

Only comments and issues written by the workflow's own bot identity are found
(and so edited, marked outdated or closed): a marker is plain text anyone can
post, the author is not. The identity is GITHUB_TOKEN's, "github-actions[bot]";
DDB_WARMER_BOT_LOGIN names another (a GitHub App's "<app>[bot]").
"""

from __future__ import annotations

import json
import os
import urllib.request
from dataclasses import dataclass


class GitHubError(RuntimeError):
    pass


ACTIONS_BOT = "github-actions[bot]"


def written_by(item: dict, login: str) -> bool:
    user = item.get("user") or {}
    return user.get("login") == login and user.get("type") == "Bot"


@dataclass
class GitHub:
    repository: str  # "owner/name"
    token: str
    api: str = "https://api.github.com"
    bot: str = ACTIONS_BOT  # the login whose comments and issues are ours

    @classmethod
    def from_environment(cls) -> GitHub:
        try:
            return cls(
                os.environ["GITHUB_REPOSITORY"],
                os.environ["GITHUB_TOKEN"],
                os.environ.get("GITHUB_API_URL", "https://api.github.com"),
                os.environ.get("DDB_WARMER_BOT_LOGIN") or ACTIONS_BOT,
            )
        except KeyError as missing:
            raise GitHubError(f"{missing.args[0]} is not set (the workflow passes it)") from None

    def request(self, method: str, path: str, body: dict | None = None):
        request = urllib.request.Request(
            f"{self.api}/repos/{self.repository}{path}",
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={
                "Authorization": f"Bearer {self.token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
                "Content-Type": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            raise GitHubError(f"{method} {path}: HTTP {error.code} {error.read()[:500]!r}") from None
        except urllib.error.URLError as error:
            raise GitHubError(f"{method} {path}: {self.api} unreachable ({error.reason})") from None

    def paged(self, path: str) -> list:
        items, page = [], 1
        while True:
            separator = "&" if "?" in path else "?"
            batch = self.request("GET", f"{path}{separator}per_page=100&page={page}")
            items += batch
            if len(batch) < 100:
                return items
            page += 1

    # --- the sticky plan comment -------------------------------------------

    def comments_with(self, pull_request: int, marker: str) -> list[dict]:
        """The bot's own comments that carry `marker`; the same marker posted by anyone else is ignored."""
        return [
            c
            for c in self.paged(f"/issues/{pull_request}/comments")
            if marker in (c.get("body") or "") and written_by(c, self.bot)
        ]

    def upsert_comment(self, pull_request: int, marker: str, body: str) -> str:
        """Edit the comment that carries `marker`, or create it. Returns "updated" or "created"."""
        for comment in self.comments_with(pull_request, marker):
            self.request("PATCH", f"/issues/comments/{comment['id']}", {"body": body})
            return "updated"
        self.request("POST", f"/issues/{pull_request}/comments", {"body": body})
        return "created"

    def edit_comment(self, comment_id: int, body: str) -> None:
        self.request("PATCH", f"/issues/comments/{comment_id}", {"body": body})

    def branch_head(self, branch: str) -> str:
        return self.request("GET", f"/git/ref/heads/{branch}")["object"]["sha"]

    def merged_pull_request(self, sha: str) -> int | None:
        """The pull request whose merge made commit `sha` (none for a direct push)."""
        for pull in self.request("GET", f"/commits/{sha}/pulls"):
            if pull.get("merged_at") and pull.get("merge_commit_sha") == sha:
                return pull["number"]
        return None

    # --- workflow runs: what was applied last, a fresh run -------------------

    def last_successful_run_sha(self, workflow: str, branch: str = "main") -> str | None:
        """The commit of the newest successful run of `workflow` (its file name) on `branch`."""
        runs = self.request("GET", f"/actions/workflows/{workflow}/runs?branch={branch}&status=success&per_page=1")
        found = (runs or {}).get("workflow_runs") or []
        return found[0]["head_sha"] if found else None

    def dispatch(self, workflow: str, ref: str = "main") -> None:
        self.request("POST", f"/actions/workflows/{workflow}/dispatches", {"ref": ref})

    # --- issues: drift, failed applies ------------------------------------

    def open_issue_with(self, marker: str, label: str = "drift") -> dict | None:
        for issue in self.paged(f"/issues?state=open&labels={label}"):
            if marker in (issue.get("body") or "") and "pull_request" not in issue and written_by(issue, self.bot):
                return issue
        return None

    def upsert_issue(self, marker: str, title: str, body: str, label: str = "drift") -> str:
        issue = self.open_issue_with(marker, label)
        if issue:
            self.request("PATCH", f"/issues/{issue['number']}", {"title": title, "body": body})
            return "updated"
        self.request("POST", "/issues", {"title": title, "body": body, "labels": [label]})
        return "opened"

    def keep_issue(self, marker: str, label: str, issue: tuple[str, str] | None, closing: str) -> str:
        """An issue kept as a scheduled job keeps it: opened or updated to (title, body) while there is an
        `issue` to report, closed with the `closing` comment once there is none. What was done: opened,
        updated, closed or none (none was open)."""
        if issue is not None:
            title, body = issue
            return self.upsert_issue(marker, title, body, label)
        return "closed" if self.close_issue_with(marker, closing, label) else "none"

    def close_issue_with(self, marker: str, comment: str, label: str = "drift") -> bool:
        issue = self.open_issue_with(marker, label)
        if not issue:
            return False
        self.request("POST", f"/issues/{issue['number']}/comments", {"body": comment})
        self.request("PATCH", f"/issues/{issue['number']}", {"state": "closed", "state_reason": "completed"})
        return True
