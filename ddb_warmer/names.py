"""Every AWS resource name the tooling looks up, built in one place, as Terraform builds them.

The root terragrunt.hcl gives every warmer unit `name_prefix = "<warmer_name_prefix><environment>"`,
and modules/dynamodb-warmer names its function "<name_prefix>-warmer" and its dead-letter queue
"<name_prefix>-warmer-dlq" (main.tf); each account's bootstrap unit names its CI roles
"ddb-warmer-bootstrap-github-<plan|apply-environment>" (modules/github-oidc) and each region's state
bucket "ddb-warmer-tfstate-<account>-<region>" (the root terragrunt.hcl).
"""

from __future__ import annotations

WARMER_NAME_PREFIX = "ddb-warmer-"  # the root terragrunt.hcl's warmer_name_prefix
# The workflows' roles: modules/github-oidc's "<name_prefix>-github-<key>", for the bootstrap units' name_prefix.
CI_ROLE_PREFIX = f"{WARMER_NAME_PREFIX}bootstrap-github"


def warmer_function(environment: str) -> str:
    """The warmer function of an environment (in each region it deploys to)."""
    return f"{WARMER_NAME_PREFIX}{environment}-warmer"


def dead_letter_queue(function: str) -> str:
    """The dead-letter queue of the warmer function's schedule."""
    return f"{function}-dlq"


def plan_role_arn(account: str) -> str:
    return f"arn:aws:iam::{account}:role/{CI_ROLE_PREFIX}-plan"


def apply_role_arn(account: str, environment: str) -> str:
    return f"arn:aws:iam::{account}:role/{CI_ROLE_PREFIX}-apply-{environment}"


def state_bucket(region: str, account: str) -> str:
    """The Terraform state bucket of an account's region."""
    return f"{WARMER_NAME_PREFIX}tfstate-{account}-{region}"
