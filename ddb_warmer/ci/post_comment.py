"""Post or update the sticky plan comment of one environment on the pull request.

python -m ddb_warmer.ci.post_comment --environment dev --pull-request 12 --comment-file comment.md
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ddb_warmer.ci.comment import marker
from ddb_warmer.ci.github import GitHub


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--environment", required=True)
    parser.add_argument("--pull-request", type=int, required=True)
    parser.add_argument("--comment-file", type=Path, required=True)
    args = parser.parse_args(argv)
    outcome = GitHub.from_environment().upsert_comment(
        args.pull_request, marker(args.environment), args.comment_file.read_text()
    )
    print(f"plan comment for live/{args.environment}: {outcome}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
