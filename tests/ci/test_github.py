"""The sticky comment and the drift issue against a fake GitHub API on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from ddb_warmer.ci.comment import marker
from ddb_warmer.ci.drift import drift_marker, report_drift
from ddb_warmer.ci.github import GitHub
from ddb_warmer.ci.unit_plan import UnitPlan


class FakeGitHub(BaseHTTPRequestHandler):
    """Issues and comments of one repository, in memory, as GitHub's REST API answers them."""

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

    def do_GET(self):
        path = self.path.split("?")[0].removeprefix("/repos/acme/ddb-warmer")
        self.state["calls"].append(("GET", path))
        page = int(parse_qs(urlsplit(self.path).query).get("page", ["1"])[0])
        if path.startswith("/issues/") and path.endswith("/comments"):
            number = int(path.split("/")[2])
            items = [c for c in self.state["comments"] if c["issue"] == number]
        else:
            items = [i for i in self.state["issues"] if i["state"] == "open"]
        self._send(200, items[(page - 1) * 100 : page * 100])

    def do_POST(self):
        path, body = self.path.removeprefix("/repos/acme/ddb-warmer"), self._body()
        self.state["calls"].append(("POST", path))
        if path == "/issues":
            issue = {"number": len(self.state["issues"]) + 100, "state": "open", **body}
            self.state["issues"].append(issue)
            return self._send(201, issue)
        number = int(path.split("/")[2])
        comment = {"id": len(self.state["comments"]) + 1, "issue": number, **body}
        self.state["comments"].append(comment)
        self._send(201, comment)

    def do_PATCH(self):
        path, body = self.path.removeprefix("/repos/acme/ddb-warmer"), self._body()
        self.state["calls"].append(("PATCH", path))
        kind, ident = path.split("/")[-2], int(path.split("/")[-1])
        store = self.state["comments"] if kind == "comments" else self.state["issues"]
        item = next(i for i in store if i.get("id", i.get("number")) == ident)
        item.update(body)
        self._send(200, item)


@pytest.fixture
def github():
    state = {"issues": [], "comments": [], "calls": []}
    handler = type("Handler", (FakeGitHub,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield GitHub("acme/ddb-warmer", "token", f"http://127.0.0.1:{server.server_port}"), state
    server.shutdown()


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
