"""1,000 explicit tables in one warmer: planned on the emulator, and ticked in the Lambda runtime.

The configuration (some 50 KB of JSON) is far past Lambda's 4 KB of environment; the module puts it in
SSM parameters, the function's policy keeps its size, and one tick warms every table. The tick runs the
function as planned (its environment, memory, timeout and log settings, and the parameters' names and
values from the plan) against the 1,000 tables: an apply would only copy those values into the emulator.
That each kind of resource applies and reads back as planned is the complete example's apply
(tests/module/test_module.py), whose role, function and alarms are the same resources.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
from botocore.config import Config

from ddb_warmer.build.package import build_zip
from ddb_warmer.local import runtime
from ddb_warmer.local.seed import TableSpec, create_table
from tests.module.conftest import terraform, warmer_root
from tests.module.test_module import MODULE

# Minutes: Terraform plans a module of 1,000 tables, and the runtime warms each once.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

TABLES = [f"scale-orders-history-archive-{i:04d}" for i in range(1000)]
TOPIC_SUBSCRIBER = "oncall@example.com"
# The emulator answers requests in threads: creating and deleting tables side by side takes
# seconds instead of a minute or more one after the other.
EMULATOR_CALLS_AT_ONCE = 16


def each_at_once(call, names) -> None:
    with ThreadPoolExecutor(EMULATOR_CALLS_AT_ONCE) as pool:
        list(pool.map(call, names))  # list(): an error in any call is raised here


@pytest.fixture(scope="module")
def thousand_tables(emulator):
    # A boto3 client is thread-safe; one connection per thread.
    dynamodb = boto3.client(
        "dynamodb", region_name=emulator.region, config=Config(max_pool_connections=EMULATOR_CALLS_AT_ONCE)
    )
    each_at_once(lambda name: create_table(dynamodb, TableSpec(name, ("pk", "S"))), TABLES)
    yield TABLES
    each_at_once(lambda name: dynamodb.delete_table(TableName=name), TABLES)


@pytest.fixture(scope="module")
def plan(thousand_tables, emulator, emulator_env, tmp_path_factory):
    folder = tmp_path_factory.mktemp("thousand")
    tables = "\n".join(f'    {{ name = "{name}", read = true }},' for name in thousand_tables)
    root = warmer_root(
        MODULE,
        emulator.region,
        name_prefix='"ddb-warmer-scale"',
        notifications=f'{{ subscriptions = [{{ protocol = "email", endpoint = "{TOPIC_SUBSCRIBER}" }}] }}',
        tables=f"[\n{tables}\n  ]",
    )
    outputs = "".join(
        f'\noutput "{name}" {{\n  value = module.warmer.{name}\n}}\n'
        for name in ("resolved_tables", "resolved_tables_summary", "missing_tables")
    )
    (folder / "main.tf").write_text(root + outputs)
    terraform(["init", "-input=false"], folder, emulator_env)
    terraform(["plan", "-input=false", "-out=tfplan"], folder, emulator_env)
    return json.loads(terraform(["show", "-json", "tfplan"], folder, emulator_env).stdout)


def planned(plan: dict, address: str) -> list[dict]:
    return [c["change"]["after"] for c in plan["resource_changes"] if c["address"].startswith(address)]


def test_a_thousand_tables_plan_with_the_configuration_in_parameters_and_a_policy_of_constant_size(plan):
    (function,) = planned(plan, "module.warmer.aws_lambda_function.this")
    variables = function["environment"][0]["variables"]
    parameters = planned(plan, "module.warmer.aws_ssm_parameter.config")
    (policy,) = planned(plan, "module.warmer.aws_iam_role_policy.lambda")

    assert "WARMER_CONFIG" not in variables and int(variables["WARMER_CONFIG_PARTS"]) == len(parameters) > 10
    assert sum(len(k) + len(v) for k, v in variables.items()) < 4096
    assert len(json.loads("".join(p["value"] for p in parameters))["tables"]) == 1000
    assert len(policy["policy"]) < 3000  # the same size as for 21 tables: one ARN for all of them


def test_a_thousand_tables_plan_reads_only_the_first_ones_one_by_one_and_says_so(plan):
    outputs = plan["planned_values"]["outputs"]
    summary = outputs["resolved_tables_summary"]["value"]

    assert sorted(outputs["resolved_tables"]["value"]) == TABLES[:100]  # resolved_tables_detail_limit's default
    assert summary.startswith("1000 tables found (1000 listed, 0 by table_name_patterns)")
    assert "per-table detail of the other 900 is left out of the plan" in summary
    assert outputs["missing_tables"]["value"] == []
    (warmer,) = plan["prior_state"]["values"]["root_module"]["child_modules"]  # the data the plan read
    read_one_by_one = [r for r in warmer["resources"] if (r["mode"], r["type"]) == ("data", "aws_dynamodb_table")]
    assert len(read_one_by_one) == 100


def planned_configuration(plan: dict, region: str, account: str) -> dict:
    """The function's configuration as GetFunctionConfiguration would give it once the plan is applied."""
    (function,) = planned(plan, "module.warmer.aws_lambda_function.this")
    (logging,) = function["logging_config"]
    name = function["function_name"]
    return {
        "FunctionName": name,
        "FunctionArn": f"arn:aws:lambda:{region}:{account}:function:{name}",
        "Handler": function["handler"],
        "MemorySize": function["memory_size"],
        "Timeout": function["timeout"],
        "Environment": {"Variables": function["environment"][0]["variables"]},
        "LoggingConfig": {
            "LogFormat": logging["log_format"],
            "ApplicationLogLevel": logging["application_log_level"],
            "SystemLogLevel": logging["system_log_level"],
            "LogGroup": logging["log_group"],
        },
    }


