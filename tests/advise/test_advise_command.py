"""`ddb-warmer advise` as a user runs it: scope, outputs, the 14-day read, and its errors."""

from __future__ import annotations

import io
import json
import zipfile

import boto3
import pytest

from ddb_warmer.ops import cli, prices
from ddb_warmer.ops.advise import advise
from ddb_warmer.ops.advise_metrics import MAX_DATAPOINTS_PER_CALL

from .conftest import NOW, REGION, auto_scale, consumed, create_table


@pytest.fixture
def region_with_tables(account):
    create_table(account, "orders", read=5, write=5, indexes={"by_customer": (5, 5)})
    auto_scale(account, "orders", "read", 1, 100)
    auto_scale(account, "orders", "read", 1, 100, index="by_customer")
    account["dynamodb"].create_table(
        TableName="events",
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
    )
    return account


def test_fourteen_days_are_read_with_getmetricdata_in_calls_of_at_most_100800_datapoints(region_with_tables):
    calls = []
    cloudwatch = region_with_tables["cloudwatch"]
    cloudwatch.meta.events.register(
        "provide-client-params.cloudwatch.GetMetricData", lambda params, **_: calls.append(params)
    )

    result = advise(region_with_tables, ["orders"], REGION, NOW, 14, "test", full_series=True)

    # 4 dimensions x (consumed, provisioned) = 8 series of 20,160 minutes: 5 a call, so 2 calls.
    assert result.minutes == 14 * 1440 == 20_160
    assert [len(call["MetricDataQueries"]) for call in calls] == [5, 3]
    assert all(len(call["MetricDataQueries"]) * 20_160 <= MAX_DATAPOINTS_PER_CALL for call in calls)
    assert all(q["MetricStat"]["Period"] == 60 for call in calls for q in call["MetricDataQueries"])
    assert {len(d.series["consumed"]) for d in result.tables[0].dimensions} == {20_160}


def test_without_charts_the_series_are_kept_an_hour_a_point(region_with_tables):
    result = advise(region_with_tables, ["orders"], REGION, NOW, 14, "test")

    assert {len(d.series["consumed"]) for d in result.tables[0].dimensions} == {14 * 24}


def test_a_whole_region_is_advised_in_both_directions_and_reserved_capacity_disclaimed(region_with_tables, capsys):
    code = cli.main(["advise", "--region", REGION, "--days", "1", "--json"])

    out = json.loads(capsys.readouterr().out)
    assert code == cli.OK
    assert [(t["table"], t["billing"]) for t in out["tables"]] == [("orders", "provisioned"), ("events", "on-demand")]
    # An idle on-demand table costs nothing on-demand: it stays, capped.
    assert out["tables"][1]["recommendation"] == "keep on-demand"
    assert [d["cap"] for d in out["tables"][1]["dimensions"]] == [10, 10]
    assert [d["label"] for d in out["tables"][0]["dimensions"]] == [
        "table read",
        "table write",
        "index by_customer read",
        "index by_customer write",
    ]
    assert out["skipped"] == []
    assert any("reserved capacity is not considered" in note for note in out["notes"])
    assert out["prices_as_of"] == prices.PRICES_AS_OF
    assert out["warmed_dimensions"] == 2  # table read and index read have auto scaling
    assert out["warmer"]["total"] > 0


def test_markdown_output_is_a_table_with_the_verdict_per_table(region_with_tables, capsys):
    code = cli.main(["advise", "--table", "orders", "--region", REGION, "--days", "1", "--markdown"])

    text = capsys.readouterr().out
    assert code == cli.OK
    assert text.startswith("### Advice for the named tables")
    assert "| table | dimension | today | warmed | lower floor | on-demand | best |" in text
    assert "| orders | index by_customer read |" in text
    assert "- **orders: switch the table to on-demand" in text
    assert "reserved capacity is not considered" in text
    assert "  ```mermaid\n  xychart-beta\n" in text  # its chart, inline, drawn by GitHub


@pytest.mark.parametrize("extension", ["png", "svg"])
def test_charts_are_drawn_per_table_with_matplotlib(region_with_tables, tmp_path, capsys, extension):
    consumed(region_with_tables, "orders", "read", {m: 30.0 for m in range(0, 1440, 7)})

    options = ["--charts", str(tmp_path), "--chart-format", extension]
    code = cli.main(["advise", "--table", "orders", "--region", REGION, "--days", "1", *options])

    chart = tmp_path / f"orders.{extension}"
    assert code == cli.OK
    assert f"chart: {chart}" in capsys.readouterr().out
    head = chart.read_bytes()[:200]
    assert head.startswith(b"\x89PNG") if extension == "png" else b"<svg" in head


def test_more_days_than_cloudwatch_keeps_per_minute_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit:
        cli.main(["advise", "--region", REGION, "--days", "16"])
    assert exit.value.code == cli.USAGE
    assert "16 days: write 1 to 15 (CloudWatch keeps one-minute datapoints for 15 days)" in capsys.readouterr().err


def test_advise_without_a_scope_names_the_options(capsys):
    assert cli.main(["advise"]) == cli.USAGE
    assert "or a whole region (--region)" in capsys.readouterr().err


def deploy_warmer(clients, name: str, config: dict, memory: int) -> None:
    """A warmer function in moto (never invoked: advise only reads its configuration)."""
    iam = boto3.client("iam", region_name=REGION)
    role = iam.create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("lambda_function/main.py", "def lambda_handler(event, context):\n    return {}\n")
    clients["lambda"].create_function(
        FunctionName=name,
        Runtime="python3.13",
        Role=role,
        Handler="lambda_function.main.lambda_handler",
        Code={"ZipFile": package.getvalue()},
        MemorySize=memory,
        Environment={"Variables": {"WARMER_CONFIG": json.dumps(config)}},
    )


def test_a_warmers_scope_is_its_listed_tables_and_what_its_patterns_find_priced_with_its_own_settings(
    region_with_tables, capsys
):
    create_table(region_with_tables, "orders-archive", read=2, write=2)
    create_table(region_with_tables, "unrelated", read=2, write=2)
    deploy_warmer(region_with_tables, "ddb-warmer-x-warmer", {"tables": [], "patterns": ["orders*"]}, memory=256)

    code = cli.main(["advise", "--function", "ddb-warmer-x-warmer", "--region", REGION, "--days", "1", "--json"])

    out = json.loads(capsys.readouterr().out)
    assert code == cli.OK
    assert sorted(t["table"] for t in out["tables"]) == ["orders", "orders-archive"]
    assert out["warmer"]["memory_mb"] == 256  # the deployed function's, not the module's default
