"""Ask GitHub for the head of main, in a step of its own, for the apply step that follows.

    python -m ddb_warmer.ci.main_head >> "$GITHUB_OUTPUT"    # prints sha=<main's head>

The apply job asks after its approval, so a run that waited while a newer merge
landed finds out. This is its only GitHub call before the apply: the apply step
itself gets the answer (`ddb_warmer.ci.apply --main-head`) and no token, so
Terraform, its providers and Terragrunt run in a step where no GitHub token is
set at all.

Exit codes: 0 printed; 1 the GitHub call failed.
"""

from __future__ import annotations

import argparse
import sys

from ddb_warmer.ci.github import GitHub, GitHubError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--branch", default="main")
    args = parser.parse_args(argv)
    try:
        head = GitHub.from_environment().branch_head(args.branch)
    except GitHubError as error:
        print(f"::error::could not read the head of {args.branch}: {error}", file=sys.stderr)
        return 1
    print(f"sha={head}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
