"""Every relative link in the repository's Markdown resolves: the file exists, and an anchor into a
Markdown file names one of its headings (as GitHub makes anchors from them)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from ddb_warmer.build.toolenv import ROOT

LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^(```|````)")


def markdown_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "*.md"], cwd=ROOT, capture_output=True, text=True, check=True)
    return [ROOT / name for name in listed.stdout.split()]


def prose(text: str) -> str:
    """The text outside fenced code blocks (a link shown as code is not a link)."""
    kept, fence = [], None
    for line in text.splitlines():
        opening = FENCE.match(line.strip())
        if opening and (fence is None or line.strip().startswith(fence)):
            fence = None if fence else opening[1]
            continue
        if fence is None:
            kept.append(line)
    return "\n".join(kept)


def anchors(path: Path) -> set[str]:
    """GitHub's anchors of a Markdown file's headings (lower case, punctuation dropped, spaces as '-') and
    its explicit ones (<a id="…">)."""
    found = set(re.findall(r'<a (?:id|name)="([^"]+)"', path.read_text()))
    for heading in re.findall(r"(?m)^#{1,6} (.+)$", prose(path.read_text())):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        found.add(slug)
    return found


def broken_links(files: list[Path]) -> list[str]:
    broken = []
    for source in files:
        for target in LINK.findall(prose(source.read_text())):
            if re.match(r"[a-z][a-z0-9+.-]*:", target):
                continue  # a URL (https:, mailto:)
            path, _, anchor = target.partition("#")
            resolved = (source.parent / path).resolve() if path else source
            where = f"{source.relative_to(ROOT)}: {target}"
            if not resolved.exists():
                broken.append(f"{where} (no such file)")
            elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
                broken.append(f"{where} (no heading #{anchor})")
    return broken


def test_every_relative_link_in_the_docs_resolves():
    files = markdown_files()

    assert len(files) >= 10
    assert broken_links(files) == []


def test_a_broken_link_or_anchor_is_reported(tmp_path):
    """The check above can fail: a missing file and a missing heading are both named."""
    page = ROOT / "docs" / "a-page-for-this-test.md"
    try:
        page.write_text("# A page\n\n[gone](nowhere.md) [bad anchor](operations.md#no-such-heading) [ok](#a-page)\n")
        found = broken_links([page])
    finally:
        page.unlink()

    assert found == [
        "docs/a-page-for-this-test.md: nowhere.md (no such file)",
        "docs/a-page-for-this-test.md: operations.md#no-such-heading (no heading #no-such-heading)",
    ]
