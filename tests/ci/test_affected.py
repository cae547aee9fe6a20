"""Which environments a pull request plans."""

from __future__ import annotations

import pytest

from ddb_warmer.ci.affected import affected_environments, environments

KNOWN = ["dev", "prod"]


@pytest.mark.parametrize(
    ("changed", "expected"),
    [
        (["live/dev/warmer/terragrunt.hcl"], ["dev"]),
        (["live/prod/env.hcl", "README.md"], ["prod"]),
        (["live/dev/warmer/terragrunt.hcl", "live/prod/warmer/terragrunt.hcl"], ["dev", "prod"]),
        (["modules/dynamodb-warmer/main.tf"], ["dev", "prod"]),
        (["lambda_function/tick.py"], ["dev", "prod"]),
        (["terragrunt.hcl"], ["dev", "prod"]),
        (["live/_shared/warmer.hcl"], ["dev", "prod"]),
        (["mise.toml"], ["dev", "prod"]),
        (["README.md", "tests/handler/test_config.py", ".github/workflows/pull-request.yml"], []),
        (["live/_bootstrap/github-oidc/terragrunt.hcl"], []),
        (["live/staging/warmer/terragrunt.hcl"], []),  # not an environment (yet)
        ([], []),
    ],
)
def test_changed_files_map_to_the_environments_they_affect(changed, expected):
    assert affected_environments(changed, KNOWN) == expected


def test_the_environments_are_the_folders_of_live_with_an_env_file():
    assert environments() == ["dev", "prod"]
