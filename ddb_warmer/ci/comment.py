"""The pull-request comment for one environment's plan: sticky, summary first, under GitHub's limit.

Layout: a hidden marker (so the same comment is found and edited on every
push), the commit and time it is for, destructive changes called out at the
top, a summary table per unit, Terraform's warnings (check blocks,
deprecations), the tables each pattern and exclude matches per unit, then each
unit's full plan in a collapsible section. GitHub
refuses a comment over 65,536 characters: the plan details are cut to fit,
never the summary or the warnings, with a link to the artifact that holds every
unit's plan file. A comment whose environment is no longer affected, or whose
run failed before planning, is marked outdated (`outdated_comment`).
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime

from ddb_warmer.ci.unit_plan import UnitPlan

GITHUB_LIMIT = 65_536
BUDGET = 60_000  # leaves room for GitHub's own accounting of the body
TRUNCATED = "\n… (cut to fit GitHub's comment limit: the whole plan is in the run log and artifact)\n"

# Defence in depth: Terraform already prints sensitive values as "(sensitive value)";
# these catch credentials that reach a plan some other way.
SECRET_PATTERNS = (
    (re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"), "AKIA****************"),
    (re.compile(r'(?i)(secret|password|token|private_key)(\w*"?\s*[=:]\s*")([^"(][^"]*)(")'), r"\1\2****\4"),
)


def marker(environment: str) -> str:
    return f"<!-- ddb-warmer-plan:{environment} -->"


def run_url() -> str | None:
    """The Actions run this comment comes from, where the log and the plan artifact are."""
    server, repo, run = (os.environ.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID"))
    return f"{server}/{repo}/actions/runs/{run}" if server and repo and run else None


def mask_secrets(text: str) -> str:
    for pattern, replacement in SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def fenced(text: str) -> str:
    """Text for inside a code fence: a run of backticks in it (a warning quoting Markdown) cannot close the fence."""
    return text.replace("```", "`\u200b``")


def _result_cell(result: UnitPlan) -> str:
    if not result.ok:
        return "❌ plan failed"
    if not result.has_changes:
        return "no changes"
    return f"{result.add} to add, {result.change} to change, {result.destroy} to destroy"


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _summary(environment: str, results: list[UnitPlan], link: str | None, sha: str | None, when: str) -> str:
    failed = [r for r in results if not r.ok]
    destroyed = [(r.unit, address) for r in results for address in r.destroyed]
    lines = [marker(environment), f"### Terragrunt plan: `live/{environment}`", ""]
    lines += [f"For commit `{sha or 'unknown'}`, planned {when}.", ""]
    if destroyed:
        lines += ["> [!CAUTION]", f"> **{len(destroyed)} resource(s) will be destroyed or replaced:**"]
        lines += [f"> - `{unit}`: `{address}`" for unit, address in destroyed]
        lines.append("")
    if failed:
        lines += [f"**{len(failed)} unit(s) failed to plan**: the check fails until they plan.", ""]
    lines += ["| unit | result |", "|---|---|"]
    lines += [f"| `{r.unit}` | {_result_cell(r)} |" for r in results]
    if link:
        lines += ["", f"[Plan files of every unit (artifact)]({link})"]
    return "\n".join(lines) + "\n" + _warnings(results) + _pattern_matches(results)


WARNING_LIMIT = 2_000  # per warning: a reviewer needs the summary, the full text is in the artifact


def _warnings(results: list[UnitPlan]) -> str:
    """Terraform's warnings, above the plans: a failed check block never runs past the reviewer."""
    warned = [(r.unit, w) for r in results for w in r.warnings]
    if not warned:
        return ""
    lines = ["", "> [!WARNING]", f"> **Terraform warnings ({len(warned)})**", ">"]
    for unit, warning in warned:
        text = fenced(mask_secrets(warning)[:WARNING_LIMIT])
        lines += [f"> `{unit}`:", "> ```text", *(f"> {line}" for line in text.splitlines()), "> ```", ">"]
    return "\n".join(lines[:-1]) + "\n"


