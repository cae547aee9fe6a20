"""What the module says at plan time about a configuration the function or AWS would refuse later:
each refusal (a validation or precondition: the plan fails) and each warning (a check block: the
plan goes on) shown with its message, the words a user reads in the plan and in the pull request's
plan comment: what to write instead.

`terraform test` with the module's mocked provider (tests/module.tftest.hcl) proves which object
fails; these runs, one `terraform test` with no expected failures, show what each one says. Every
variable's validations are independent of the others', so one run gives one bad value to each
variable and each message is read from its variable's own error."""

from __future__ import annotations

import re

import pytest

from tests.module.conftest import tftest_outputs
from tests.module.test_module import MODULE

pytestmark = pytest.mark.slow

# run name -> (variables, override of the region's table list or None)
RUNS = {
    "bad_inputs": (
        """
    schedule_expression          = "rate(5 minute)"
    table_name_patterns          = ["prod orders/*"]
    tables = [
      { name = "orders table" },
      { name = "orders" },
      { name = "orders" },
      { name = "events", indexes = [{ name = "x" }] },
    ]
    max_workers                  = 0
    log_retention_days           = 45
    name_prefix                  = "-warmer"
    runtime_management           = { update_runtime_on = "Manual" }
    memory_size                  = 64
    timeout                      = 10
    permissions_boundary         = "AdministratorAccess"
    resolved_tables_detail_limit = 2.5
    notifications                = { topic_arn = "arn:aws:sns:us-east-1:123456789012:oncall" }
    alarm_actions                = ["arn:aws:sns:eu-west-1:123456789012:ok", "arn:aws:sns:us-west-2:123456789012:pager"]
""",
        None,
    ),
    # Only without table_name_patterns: a run of its own.
    "exclude_without_patterns": ('exclude_table_name_patterns = ["prod-tmp-*"]', None),
    # Preconditions and check blocks are judged only on valid variables: a run each.
    "regular_expression_pattern": ('table_name_patterns = ["^prod-[a-z]+$", "orders-\\\\d+"]', None),
    "dot_star_pattern": ('table_name_patterns = ["prod-.*"]', None),
    "pattern_matching_nothing": ('table_name_patterns = ["prod-*", "staging-*"]', None),
    "region_without_tables": ("", "names = null"),
}

# case -> (run, the variable whose error says it or None for the whole run, words the message must hold)
CASES = {
    "exclude_without_patterns": (
        "exclude_without_patterns",
        "exclude_table_name_patterns",
        "exclude_table_name_patterns only narrows table_name_patterns, and none is set: "
        'add table_name_patterns such as ["prod-*"], or remove exclude_table_name_patterns',
    ),
    "alarm_topic_in_another_region": (
        "bad_inputs",
        "notifications",
        'notifications.topic_arn "arn:aws:sns:us-east-1:123456789012:oncall": a CloudWatch alarm notifies only '
        "a topic of its own region, eu-west-1: name a topic there (arn:aws:sns:eu-west-1:<account>:<topic>), "
        "one per region of the environment",
    ),
    "alarm_action_in_another_region": (
        "bad_inputs",
        "alarm_actions",
        'alarm_actions ["arn:aws:sns:us-west-2:123456789012:pager"]: '
        "a CloudWatch alarm notifies only a topic of its own region, eu-west-1",
    ),
    "regular_expression_pattern": (
        "regular_expression_pattern",
        None,
        'are globs (`*` any characters, `?` one), not regular expressions: write "prod-*" instead of '
        '"^prod-[a-z]+$"; write "orders-*" instead of "orders-\\d+"',
    ),
    "dot_star_pattern": (
        "dot_star_pattern",
        None,
        "These patterns look like regular expressions, but patterns are globs (`*` any characters, `?` one): "
        'write "prod-*" instead of "prod-.*"',
    ),
    "pattern_matching_nothing": (
        "pattern_matching_nothing",
        None,
        'table_name_patterns ["staging-*"] match no table in eu-west-1 today',
    ),
    "region_without_tables": (
        "region_without_tables",
        None,
        "Configured tables not found in eu-west-1: orders, events.",
    ),
}

