"""Report an environment's apply: a comment on the merged pull request, an issue when it failed.

    python -m ddb_warmer.ci.report_apply --environment prod --results plans/prod/apply.json --sha <sha>
    python -m ddb_warmer.ci.report_apply --environments "dev staging prod" --results-dir results/

The second form is the apply workflow's report job: each environment's results
are in <results-dir>/apply-<environment>/apply.json, from its apply job. The
environments applied one after another in the order given, so it reports each
one that has results until one that failed, and an environment without results
that came right after a success as stopped before applying; the ones after a
failure never ran and get no report.

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
    outcome: dict[str, int | str | None] = {"comment": None, "issue": None}
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


def applied_in_order(environments: list[str], results_dir: Path) -> list[tuple[str, Path]]:
    """(environment, its apply.json) for each environment that ran, in the order they applied."""
    ran = []
    for environment in environments:
        path = results_dir / f"apply-{environment}" / "apply.json"
        ran.append((environment, path))
        if not all(r.ok for r in load(path, environment)):
            break  # it failed, or stopped before applying: none after it ran
    return ran


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--environment")
    which.add_argument("--environments", help="every environment of the run, in promotion order, space-separated")
    parser.add_argument("--results", type=Path, help="apply.json of ddb_warmer.ci.apply (with --environment)")
    parser.add_argument("--results-dir", type=Path, help="apply-<environment>/apply.json each (with --environments)")
    parser.add_argument("--sha", default=os.environ.get("GITHUB_SHA", ""), help="the merged commit")
    args = parser.parse_args(argv)
    if args.environment:
        if args.results is None:
            parser.error("--environment needs --results")
        ran = [(args.environment, args.results)]
    else:
        if args.results_dir is None:
            parser.error("--environments needs --results-dir")
        ran = applied_in_order(args.environments.split(), args.results_dir)
    github = GitHub.from_environment()
    for environment, path in ran:
        outcome = report(github, environment, load(path, environment), args.sha, run_url())
        print(f"apply of live/{environment} reported: {outcome}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