@pytest.fixture
def planned_parameters(plan, emulator):
    """The configuration's SSM parameters, with the names, types, tiers and values the plan gives them."""
    ssm = boto3.client("ssm", region_name=emulator.region)
    parameters = planned(plan, "module.warmer.aws_ssm_parameter.config")
    for parameter in parameters:
        ssm.put_parameter(
            Name=parameter["name"], Value=parameter["value"], Type=parameter["type"], Tier=parameter["tier"]
        )
    yield parameters
    ssm.delete_parameters(Names=[p["name"] for p in parameters])


def test_a_tick_of_the_planned_function_warms_all_thousand_tables_in_the_lambda_runtime(
    plan, planned_parameters, emulator, emulator_env, tmp_path
):
    account = boto3.client("sts", region_name=emulator.region).get_caller_identity()["Account"]
    configuration = planned_configuration(plan, emulator.region, account)
    assert "WARMER_CONFIG_PARAMETER" in configuration["Environment"]["Variables"]

    with runtime.running(build_zip(), configuration, emulator_env, tmp_path) as function:
        tick = function.invoke({})

    assert tick.ok, tick.payload
    assert tick.payload["counts"] == {"warmed": 1000, "skipped": 0, "failed": 0, "planned": 0}


def test_every_planned_alarm_notifies_the_environments_own_topic(plan):
    # The topic's ARN is known only once it exists: the plan shows every alarm's actions as the topic
    # the module creates, unknown until then. That they are that topic's ARN once applied is module.tftest.hcl
    # (subscriptions_get_a_topic_of_their_own_that_every_alarm_notifies) and the applied environments of
    # tests/live/test_environments.py.
    (topic,) = planned(plan, "module.warmer.aws_sns_topic.alarms")
    subscriptions = planned(plan, "module.warmer.aws_sns_topic_subscription.alarms")
    alarms = [
        c for c in plan["resource_changes"] if c["address"].startswith("module.warmer.aws_cloudwatch_metric_alarm.")
    ]

    assert topic["name"] == "ddb-warmer-scale-warmer-alarms"
    assert [(s["protocol"], s["endpoint"]) for s in subscriptions] == [("email", TOPIC_SUBSCRIBER)]
    assert len(alarms) == 5
    for alarm in alarms:
        after, unknown = alarm["change"]["after"], alarm["change"]["after_unknown"]
        assert after["alarm_name"].startswith("ddb-warmer-scale-warmer-")
        assert unknown["alarm_actions"] and unknown["ok_actions"], alarm["address"]
        assert "Runbook: docs/operations.md#alarm-" in after["alarm_description"], alarm["address"]
