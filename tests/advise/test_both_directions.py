"""`advise` on on-demand tables (moto, one day of history): priced as provisioned with working target tracking,
switched when that keeps headroom and costs less, otherwise kept on-demand with a cap; and the warmer's coverage
of a table that stays or goes provisioned. Hand arithmetic as in test_recommendations.py."""

from __future__ import annotations

import json

import pytest

from ddb_warmer.ops import cli
from ddb_warmer.ops.advise import advise
from ddb_warmer.ops.advise_model import SwitchSettings
from ddb_warmer.ops.deployment import warmer_unit

from .conftest import NOW, REGION, auto_scale, consumed, create_table
from .test_advise_command import deploy_warmer

RCU_HOUR, WCU_HOUR = 0.00013, 0.00065
WRU_MILLION = 0.625
MONTH = 43_800 / 1_440
HOURS = 730


def create_on_demand(clients, name: str) -> None:
    clients["dynamodb"].create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
    )


def spiky(clients, table: str) -> None:
    """5 minutes at 100 WCU/s every 4 hours, nothing between."""
    spikes = [60 + 240 * k for k in range(6)]
    consumed(clients, table, "write", {s + m: 6000.0 for s in spikes for m in range(5)})


def only(clients, table: str, **options):
    return advise(clients, [table], REGION, NOW, 1, "test", **options).tables[0]


def test_a_busy_steady_on_demand_table_is_advised_provisioned_with_its_auto_scaling_settings(account):
    create_on_demand(account, "steady-od")
    consumed(account, "steady-od", "write", dict.fromkeys(range(1440), 60 * 60.0))  # 60 WCU/s every minute

    table = only(account, "steady-od")

    assert table.billing == "on-demand" and table.recommendation == "provisioned"
    write = {d.label: d for d in table.dimensions}["table write"]
    # Floor: the p99 minute's need at 70 % (60 / 0.7 = 85.7 -> 86); maximum: twice the busiest minute's (172).
    assert (write.suggested.min_capacity, write.suggested.max_capacity, write.suggested.target_value) == (86, 172, 70)
    assert write.options["warmed"].keeps_headroom and write.options["warmed"].scale_outs == 0
    assert write.options["warmed"].month == pytest.approx(86 * WCU_HOUR * HOURS)  # $40.81
    on_demand = 3600 * 1440 * MONTH * WRU_MILLION / 1e6  # $98.55
    assert table.today_month == pytest.approx(on_demand)
    # Its idle read: 1 unit provisioned (the warmer's 0.5 RCU a minute), against nothing on-demand.
    assert table.recommended_month == pytest.approx((86 * WCU_HOUR + 1 * RCU_HOUR) * HOURS)
    assert table.saving_month == pytest.approx(on_demand - (86 * WCU_HOUR + RCU_HOUR) * HOURS)
    assert "register auto scaling on table write: MinCapacity 86, MaxCapacity 172, target 70 %" in table.steps
    switch = table.steps[0]
    assert "4 times in a rolling 24 hours" in switch and "switching.capacitymode.html" in switch


def test_the_floor_maximum_and_target_given_are_the_ones_simulated(account):
    create_on_demand(account, "steady-od")
    consumed(account, "steady-od", "write", dict.fromkeys(range(1440), 60 * 60.0))

    table = only(account, "steady-od", settings=SwitchSettings(floor=100, maximum=400, target=50))

    write = {d.label: d for d in table.dimensions}["table write"]
    assert (write.suggested.min_capacity, write.suggested.max_capacity, write.suggested.target_value) == (100, 400, 50)
    # 60 of 100 is above the 50 % target for 2 minutes: scaled out to 60 / 0.5 = 120 from minute 2 on.
    assert write.options["warmed"].scale_outs == 1
    assert write.options["warmed"].month == pytest.approx((2 * 100 + 1438 * 120) / 1440 * WCU_HOUR * HOURS)


def test_a_spiky_on_demand_table_stays_on_demand_with_its_cap_and_the_metrics_to_watch(account):
    create_on_demand(account, "spiky-od")
    spiky(account, "spiky-od")

    table = only(account, "spiky-od")

    assert table.recommendation == "keep on-demand" and table.saving_month == 0
    # Provisioned without throttling needs its floor at the spikes' 100 / 0.7 -> 143 WCU all day long.
    provisioned = (143 * WCU_HOUR + 1 * RCU_HOUR) * HOURS
    assert table.recommended_month == table.today_month == pytest.approx(30 * 6000 * MONTH * WRU_MILLION / 1e6)
    assert table.reason.startswith(f"provisioned would cost ${provisioned:.2f}/mo against $3.42/mo on-demand")
    caps = {d.label: d.cap for d in table.dimensions}
    assert caps == {"table read": 10, "table write": 200}  # twice the busiest minute (100 WCU/s); at least 10
    assert "the table: MaxReadRequestUnits 10, MaxWriteRequestUnits 200" in table.steps[0]
    assert "ReadMaxOnDemandThroughputThrottleEvents and WriteMaxOnDemandThroughputThrottleEvents" in table.steps[1]


