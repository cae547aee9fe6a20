"""The CI roles' unit (live/_bootstrap/github-oidc) on the emulator: it plans cleanly, applies, and says
what to set in GitHub. Who may assume which role, and what each may do: tests/iam/test_ci_*.py."""

from __future__ import annotations

import json

import pytest

from ddb_warmer.build.terragrunt import LIVE, terragrunt, unit_outputs

from .test_environments import assert_no_deprecation_warning

pytestmark = pytest.mark.slow

UNIT = LIVE / "_bootstrap" / "github-oidc"
ROLE = "arn:aws:iam::123456789012:role/ddb-warmer-bootstrap-github"


def test_the_bootstrap_applies_and_outputs_the_variables_to_set_in_github(emulator_env):
    plan = terragrunt(["plan", "-lock=false"], UNIT, emulator_env)
    assert_no_deprecation_warning(plan)
    try:
        terragrunt(["apply", "-auto-approve"], UNIT, emulator_env)
        outputs = unit_outputs(UNIT, emulator_env)
    finally:
        terragrunt(["destroy", "-auto-approve"], UNIT, emulator_env)

    assert outputs["github_variables"] == {
        "repository": {"AWS_PLAN_ROLE_ARN": f"{ROLE}-plan"},
        "environments": {
            "dev": {"AWS_APPLY_ROLE_ARN": f"{ROLE}-apply-dev"},
            "prod": {"AWS_APPLY_ROLE_ARN": f"{ROLE}-apply-prod"},
        },
    }
    assert outputs["apply_role_arns"] == {"dev": f"{ROLE}-apply-dev", "prod": f"{ROLE}-apply-prod"}


def test_the_roles_may_use_the_state_bucket_of_every_region_an_environment_deploys_to(emulator_env, tmp_path):
    # prod has a warmer per region, each with its state in that region's bucket (root terragrunt.hcl).
    env = {k: v for k, v in emulator_env.items() if k != "DDB_WARMER_STATE_BUCKET"}
    rendered = tmp_path / "render.json"
    terragrunt(["render", "--json", "--write", "--out", str(rendered)], UNIT, env)
    assert json.loads(rendered.read_text())["inputs"]["state_buckets"] == [
        "ddb-warmer-tfstate-123456789012-eu-west-1",
        "ddb-warmer-tfstate-123456789012-us-east-1",
    ]
