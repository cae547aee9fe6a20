"""Which environments a pull request plans."""

from __future__ import annotations

import pytest

from ddb_warmer.ci.affected import affected_environments, changed_since, environments

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
        (["live/prod/eu-central-1/warmer/terragrunt.hcl"], ["prod"]),  # a unit nested by region
        (["live/prod/eu-central-1/region.hcl", "live/dev/env.hcl"], ["dev", "prod"]),
        ([".github/workflows/apply.yml", "ddb_warmer/ci/apply.py", "tests/ci/test_affected.py"], []),
        ([], []),
    ],
)
def test_changed_files_map_to_the_environments_they_affect(changed, expected):
    assert affected_environments(changed, KNOWN) == expected


def test_the_environments_are_the_folders_of_live_with_an_env_file():
    assert environments() == ["dev", "prod"]


@pytest.mark.parametrize("before", ["", "0" * 40])
def test_a_push_with_no_previous_commit_affects_every_environment(before):
    assert changed_since(before) is None
