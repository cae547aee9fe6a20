"""Terraform's lines for one unit out of a `terragrunt run --all` log, and its warnings.

Terragrunt prefixes every line Terraform writes:
    "15:49:56.172 STDOUT [warmer] terraform: <Terraform's line>"
where the bracket names the unit by its path under the folder the run started in.
"""

from __future__ import annotations

import re
from pathlib import Path

PREFIXED_LINE = re.compile(r"^\S+\s+(?P<stream>STDOUT|STDERR)\s+\[(?P<unit>[^\]]+)\]\s+terraform:\s?(?P<line>.*)$")
# A diagnostic starts with "Warning:" or "Error:" and runs until the next one or
# until Terraform's own output resumes. In a terminal Terraform draws it in a box
# ("╷", "│ …", "╵"); the box characters are dropped.
STARTS = ("Warning:", "Error:")
RESUMES = (
    "Plan:",
    "No changes.",
    "Changes to Outputs:",
    "Saved the plan to:",
    "To perform exactly",
    "Apply complete!",
    "Terraform used the selected providers",
    "Terraform will perform",
    "Releasing state lock",
    "Acquiring state lock",
)
BOX_OPEN, BOX_LINE, BOX_CLOSE = "╷", "│", "╵"


def unit_lines(
    run_output: str, unit: Path, env_dir: Path, streams: tuple[str, ...] = ("STDOUT", "STDERR")
) -> list[str]:
    names = {unit.relative_to(env_dir).as_posix(), unit.name, f"{unit.parent.name}/{unit.name}"}
    lines = []
    for raw in run_output.splitlines():
        match = PREFIXED_LINE.match(raw)
        if match and match["unit"] in names and match["stream"] in streams:
            lines.append(match["line"])
    return lines


def diagnostics(lines: list[str]) -> list[str]:
    """Each diagnostic Terraform printed, as plain text."""
    found: list[list[str]] = []
    current: list[str] | None = None
    for line in lines:
        text = line.rstrip()
        if text.strip() in (BOX_OPEN, BOX_CLOSE):
            continue
        if text.startswith(BOX_LINE):
            text = text.removeprefix(BOX_LINE).removeprefix(" ")
        if text.startswith(STARTS):
            current = [text]
            found.append(current)
        elif current is not None and text.startswith(RESUMES):
            current = None
        elif current is not None:
            current.append(text)
    return ["\n".join(d).strip() for d in found]


def unit_warnings(run_output: str, unit: Path, env_dir: Path) -> list[str]:
    seen = []
    for diagnostic in diagnostics(unit_lines(run_output, unit, env_dir)):
        if diagnostic.startswith("Warning:") and diagnostic not in seen:
            seen.append(diagnostic)
    return seen
