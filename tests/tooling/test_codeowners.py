"""Every path of the repository has a code owner, so no file reaches main (and the next apply) with one
approval from anyone: a new file at the root (a setup.py), under requirements/ or anywhere else included."""

from __future__ import annotations

import subprocess

from ddb_warmer.build.toolenv import ROOT
from ddb_warmer.ci.apply_path import APPLY_PATH
from ddb_warmer.ci.check_github import codeowners_rules, owners_of

CODEOWNERS = ROOT / ".github" / "CODEOWNERS"
# Files that do not exist yet: what a pull request could add to change what CI installs or runs.
NEW_FILES = ("setup.py", "setup.cfg", "conftest.py", "requirements/apply.txt", "requirements/x/y.in", "a/b/c.py")


def unowned(text: str, paths) -> list[str]:
    rules = codeowners_rules(text)
    return [path for path in paths if not owners_of(rules, path)]


def tracked_files() -> list[str]:
    done = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True)
    return done.stdout.split()


def test_every_tracked_file_and_any_new_file_has_a_code_owner():
    text = CODEOWNERS.read_text()

    assert unowned(text, tracked_files()) == []
    assert unowned(text, NEW_FILES) == []


def test_the_files_that_change_how_every_environment_is_applied_have_a_line_of_their_own():
    """They are owned even if the default line is narrowed later (a team per folder)."""
    patterns = [pattern for pattern, _ in codeowners_rules(CODEOWNERS.read_text())]

    assert [path for path in APPLY_PATH if f"/{path}" not in patterns] == []


def test_the_check_fails_without_the_default_line():
    """The test above is not vacuous: CODEOWNERS without its `*` line leaves new root files unowned."""
    without_default = "\n".join(line for line in CODEOWNERS.read_text().splitlines() if not line.startswith("*"))

    assert "setup.py" in unowned(without_default, NEW_FILES)
    assert "requirements/apply.txt" not in unowned(without_default, NEW_FILES)  # owned by its own line
