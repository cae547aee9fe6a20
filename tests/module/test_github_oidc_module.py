"""The bootstrap module's plan-time refusals (modules/github-oidc/tests, `terraform test`: bootstrap.tftest.hcl
with a mocked provider, limits.tftest.hcl with the real policy documents against IAM's size quotas), and the
message each gives: what to write instead."""

from __future__ import annotations

import re

import pytest

from ddb_warmer.build.toolenv import ROOT
from tests.module.conftest import terraform, tftest_outputs

pytestmark = pytest.mark.slow

MODULE = ROOT / "modules" / "github-oidc"


def test_terraform_test_passes_every_refusal_of_the_bootstrap_module(module_copy, tools_env):
    done = terraform(["test"], module_copy, tools_env)

    test_files = (MODULE / "tests").glob("*.tftest.hcl")
    runs = sum(len(re.findall(r'^run "', test_file.read_text(), re.MULTILINE)) for test_file in test_files)
    assert "0 failed" in done.stdout and f"{runs} passed" in done.stdout


# Each bad input, in a run of its own or with bad inputs of other variables (each variable's validations are
# independent of the others'), and the words of the message it gets: what to write instead. The repository's
# ids are checked by a precondition, judged only when every variable is valid.
RUNS = {
    "bad_inputs": """  variables {
    environments     = ["dev", "dev-eu"]
    alarm_topic_arns = { prod = ["arn:aws:sns:eu-west-1:123456789012:*"] }
    github_repository = "acme/ddb-warmer"
  }
""",
    "no_repository": '  variables {\n    github_repository = ""\n  }\n',
    "no_ids": "  variables {\n    github_repository_ids = null\n  }\n",
}
MESSAGES = {
    # An apply role manages "<prefix><environment>-*": dev's would manage an environment dev-eu's names.
    "environment-prefix": (
        "bad_inputs",
        "An environment's name must not start with another's name and a '-' (dev-eu starts with dev-)",
    ),
    "alarm-topic-wildcard": ("bad_inputs", "alarm_topic_arns must list whole SNS topic ARNs"),
    # live/_bootstrap passes DDB_WARMER_GITHUB_REPOSITORY (tests/iam/test_ci_trust.py): unset, it is empty.
    "placeholder-repository": (
        "bad_inputs",
        'github_repository is the placeholder "acme/ddb-warmer", a repository that is not yours: set it to yours',
    ),
    "no-repository": ("no_repository", 'github_repository must be "owner/name" with no wildcard'),
    "no-ids": (
        "no_ids",
        "Set github_repository_ids = { owner = <id>, repository = <id> } (gh api repos/octo-org/ddb-warmer --jq "
        "'.owner.id, .id'), or name_based_subjects = true",
    ),
}


@pytest.fixture(scope="module")
def outputs(modules_copy, tools_env) -> dict[str, str]:
    return tftest_outputs(modules_copy / MODULE.name, RUNS, tools_env)


@pytest.mark.parametrize("case", list(MESSAGES))
def test_a_bad_bootstrap_input_fails_the_plan_saying_what_to_write_instead(case, outputs):
    run, message = MESSAGES[case]
    said = " ".join(outputs[run].split())

    assert "Invalid value for variable" in said or "Resource precondition failed" in said
    assert message in said, outputs[run][-3000:]
