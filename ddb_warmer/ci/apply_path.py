"""Flag a change to how every environment is applied: the workflows, the CI and build code, the CI roles.

    python -m ddb_warmer.ci.apply_path --base origin/main    # prints the flag (Markdown) when it applies

Such a change affects no live/<environment> folder, so it gets no plan and no
environment's approval, yet the next apply of every environment runs it. The
pull-request workflow writes the flag into the job summary and as a warning so
that reviewers (the code owners of these paths: .github/CODEOWNERS) read it as
the prod change it is.

Exit codes: 0 always (the flag is a notice; the review is the control).
"""

from __future__ import annotations

import argparse
import subprocess
import sys

from ddb_warmer.ci.affected import changed_since

# Each changes what runs with an apply role's credentials, or who may assume one.
APPLY_PATH = (
    ".github/",
    "ddb_warmer/ci/",
    "ddb_warmer/build/",
    "modules/github-oidc/",
    "modules/warmer-access/",  # the conditions of the permissions boundary
    "live/_bootstrap/",
    "mise.toml",
    "mise.lock",
    "requirements/",  # what the jobs that hold a role install
)
FLAG = "changes how every environment is applied"


def apply_path_changes(changed_files: list[str]) -> list[str]:
    return sorted(f for f in changed_files if f.startswith(APPLY_PATH))


def flag(files: list[str]) -> str:
    if not files:
        return ""
    listed = "\n".join(f"> - `{f}`" for f in files[:30]) + ("\n> - …" if len(files) > 30 else "")
    return (
        f"> [!IMPORTANT]\n> **This pull request {FLAG}**: it plans nothing, yet the next apply of every "
        f"environment (prod included) runs it. Review it as a prod change.\n>\n{listed}\n"
    )


def warning(message: str, title: str = "") -> None:
    """The workflow command that makes `message` a warning annotation of the run (titled, when given)."""
    print(f"::warning{f' title={title}' if title else ''}::{message}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="origin/main", help="the branch the pull request merges into")
    args = parser.parse_args(argv)
    try:
        files = apply_path_changes(changed_since(args.base) or [])
    except subprocess.CalledProcessError as error:
        warning(
            f"could not compare with {args.base} ({error.stderr.strip()[:200]}): review .github/, "
            "ddb_warmer/ci/ and the CI roles' changes as changes to every environment"
        )
        return 0
    if files:
        print(flag(files))
        warning(f"this pull request {FLAG} ({len(files)} files)", title="Applies to every environment")
    return 0


if __name__ == "__main__":
    sys.exit(main())