# Each bad input (in the run above) and the start of the message its variable's validation must give.
BAD_INPUTS = [
    ("schedule_expression", "schedule_expression must be rate(1 minute), rate(N minutes)"),
    ("table_name_patterns", "table_name_patterns takes at most 20 patterns of letters"),
    ("exclude_table_name_patterns", "exclude_table_name_patterns only narrows table_name_patterns"),
    ("tables", "Every table name must be 3 to 255 characters"),
    ("tables", "Each table must be listed once: merge the duplicate"),
    ("tables", "Every index name must be 3 to 255 characters"),
    ("max_workers", "max_workers must be a whole number from 1 to 64."),
    ("log_retention_days", "log_retention_days must be one of CloudWatch's values: 1, 3, 5"),
    ("name_prefix", "name_prefix must be 2 to 40 characters"),
    ("runtime_management", 'runtime_management.runtime_version_arn goes with "Manual" and only with it'),
    ("memory_size", "memory_size must be a whole number of MB from 128 to 10240."),
    ("timeout", "timeout must be a whole number of seconds from 50"),
    ("permissions_boundary", "permissions_boundary must be an IAM policy ARN"),
    ("resolved_tables_detail_limit", "resolved_tables_detail_limit must be a whole number of tables"),
]


def run_block(variables: str, names: str | None) -> str:
    override = f"  override_data {{\n    target = data.aws_dynamodb_tables.region\n    values = {{ {names} }}\n  }}\n"
    return (override if names else "") + f"  variables {{\n    {variables}\n  }}\n"


def one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def outputs(modules_copy, tools_env) -> dict[str, str]:
    """Each run's output: one `terraform test` of a copy of the module, with the mocked provider and shared
    variables of tests/module.tftest.hcl."""
    runs = {name: run_block(*run) for name, run in RUNS.items()}
    return tftest_outputs(modules_copy / MODULE.name, runs, tools_env)


def owner_of_each_line() -> list[str]:
    """For each line of variables.tf, the variable whose block holds it."""
    owners, owner = [], ""
    for line in (MODULE / "variables.tf").read_text().splitlines():
        owner = match[1] if (match := re.match(r'variable "([a-z_]+)"', line)) else owner
        owners.append(owner)
    return owners


def said(outputs: dict[str, str], run: str, variable: str | None) -> str:
    """The run's output on one line; with a variable, only the errors its own validation rules gave."""
    if variable is None:
        return one_line(outputs[run])
    owners = owner_of_each_line()
    errors = re.split(r"^(?=Error: )", outputs[run], flags=re.MULTILINE)
    rule = re.compile(r"checked by the validation rule at variables\.tf:(\d+),")
    return one_line(" ".join(e for e in errors if (line := rule.search(e)) and owners[int(line[1]) - 1] == variable))


@pytest.mark.parametrize("case", list(CASES))
def test_each_refusal_and_warning_says_what_to_write(case, outputs):
    run, variable, expected = CASES[case]
    assert one_line(expected) in said(outputs, run, variable), outputs[run][-3000:]


@pytest.mark.parametrize(
    ("variable", "message"), BAD_INPUTS, ids=[f"{variable}{i}" for i, (variable, _) in enumerate(BAD_INPUTS)]
)
def test_each_validation_says_what_to_write_instead(variable, message, outputs):
    run = "exclude_without_patterns" if variable == "exclude_table_name_patterns" else "bad_inputs"
    message_of_variable = said(outputs, run, variable)

    assert "Invalid value for variable" in message_of_variable
    assert one_line(message) in message_of_variable, outputs[run][-3000:]


REFUSED = ["exclude_without_patterns", "alarm_topic_in_another_region", "regular_expression_pattern"]


@pytest.mark.parametrize("case", REFUSED)
def test_what_the_function_or_aws_would_refuse_fails_the_plan(case, outputs):
    # A validation or a precondition: an error in a plan, which stops it.
    message = said(outputs, *CASES[case][:2])
    assert "Invalid value for variable" in message or "Resource precondition failed" in message


@pytest.mark.parametrize("case", ["dot_star_pattern", "pattern_matching_nothing", "region_without_tables"])
def test_what_only_may_be_wrong_comes_from_a_check_block(case, outputs):
    # A check block: `terraform test` fails the run, but a plan only warns (the plan comment shows it).
    message = said(outputs, CASES[case][0], None)
    assert "Check block assertion failed" in message
    assert "Invalid value for variable" not in message and "precondition failed" not in message
