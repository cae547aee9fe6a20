"""Which pull requests change only live/ (and so run lint, the configuration tests and the plan, not the suite)."""

from __future__ import annotations

import pytest

from ddb_warmer.ci.affected import code_changed


@pytest.mark.parametrize(
    ("changed", "code"),
    [
        (["live/dev/warmer/terragrunt.hcl"], False),
        (["live/prod/eu-central-1/warmer/terragrunt.hcl", "live/prod/env.hcl"], False),
        (["live/_bootstrap/111111111111/github-oidc/terragrunt.hcl"], False),
        ([], False),
        (["live/dev/warmer/terragrunt.hcl", "lambda_function/tick.py"], True),
        (["modules/dynamodb-warmer/main.tf"], True),
        (["terragrunt.hcl"], True),  # the root configuration is shared by every unit, and tested as code
        (["README.md"], True),
        ([".github/workflows/pull-request.yml"], True),
        (["./lambda_function/requests.py"], True),
        (["livewire.py"], True),  # a name that only starts like live/
    ],
)
def test_only_files_under_live_count_as_a_configuration_change(changed, code):
    assert code_changed(changed) is code


def test_an_unknown_change_counts_as_code():
    assert code_changed(None) is True
