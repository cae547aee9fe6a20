"""1,000 explicit tables in one warmer: planned, applied on the emulator, and ticked in the Lambda runtime.

The configuration (some 50 KB of JSON) is far past Lambda's 4 KB of environment; the module puts it in
SSM parameters, the function's policy keeps its size, and one tick warms every table.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
from botocore.config import Config

from ddb_warmer.build.package import build_zip, write_if_changed
from ddb_warmer.local import runtime
from ddb_warmer.local.seed import TableSpec, create_table
from tests.module.test_module import MODULE, terraform

# Minutes: Terraform plans and applies a module of 1,000 tables, and the runtime warms each once.
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
def applied(thousand_tables, emulator, emulator_env, tmp_path_factory):
    folder = tmp_path_factory.mktemp("thousand")
    write_if_changed(folder / "lambda_function.zip", build_zip())
    tables = "\n".join(f'    {{ name = "{name}", read = true }},' for name in thousand_tables)
    (folder / "main.tf").write_text(f"""
provider "aws" {{
  region = "{emulator.region}"
}}

module "warmer" {{
  source        = "{MODULE.parent}//{MODULE.name}"
  name_prefix   = "ddb-warmer-scale"
  package_path  = "lambda_function.zip"
  notifications = {{ subscriptions = [{{ protocol = "email", endpoint = "{TOPIC_SUBSCRIBER}" }}] }}
  tables = [
{tables}
  ]
}}

output "resolved_tables" {{
  value = module.warmer.resolved_tables
}}

output "resolved_tables_summary" {{
  value = module.warmer.resolved_tables_summary
}}

output "missing_tables" {{
  value = module.warmer.missing_tables
}}
""")
    terraform(["init", "-input=false"], folder, emulator_env)
    terraform(["plan", "-input=false", "-out=tfplan"], folder, emulator_env)
    plan = json.loads(terraform(["show", "-json", "tfplan"], folder, emulator_env).stdout)
    try:
        terraform(["apply", "-input=false", "-auto-approve", "tfplan"], folder, emulator_env)
        yield plan
    finally:
        # Without a refresh: re-reading the 1,000 tables would only slow the clean-up.
        terraform(["destroy", "-input=false", "-auto-approve", "-refresh=false"], folder, emulator_env)


def planned(plan: dict, address: str) -> list[dict]:
    return [c["change"]["after"] for c in plan["resource_changes"] if c["address"].startswith(address)]


def test_a_thousand_tables_plan_with_the_configuration_in_parameters_and_a_policy_of_constant_size(applied):
    (function,) = planned(applied, "module.warmer.aws_lambda_function.this")
    variables = function["environment"][0]["variables"]
    parameters = planned(applied, "module.warmer.aws_ssm_parameter.config")
    (policy,) = planned(applied, "module.warmer.aws_iam_role_policy.lambda")

    assert "WARMER_CONFIG" not in variables and int(variables["WARMER_CONFIG_PARTS"]) == len(parameters) > 10
    assert sum(len(k) + len(v) for k, v in variables.items()) < 4096
    assert len(json.loads("".join(p["value"] for p in parameters))["tables"]) == 1000
    assert len(policy["policy"]) < 3000  # the same size as for 21 tables: one ARN for all of them


def test_a_thousand_tables_plan_reads_only_the_first_ones_one_by_one_and_says_so(applied):
    outputs = applied["planned_values"]["outputs"]
    summary = outputs["resolved_tables_summary"]["value"]

    assert sorted(outputs["resolved_tables"]["value"]) == TABLES[:100]  # resolved_tables_detail_limit's default
    assert summary.startswith("1000 tables found (1000 listed, 0 by table_name_patterns)")
    assert "per-table detail of the other 900 is left out of the plan" in summary
    assert outputs["missing_tables"]["value"] == []
    (warmer,) = applied["prior_state"]["values"]["root_module"]["child_modules"]  # the data the plan read
    read_one_by_one = [r for r in warmer["resources"] if (r["mode"], r["type"]) == ("data", "aws_dynamodb_table")]
    assert len(read_one_by_one) == 100


def test_a_tick_of_the_applied_function_warms_all_thousand_tables_in_the_lambda_runtime(
    applied, emulator, emulator_env, tmp_path
):
    configuration = boto3.client("lambda", region_name=emulator.region).get_function_configuration(
        FunctionName="ddb-warmer-scale-warmer"
    )

    with runtime.running(build_zip(), configuration, emulator_env, tmp_path) as function:
        tick = function.invoke({})

    assert tick.ok, tick.payload
    assert tick.payload["counts"] == {"warmed": 1000, "skipped": 0, "failed": 0, "planned": 0}


def test_every_alarm_of_the_applied_warmer_notifies_the_environments_topic(applied, emulator):
    cloudwatch = boto3.client("cloudwatch", region_name=emulator.region)
    sns = boto3.client("sns", region_name=emulator.region)
    (topic,) = [
        t["TopicArn"] for t in sns.list_topics()["Topics"] if t["TopicArn"].endswith(":ddb-warmer-scale-warmer-alarms")
    ]
    subscriptions = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    alarms = cloudwatch.describe_alarms(AlarmNamePrefix="ddb-warmer-scale-warmer-")["MetricAlarms"]

    assert [s["Endpoint"] for s in subscriptions] == [TOPIC_SUBSCRIBER]
    assert len(alarms) == 5
    for alarm in alarms:
        assert alarm["AlarmActions"] == [topic] and alarm["OKActions"] == [topic], alarm["AlarmName"]
        assert "Runbook: docs/operations.md#alarm-" in alarm["AlarmDescription"]
