"""What the module says at plan time about a configuration the function or AWS would refuse later:
each refusal (a validation or precondition: the plan fails) and each warning (a check block: the
plan goes on) shown with its message, the words a user reads in the plan and in the pull request's
plan comment.

`terraform test` with the module's mocked provider (tests/module.tftest.hcl) proves which object
fails; these runs, one `terraform test` with no expected failures, show what each one says."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.module.test_module import MODULE

pytestmark = pytest.mark.slow

# run name -> (variables, override of the region's table list or None, words the message must hold)
CASES = {
    "exclude_without_patterns": (
        'exclude_table_name_patterns = ["prod-tmp-*"]',
        None,
        "exclude_table_name_patterns only narrows table_name_patterns, and none is set: "
        'add table_name_patterns such as ["prod-*"], or remove exclude_table_name_patterns',
    ),
    "alarm_topic_in_another_region": (
        'notifications = { topic_arn = "arn:aws:sns:us-east-1:123456789012:oncall" }',
        None,
        'notifications.topic_arn "arn:aws:sns:us-east-1:123456789012:oncall": a CloudWatch alarm notifies only '
        "a topic of its own region, eu-west-1: name a topic there (arn:aws:sns:eu-west-1:<account>:<topic>), "
        "one per region of the environment",
    ),
    "alarm_action_in_another_region": (
        'alarm_actions = ["arn:aws:sns:eu-west-1:123456789012:ok", "arn:aws:sns:us-west-2:123456789012:pager"]',
        None,
        'alarm_actions ["arn:aws:sns:us-west-2:123456789012:pager"]: '
        "a CloudWatch alarm notifies only a topic of its own region, eu-west-1",
    ),
    "regular_expression_pattern": (
        'table_name_patterns = ["^prod-[a-z]+$", "orders-\\\\d+"]',
        None,
        'are globs (`*` any characters, `?` one), not regular expressions: write "prod-*" instead of '
        '"^prod-[a-z]+$"; write "orders-*" instead of "orders-\\d+"',
    ),
    "dot_star_pattern": (
        'table_name_patterns = ["prod-.*"]',
        None,
        "These patterns look like regular expressions, but patterns are globs (`*` any characters, `?` one): "
        'write "prod-*" instead of "prod-.*"',
    ),
    "pattern_matching_nothing": (
        'table_name_patterns = ["prod-*", "staging-*"]',
        None,
        'table_name_patterns ["staging-*"] match no table in eu-west-1 today',
    ),
    "region_without_tables": (
        "",
        "names = null",
        "Configured tables not found in eu-west-1: orders, events.",
    ),
}


def run_block(name: str, variables: str, names: str | None) -> str:
    override = f"  override_data {{\n    target = data.aws_dynamodb_tables.region\n    values = {{ {names} }}\n  }}\n"
    return (
        f'run "{name}" {{\n  command = plan\n'
        + (override if names else "")
        + f"  variables {{\n    {variables}\n  }}\n}}\n"
    )


@pytest.fixture(scope="module")
def messages(tmp_path_factory, tools_env) -> dict[str, str]:
    """Each case's run output, whitespace collapsed: one `terraform test` of a copy of the module,
    with the mocked provider and shared variables of tests/module.tftest.hcl."""
    # Every module: this one calls its neighbours by relative path (../warmer-access).
    modules = tmp_path_factory.mktemp("messages") / "modules"
    shutil.copytree(MODULE.parent, modules, ignore=shutil.ignore_patterns(".terraform", "*.tfstate*", "tfplan*"))
    copy = modules / MODULE.name
    init = ["terraform", "init", "-backend=false", "-input=false", "-no-color"]
    subprocess.run(init, cwd=copy, env=tools_env, check=True, capture_output=True)
    shared = (MODULE / "tests" / "module.tftest.hcl").read_text().split('\nrun "', 1)[0]
    for test_file in (copy / "tests").glob("*.tftest.hcl"):
        test_file.unlink()
    # A file per case: a failed run skips the rest of its file, not other files.
    for name, case in CASES.items():
        (copy / "tests" / f"{name}.tftest.hcl").write_text(shared + "\n" + run_block(name, *case[:2]))
    done = subprocess.run(
        ["terraform", "test", "-no-color"], cwd=copy, env=tools_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    output = done.stdout.decode()
    sections = re.split(r'^\s*run "([a-z_]+)"\.\.\. ', output, flags=re.MULTILINE)
    by_run = {sections[i]: " ".join(sections[i + 1].split()) for i in range(1, len(sections) - 1, 2)}
    assert set(by_run) == set(CASES), output[-3000:]
    return by_run


@pytest.mark.parametrize("case", list(CASES))
def test_each_refusal_and_warning_says_what_to_write(case, messages):
    expected = " ".join(CASES[case][2].split())
    assert expected in messages[case], messages[case]


REFUSED = ["exclude_without_patterns", "alarm_topic_in_another_region", "regular_expression_pattern"]


@pytest.mark.parametrize("case", REFUSED)
def test_what_the_function_or_aws_would_refuse_fails_the_plan(case, messages):
    # A validation or a precondition: an error in a plan, which stops it.
    assert "Invalid value for variable" in messages[case] or "Resource precondition failed" in messages[case]


@pytest.mark.parametrize("case", ["dot_star_pattern", "pattern_matching_nothing", "region_without_tables"])
def test_what_only_may_be_wrong_comes_from_a_check_block(case, messages):
    # A check block: `terraform test` fails the run, but a plan only warns (the plan comment shows it).
    assert "Check block assertion failed" in messages[case]
    assert "Invalid value for variable" not in messages[case] and "precondition failed" not in messages[case]
