"""IAM policy evaluation for the tests, by @cloud-copilot/iam-simulate (a test-time tool only).

`evaluate(requests)` sends every request to one Node process (tests/iam/evaluator/
evaluate.mjs) and returns one result per request: "decision" is Allowed,
ImplicitlyDenied, ExplicitlyDenied or Error, with the statements and conditions
that decided it. A request is
    {"policies": {"identity": [doc, ...], "resource": doc?, ...},
     "principal": arn, "action": "dynamodb:GetItem", "resource": arn,
     "context": {"dynamodb:LeadingKeys": ["..."], ...}}
Unknown actions, condition operators and keys in a policy, and context keys
that do not apply to the action, are "Error" rather than silently ignored.
The bootstrap installs the pinned package (`npm ci`); its node_modules is
git-ignored and never part of the Lambda package or the Python distribution.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

EVALUATOR = Path(__file__).parent / "evaluator"
ALLOWED = "Allowed"


def available() -> str | None:
    """Why the evaluator cannot run, or None when it can."""
    if shutil.which("node") is None:
        return "node is not on PATH (the IAM evaluator runs on Node.js; see README: Tools and versions)"
    if not (EVALUATOR / "node_modules" / "@cloud-copilot" / "iam-simulate").is_dir():
        return "the IAM evaluator is not installed: run `make bootstrap`"
    return None


def evaluate(requests: list[dict], **options) -> list[dict]:
    problem = available()
    if problem:
        raise RuntimeError(problem)
    done = subprocess.run(
        ["node", str(EVALUATOR / "evaluate.mjs")],
        input=json.dumps({"options": options, "requests": requests}),
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode == 2 or not done.stdout.strip():
        raise RuntimeError(f"IAM evaluator failed (exit {done.returncode}): {done.stderr[-2000:]}")
    return json.loads(done.stdout)["results"]


def decisions(requests: list[dict], **options) -> list[str]:
    return [result["decision"] for result in evaluate(requests, **options)]


def explain(result: dict) -> str:
    """One readable line for an assertion message."""
    reasons = result.get("statements") or result.get("errors") or result.get("deniedBy") or ""
    return f"{result.get('id', '')} {result.get('decision')}: {json.dumps(reasons)[:1500]}"