def test_a_provisioned_table_advised_on_demand_gets_the_cap_of_each_table_and_index(account):
    create_table(account, "spiky", read=1, write=300, indexes={"by_user": (5, 5)})
    auto_scale(account, "spiky", "write", 1, 1000)
    spiky(account, "spiky")

    table = only(account, "spiky")

    assert table.recommendation == "on-demand"
    assert table.steps[0].startswith("switch it to on-demand")
    assert (
        "the table: MaxReadRequestUnits 10, MaxWriteRequestUnits 200; index by_user: MaxReadRequestUnits 10"
        in (table.steps[1])
    )


@pytest.fixture
def at_now(monkeypatch):
    """The command run at the fixtures' NOW (their history ends there)."""
    real = cli.runner

    def at(args, clients, command):
        args.now = NOW
        return real(command)(args, clients)

    monkeypatch.setattr(cli, "runner", lambda command: lambda args, clients: at(args, clients, command))


def test_a_table_the_warmer_does_not_cover_gets_the_line_to_add(account, capsys, at_now):
    create_on_demand(account, "steady-od")
    consumed(account, "steady-od", "write", dict.fromkeys(range(1440), 60 * 60.0))
    deploy_warmer(account, "ddb-warmer-x-warmer", {"tables": [{"name": "orders"}], "patterns": ["prod-*"]}, 128)

    code = cli.main(
        ["advise", "--function", "ddb-warmer-x-warmer", "--table", "steady-od", "--region", REGION, "--days", "1"]
    )

    out = capsys.readouterr().out
    assert code == cli.OK
    assert 'the warmer does not cover it: add { name = "steady-od" } to the tables of live/' in out


@pytest.mark.parametrize(
    ("config", "said"),
    [
        ({"tables": [{"name": "steady-od"}]}, "the warmer lists it already"),
        ({"tables": [], "patterns": ["steady*"]}, "the warmer's pattern 'steady*' finds it already"),
    ],
)
def test_a_table_the_warmer_covers_is_said_to_be_covered(account, config, said):
    create_on_demand(account, "steady-od")
    consumed(account, "steady-od", "write", dict.fromkeys(range(1440), 60 * 60.0))
    deploy_warmer(account, "ddb-warmer-x-warmer", config, 128)

    table = only(account, "steady-od", function="ddb-warmer-x-warmer")

    assert table.covered is True and table.steps[-1].startswith(said)


def test_an_unknown_table_is_a_usage_error_naming_the_table_and_what_to_do(account, capsys):
    code = cli.main(["advise", "--table", "no-such-table", "--region", REGION, "--days", "1"])

    error = capsys.readouterr().err.strip()
    assert code == cli.USAGE
    assert error == (
        "ddb-warmer advise: no table 'no-such-table' in us-east-1: check the name and the region (--region), "
        "or advise every table of the region with --region us-east-1 alone"
    )


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (["--floor", "500", "--max", "100"], "--floor 500 is above --max 100: write a floor at most the maximum"),
        (["--target", "95"], "--target 95: write a target utilisation from 20 to 90 (%)"),
        (["--floor", "0"], "--floor 0: write at least 1 capacity unit"),
    ],
)
def test_switch_settings_that_cannot_be_registered_are_usage_errors_before_anything_is_read(options, said, capsys):
    code = cli.main(["advise", "--region", REGION, *options])  # no credentials needed: refused first

    error = capsys.readouterr().err.strip()
    assert code == cli.USAGE and said in error and len(error.splitlines()) == 1


def test_the_json_carries_a_mermaid_chart_per_table(account, capsys, at_now):
    create_on_demand(account, "steady-od")
    consumed(account, "steady-od", "write", dict.fromkeys(range(1440), 60 * 60.0))

    assert cli.main(["advise", "--table", "steady-od", "--region", REGION, "--days", "1", "--json"]) == cli.OK

    chart = json.loads(capsys.readouterr().out)["mermaid"]["steady-od"]
    assert chart.startswith("xychart-beta\n") and 'title "steady-od: table write"' in chart


def test_the_line_to_add_names_the_file_of_live_that_the_environments_warmer_in_that_region_reads(tmp_path):
    live = tmp_path / "live"
    (live / "shop").mkdir(parents=True)
    (live / "shop" / "env.hcl").write_text('locals {\n  aws_account_id = "123456789012"\n}\n')
    for region in ("us-east-1", "eu-west-1"):
        (live / "shop" / region / "warmer").mkdir(parents=True)
        (live / "shop" / region / "region.hcl").write_text(f'locals {{\n  aws_region = "{region}"\n}}\n')
        (live / "shop" / region / "warmer" / "terragrunt.hcl").write_text("inputs = {}\n")

    assert warmer_unit("shop", "eu-west-1", live) == "live/shop/eu-west-1/warmer/terragrunt.hcl"
    assert warmer_unit("shop", "ap-south-1", live) is None
