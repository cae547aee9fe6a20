"""A fake GitHub REST API on 127.0.0.1: issues, comments, main's head and a commit's pull requests, in memory.

Answers the calls of ddb_warmer/ci/github.py the way GitHub's REST API does, for
one repository (acme/ddb-warmer). `state` is what a test arranges and inspects:
    issues, comments, calls: lists; main: main's head sha; pulls: {merge sha: pull number}
    runs: [{"head_sha", ...}] successful workflow runs, newest first; dispatches: [(workflow, ref)]
    settings: {API path: answer} for the repository settings check-github reads (404 when absent)
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from ddb_warmer.ci.github import GitHub

REPOSITORY = "acme/ddb-warmer"
# Who the fake says wrote what it creates: the token's bot, as GitHub does for GITHUB_TOKEN.
BOT = {"login": "github-actions[bot]", "type": "Bot"}


class FakeGitHub(BaseHTTPRequestHandler):
    state: dict

    def log_message(self, *args):
        pass

    def _send(self, status: int, body) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> dict:
        return json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")

    def _path(self) -> str:
        return urlsplit(self.path).path.removeprefix(f"/repos/{REPOSITORY}")

    def do_GET(self):
        path, query = self._path(), parse_qs(urlsplit(self.path).query)
        self.state["calls"].append(("GET", path))
        page = int(query.get("page", ["1"])[0])
        if path.startswith("/actions/workflows/") and path.endswith("/runs"):
            return self._send(200, {"total_count": len(self.state["runs"]), "workflow_runs": self.state["runs"][:1]})
        if path in self.state.get("forbidden", ()):
            return self._send(403, {"message": "Resource not accessible by integration"})
        if path in self.state["settings"]:
            return self._send(200, self.state["settings"][path])
        if path.startswith(("/environments", "/rules", "/actions/permissions", "/contents", "/branches")):
            return self._send(404, {"message": "Not Found"})
        if path == "/git/ref/heads/main":
            return self._send(200, {"ref": "refs/heads/main", "object": {"sha": self.state["main"], "type": "commit"}})
        if path.startswith("/commits/") and path.endswith("/pulls"):
            sha = path.split("/")[2]
            number = self.state["pulls"].get(sha)
            pulls = [{"number": number, "merged_at": "2026-11-30T00:00:00Z", "merge_commit_sha": sha}] if number else []
            return self._send(200, pulls)
        if path.startswith("/issues/") and path.endswith("/comments"):
            number = int(path.split("/")[2])
            items = [c for c in self.state["comments"] if c["issue"] == number]
        else:
            label = query.get("labels", [None])[0]
            items = [
                i
                for i in self.state["issues"]
                if i["state"] == "open" and (label is None or label in i.get("labels", []))
            ]
        self._send(200, items[(page - 1) * 100 : page * 100])

    def do_POST(self):
        path, body = self._path(), self._body()
        self.state["calls"].append(("POST", path))
        if path.startswith("/actions/workflows/") and path.endswith("/dispatches"):
            self.state["dispatches"].append((path.split("/")[3], body.get("ref")))
            return self._send(204, None)
        if path == "/issues":
            issue = {"number": len(self.state["issues"]) + 100, "state": "open", "user": BOT, **body}
            self.state["issues"].append(issue)
            return self._send(201, issue)
        number = int(path.split("/")[2])
        comment = {"id": len(self.state["comments"]) + 1, "issue": number, "user": BOT, **body}
        self.state["comments"].append(comment)
        self._send(201, comment)

    def do_PATCH(self):
        path, body = self._path(), self._body()
        self.state["calls"].append(("PATCH", path))
        kind, ident = path.split("/")[-2], int(path.split("/")[-1])
        store = self.state["comments"] if kind == "comments" else self.state["issues"]
        item = next(i for i in store if i.get("id", i.get("number")) == ident)
        item.update(body)
        self._send(200, item)


@contextlib.contextmanager
def fake_github() -> Iterator[tuple[GitHub, dict]]:
    """A client of a fresh fake GitHub on a free loopback port, and the fake's state."""
    state = {
        "issues": [],
        "comments": [],
        "calls": [],
        "main": "",
        "pulls": {},
        "runs": [],
        "dispatches": [],
        "settings": {},
    }
    handler = type("Handler", (FakeGitHub,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield GitHub(REPOSITORY, "token", f"http://127.0.0.1:{server.server_port}"), state
    finally:
        server.shutdown()
        server.server_close()


def issues_by_environment(state: dict, label: str, marker, environments) -> dict[str, dict]:
    """{environment name: its issue}: the issues with `label` whose body holds `marker(environment name)`."""
    return {
        environment.name: issue
        for issue in state["issues"]
        if label in issue.get("labels", [])
        for environment in environments
        if marker(environment.name) in issue["body"]
    }
