"""Apply one environment, as the merge workflow does.

    python -m ddb_warmer.ci.apply --environment prod

`terragrunt run --all apply` in live/<environment>: Terragrunt plans again
and applies that plan, so what is applied is what main says now, never a plan
saved earlier. Output streams to the job log as it comes.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

from ddb_warmer.build.terragrunt import environment_dir
from ddb_warmer.build.toolenv import tool_env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--environment", required=True)
    args = parser.parse_args(argv)
    command = ["terragrunt", "run", "--all", "apply"]
    print(f"$ {' '.join(command)}  (in live/{args.environment})", flush=True)
    return subprocess.run(command, cwd=environment_dir(args.environment), env=tool_env()).returncode


if __name__ == "__main__":
    sys.exit(main())
