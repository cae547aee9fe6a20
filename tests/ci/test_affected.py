"""Which environments a pull request plans."""

from __future__ import annotations

from pathlib import Path

import pytest

from ddb_warmer.build.live import LiveError
from ddb_warmer.build.live import environments as live_environments
from ddb_warmer.ci.affected import affected_environments, changed_since, environments

# Environments of a fixture tree (tests/ci/fixtures/live), in promotion order: these tests protect the
# logic, whatever live/ holds.
FIXTURE_LIVE = Path(__file__).parent / "fixtures" / "live"
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
        (["live/_bootstrap/111111111111/github-oidc/terragrunt.hcl"], []),
        (["live/staging/warmer/terragrunt.hcl"], []),  # not an environment (yet)
        (["live/prod/eu-central-1/warmer/terragrunt.hcl"], ["prod"]),  # a unit nested by region
        (["live/prod/eu-central-1/region.hcl", "live/dev/env.hcl"], ["dev", "prod"]),
        ([".github/workflows/apply.yml", "ddb_warmer/ci/apply.py", "tests/ci/test_affected.py"], []),
        ([], []),
    ],
)
def test_changed_files_map_to_the_environments_they_affect(changed, expected):
    assert affected_environments(changed, KNOWN) == expected


def test_the_environments_are_the_folders_with_an_env_file_in_promotion_order():
    # qa comes after dev and before prod (apply_after), not in alphabetical order; _bootstrap is no environment.
    assert environments(FIXTURE_LIVE) == ["dev", "qa", "prod"]


def test_affected_environments_keep_the_promotion_order():
    assert affected_environments(["live/prod/x.hcl", "live/dev/x.hcl", "live/qa/x.hcl"], ["dev", "qa", "prod"]) == [
        "dev",
        "qa",
        "prod",
    ]


def test_an_apply_after_naming_no_environment_says_what_to_write(tmp_path):
    (tmp_path / "qa").mkdir()
    (tmp_path / "qa" / "env.hcl").write_text(
        'locals {\n  environment = "qa"\n  aws_account_id = "111111111111"\n  apply_after = ["staging"]\n}\n'
    )
    with pytest.raises(LiveError, match="apply_after names staging, which is no environment under live/"):
        environments(tmp_path)


@pytest.mark.parametrize("before", ["", "0" * 40])
def test_a_push_with_no_previous_commit_affects_every_environment(before):
    assert changed_since(before) is None


def test_env_and_region_files_are_read_as_terragrunt_resolves_them(tmp_path, monkeypatch):
    """An account, a promotion order and a region written with locals and functions read as Terragrunt
    resolves them (build/live.py: one `terragrunt render` of the files' locals), not as text."""
    monkeypatch.setenv("QA_ACCOUNT", "222222222222")
    for name, account, after in (("dev", '"11111111${"1111"}"', "[]"), ("qa", 'get_env("QA_ACCOUNT")', "local.first")):
        unit = tmp_path / name / "eu-central-1" / "warmer"
        unit.mkdir(parents=True)
        (unit / "terragrunt.hcl").write_text("")
        (tmp_path / name / "env.hcl").write_text(
            f'locals {{\n  first = ["dev"]\n  aws_account_id = {account}\n  apply_after = {after}\n}}\n'
        )
        (unit.parent / "region.hcl").write_text('locals {\n  aws_region = join("-", ["eu", "central", "1"])\n}\n')

    found = live_environments(tmp_path)

    assert [(e.name, e.account, e.apply_after, e.regions) for e in found] == [
        ("dev", "111111111111", (), ("eu-central-1",)),
        ("qa", "222222222222", ("dev",), ("eu-central-1",)),
    ]
