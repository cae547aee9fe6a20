"""Report an environment's apply: a comment on the merged pull request, an issue when it failed.

    python -m ddb_warmer.ci.report_apply --environment prod --results plans/prod/apply.json --sha <sha>

The comment gives each unit's counts or error. A failed apply opens (or
updates) one issue per environment, labelled `apply-failed`; the next
successful apply of that environment closes it. Without results (the job
stopped before applying) the apply counts as failed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from ddb_warmer.ci.apply import UnitApply
from ddb_warmer.ci.comment import mask_secrets, run_url
from ddb_warmer.ci.github import GitHub

LABEL = "apply-failed"


def issue_marker(environment: str) -> str:
    return f"<!-- ddb-warmer-apply-failed:{environment} -->"


def render(environment: str, results: list[UnitApply], sha: str, link: str | None) -> str:
    ok = all(r.ok for r in results)
    lines = [
        f"### {'✅' if ok else '❌'} Apply of `live/{environment}` at `{sha}`",
        "",
        "| unit | result |",
        "|---|---|",
    ]
    for r in results:
        cell = f"{r.added} added, {r.changed} changed, {r.destroyed} destroyed" if r.ok else "❌ failed"
        lines.append(f"| `{r.unit}` | {cell} |")
    for r in results:
        if not r.ok:
            lines += ["", f"<details><summary>error: <code>{r.unit}</code></summary>", "", "```text"]
            lines += [mask_secrets(r.error)[:20_000].replace("```", "`\u200b``"), "```", "</details>"]
    if link:
        lines += ["", f"[Run log]({link})"]
    return "\n".join(lines) + "\n"


def report(github: GitHub, environment: str, results: list[UnitApply], sha: str, link: str | None) -> dict:
    body = render(environment, results, sha, link)
    outcome = {"comment": None, "issue": None}
    pull_request = github.merged_pull_request(sha)
    if pull_request is not None:
        github.request("POST", f"/issues/{pull_request}/comments", {"body": body})
        outcome["comment"] = pull_request
    marker = issue_marker(environment)
    if all(r.ok for r in results):
        closed = github.close_issue_with(marker, f"Applied `live/{environment}` at `{sha}`.", LABEL)
        outcome["issue"] = "closed" if closed else None
    else:
        title = f"Apply failed: live/{environment}"
        outcome["issue"] = github.upsert_issue(marker, title, f"{marker}\n{body}", LABEL)
    return outcome


def load(path: Path, environment: str) -> list[UnitApply]:
    if not path.exists():
        return [UnitApply(environment, False, error="the job stopped before applying; see the run log")]
    return [UnitApply(**entry) for entry in json.loads(path.read_text())]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--environment", required=True)
    parser.add_argument("--results", type=Path, required=True, help="apply.json of ddb_warmer.ci.apply")
    parser.add_argument("--sha", default=os.environ.get("GITHUB_SHA", ""), help="the merged commit")
    args = parser.parse_args(argv)
    results = load(args.results, args.environment)
    outcome = report(GitHub.from_environment(), args.environment, results, args.sha, run_url())
    print(f"apply of live/{args.environment} reported: {outcome}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
