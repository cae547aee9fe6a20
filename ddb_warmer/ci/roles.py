"""The AWS roles and regions of an environment, found from live/ instead of configured in GitHub.

    python3 -m ddb_warmer.ci.roles --environment prod >> "$GITHUB_OUTPUT"

prints, one `key=value` a line (GitHub step outputs):

    plan-role=arn:aws:iam::<account>:role/ddb-warmer-bootstrap-github-plan
    apply-role=arn:aws:iam::<account>:role/ddb-warmer-bootstrap-github-apply-<environment>
    region=<the environment's first region>
    regions=<every region it deploys to, space-separated>

The account is env.hcl's aws_account_id; the role names are those every account's bootstrap unit makes
(live/_bootstrap/<account>/github-oidc). So the repository needs no role-ARN variables, and each job
assumes the role of the account its environment is in.

Exit codes: 0 printed; 2 usage error or no such environment, or an env.hcl without an account (one line
on stderr says what to write).
"""

from __future__ import annotations

import argparse
import sys

from ddb_warmer.build.live import LiveError, environment


def outputs(name: str) -> dict[str, str]:
    found = environment(name)
    return {
        "plan-role": found.plan_role_arn,
        "apply-role": found.apply_role_arn,
        "region": found.regions[0],
        "regions": " ".join(found.regions),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="an environment's CI roles and regions, as GitHub step outputs",
        epilog="exit codes: 0 printed; 2 usage error, unknown environment or env.hcl without aws_account_id",
    )
    parser.add_argument("--environment", required=True, help="a folder of live/ with an env.hcl")
    args = parser.parse_args(argv)
    try:
        found = outputs(args.environment)
    except LiveError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for key, value in found.items():
        print(f"{key}={value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
