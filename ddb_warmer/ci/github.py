"""The few GitHub REST calls the workflows need: a sticky PR comment, and drift issues.

Standard library only. GITHUB_API_URL (set on every Actions runner) names the
API, so tests point it at a local fake; GITHUB_TOKEN authenticates.
"""

from __future__ import annotations

import json
import os
import urllib.request
from dataclasses import dataclass


class GitHubError(RuntimeError):
    pass


@dataclass
class GitHub:
    repository: str  # "owner/name"
    token: str
    api: str = "https://api.github.com"

    @classmethod
    def from_environment(cls) -> GitHub:
        try:
            return cls(
                os.environ["GITHUB_REPOSITORY"],
                os.environ["GITHUB_TOKEN"],
                os.environ.get("GITHUB_API_URL", "https://api.github.com"),
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

    def upsert_comment(self, pull_request: int, marker: str, body: str) -> str:
        """Edit the comment that carries `marker`, or create it. Returns "updated" or "created"."""
        for comment in self.paged(f"/issues/{pull_request}/comments"):
            if marker in (comment.get("body") or ""):
                self.request("PATCH", f"/issues/comments/{comment['id']}", {"body": body})
                return "updated"
        self.request("POST", f"/issues/{pull_request}/comments", {"body": body})
        return "created"

    # --- drift issues -------------------------------------------------------

    def open_issue_with(self, marker: str) -> dict | None:
        for issue in self.paged("/issues?state=open&labels=drift"):
            if marker in (issue.get("body") or "") and "pull_request" not in issue:
                return issue
        return None

    def upsert_issue(self, marker: str, title: str, body: str) -> str:
        issue = self.open_issue_with(marker)
        if issue:
            self.request("PATCH", f"/issues/{issue['number']}", {"title": title, "body": body})
            return "updated"
        self.request("POST", "/issues", {"title": title, "body": body, "labels": ["drift"]})
        return "opened"

    def close_issue_with(self, marker: str, comment: str) -> bool:
        issue = self.open_issue_with(marker)
        if not issue:
            return False
        self.request("POST", f"/issues/{issue['number']}/comments", {"body": comment})
        self.request("PATCH", f"/issues/{issue['number']}", {"state": "closed", "state_reason": "completed"})
        return True