NAMES_SHOWN = 10  # per pattern: enough to recognise what it selects; the plan's outputs hold every name


def _names(tables: list[str]) -> str:
    if not tables:
        return "⚠️ **none today**"
    shown = ", ".join(f"`{t}`" for t in tables[:NAMES_SHOWN])
    return shown + (f" and {len(tables) - NAMES_SHOWN} more" if len(tables) > NAMES_SHOWN else "")


def _pattern_matches(results: list[UnitPlan]) -> str:
    """Per unit (an environment's region), the tables each pattern and each exclude matches today: what a
    pattern selects is seen before the merge, and one that matches nothing stands out."""
    rows = [
        (r.unit, kind, pattern, tables)
        for r in results
        for kind, matches in (("pattern", r.patterns), ("exclude", r.excludes))
        for pattern, tables in matches.items()
    ]
    if not rows:
        return ""
    lines = ["", "**Patterns against the tables of each region today**", ""]
    lines += ["| unit | | pattern | tables it matches |", "|---|---|---|---|"]
    lines += [f"| `{unit}` | {kind} | `{pattern}` | {_names(tables)} |" for unit, kind, pattern, tables in rows]
    unmatched = sum(1 for _, kind, _, tables in rows if kind == "pattern" and not tables)
    if unmatched:
        lines += ["", f"> [!WARNING]\n> {unmatched} pattern(s) match no table today: check the spelling."]
    return "\n".join(lines) + "\n"


def _details(result: UnitPlan) -> tuple[str, str, str]:
    """(opening, body, closing) of one unit's collapsible section."""
    title = "error" if not result.ok else "plan"
    opening = (
        f"\n<details><summary>{title}: <code>{result.unit}</code></summary>\n\n```{'diff' if result.ok else 'text'}\n"
    )
    body = fenced(mask_secrets(result.text if result.ok else result.error))
    return opening, body, "```\n</details>\n"


def render_comment(
    environment: str,
    results: list[UnitPlan],
    link: str | None = None,
    budget: int = BUDGET,
    sha: str | None = None,
    when: str | None = None,
    notice: str = "",
) -> str:
    summary = _summary(environment, results, link, sha, when or now()) + notice
    sections = [_details(r) for r in results if not r.ok or r.has_changes]
    fixed = len(summary) + sum(len(o) + len(c) + len(TRUNCATED) for o, _, c in sections)
    room = max(budget - fixed, 0)
    # Share the room between the units: a small plan keeps all of its text,
    # the rest is split among the larger ones.
    shares = _fair_shares([len(body) for _, body, _ in sections], room)
    parts = [summary]
    for (opening, body, closing), share in zip(sections, shares, strict=True):
        text = body if len(body) <= share else body[:share] + TRUNCATED
        parts.append(opening + text + ("" if text.endswith("\n") else "\n") + closing)
    comment = "".join(parts)
    assert len(comment) <= GITHUB_LIMIT, len(comment)
    return comment


def _fair_shares(sizes: list[int], room: int) -> list[int]:
    shares = [0] * len(sizes)
    remaining = sorted(range(len(sizes)), key=lambda i: sizes[i])
    while remaining:
        each = room // len(remaining)
        index = remaining.pop(0)
        shares[index] = min(sizes[index], each)
        room -= shares[index]
    return shares


OUTDATED = "<!-- ddb-warmer-outdated -->"


def outdated_comment(body: str, reason: str, sha: str | None, when: str | None = None) -> str:
    """The comment, marked outdated: the old plan folded away under a note saying why."""
    first, _, rest = body.partition("\n")  # the marker line stays first, so the comment is still found
    if OUTDATED in rest:  # outdated before: fold the plan alone, not the old note
        rest = rest.split("<summary>previous plan</summary>\n\n", 1)[-1].rsplit("\n</details>", 1)[0]
    return (
        f"{first}\n{OUTDATED}\n> [!NOTE]\n"
        f"> **Outdated** since commit `{sha or 'unknown'}` ({when or now()}): {reason}\n\n"
        f"<details><summary>previous plan</summary>\n\n{rest}\n</details>\n"
    )
