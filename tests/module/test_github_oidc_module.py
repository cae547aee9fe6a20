"""The bootstrap module's plan-time refusals (modules/github-oidc/tests, `terraform test`: bootstrap.tftest.hcl
with a mocked provider, limits.tftest.hcl with the real policy documents against IAM's size quotas), and the
message each gives: what to write instead."""

from __future__ import annotations

import re

import pytest

from ddb_warmer.build.toolenv import ROOT
from tests.module.conftest import terraform
from tests.module.test_module import console_says

pytestmark = pytest.mark.slow

MODULE = ROOT / "modules" / "github-oidc"
GOOD = {
    "name_prefix": '"ddb-warmer-bootstrap"',
    "github_repository": '"octo-org/ddb-warmer"',
    "name_based_subjects": "true",
    "environments": '["blue", "green"]',
    "state_buckets": '["ddb-warmer-tfstate-123456789012-eu-west-1"]',
}


def test_terraform_test_passes_every_refusal_of_the_bootstrap_module(module_copy, tools_env):
    done = terraform(["test"], module_copy, tools_env)

    test_files = (MODULE / "tests").glob("*.tftest.hcl")
    runs = sum(len(re.findall(r'^run "', test_file.read_text(), re.MULTILINE)) for test_file in test_files)
    assert "0 failed" in done.stdout and f"{runs} passed" in done.stdout


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (
            {"environments": '["dev", "dev-eu"]'},
            "An environment's name must not start with another's name and a '-' (dev-eu starts with dev-)",
        ),
        (
            {"alarm_topic_arns": '{prod = ["arn:aws:sns:eu-west-1:123456789012:*"]}'},
            "alarm_topic_arns must list whole SNS topic ARNs",
        ),
    ],
    ids=["environment-prefix", "alarm-topic-wildcard"],
)
def test_a_bad_bootstrap_input_says_what_to_write_instead(bad, message, module_copy, tools_env):
    """An apply role manages "<prefix><environment>-*": dev's would manage an environment dev-eu's names."""
    said = console_says(module_copy, {**GOOD, **bad}, tools_env)

    assert "Invalid value for variable" in said
    assert message in said
