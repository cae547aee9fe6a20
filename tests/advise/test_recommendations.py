"""`advise` on moto: each recommendation's arithmetic checked by hand against the pinned us-east-1 prices.

One day of per-minute history (1,440 minutes) keeps moto quick; the month is that day's pace:
x 43,800 / 1,440 minutes for request units, the mean capacity x 730 hours for provisioned units.
Simulated capacities are worked out by hand from the documented rules (scaling_simulator.py):
scale in on the 15th minute below target - 20 points, effective the minute after; scale out on
the 2nd minute above target, to consumed / target.
"""

from __future__ import annotations

import datetime as dt

import pytest

from ddb_warmer.ops.advise import advise
from ddb_warmer.ops.advise_output import heading

from .conftest import NOW, REGION, START, auto_scale, consumed, create_table

RCU_HOUR, WCU_HOUR = 0.00013, 0.00065  # us-east-1, Standard
RRU_MILLION, WRU_MILLION = 0.125, 0.625  # on-demand since November 2024
MONTH = 43_800 / 1_440  # a month of days like the one read
HOURS = 730


def run(clients, *tables):
    return {t.table: t for t in advise(clients, list(tables), REGION, NOW, 1, "test").tables}


def dims(table):
    return {d.label: d for d in table.dimensions}


def test_an_always_idle_table_goes_on_demand_and_saves_all_it_pays(account):
    create_table(account, "idle", read=5, write=5)
    auto_scale(account, "idle", "read", 5, 100)
    auto_scale(account, "idle", "write", 5, 100)

    table = run(account, "idle")["idle"]

    read, write = dims(table)["table read"], dims(table)["table write"]
    assert read.options["today"].month == pytest.approx(5 * RCU_HOUR * HOURS)  # $0.4745
    assert write.options["today"].month == pytest.approx(5 * WCU_HOUR * HOURS)  # $2.3725
    # Warmed, it stays at its MinCapacity of 5; with the floor lowered to the p99 need (1 unit) it
    # scales in on minute 15: 15 minutes at 5, 1,425 at 1.
    assert write.options["warmed"].month == pytest.approx(5 * WCU_HOUR * HOURS)
    assert write.options["lower floor"].min_capacity == 1
    assert write.options["lower floor"].month == pytest.approx((15 * 5 + 1425 * 1) / 1440 * WCU_HOUR * HOURS, abs=1e-4)
    assert read.options["on-demand"].month == write.options["on-demand"].month == 0
    assert table.recommendation == "on-demand"
    assert table.saving_month == pytest.approx(5 * (RCU_HOUR + WCU_HOUR) * HOURS, abs=1e-4)  # $2.85
    assert "needs no warming" in table.reason


def test_a_steady_table_at_60_percent_stays_provisioned_and_warmed(account):
    create_table(account, "steady", read=1, write=100)
    auto_scale(account, "steady", "read", 1, 100)
    auto_scale(account, "steady", "write", 1, 1000)
    consumed(account, "steady", "write", dict.fromkeys(range(1440), 60 * 60.0))  # 60 WCU/s, every minute

    table = run(account, "steady")["steady"]

    write = dims(table)["table write"]
    assert write.utilisation == pytest.approx(0.60)
    # 60 % is neither above the 70 % target nor under 50 %: target tracking leaves 100 units alone.
    assert write.options["warmed"].month == pytest.approx(100 * WCU_HOUR * HOURS)  # $47.45
    assert write.options["warmed"].scale_ins == write.options["warmed"].scale_outs == 0
    assert "lower floor" not in write.options  # its p99 needs 86 units, above MinCapacity 1
    assert write.options["on-demand"].month == pytest.approx(3600 * 1440 * MONTH * WRU_MILLION / 1e6)  # $98.55
    assert table.recommendation == "warmed"
    assert table.recommended_month == pytest.approx((100 * WCU_HOUR + 1 * RCU_HOUR) * HOURS)
    assert table.saving_month == pytest.approx(0, abs=1e-9)


def test_a_spiky_table_goes_on_demand_because_scale_out_is_too_slow_for_its_spikes(account):
    create_table(account, "spiky", read=1, write=300)
    auto_scale(account, "spiky", "read", 1, 100)
    auto_scale(account, "spiky", "write", 1, 1000)
    spikes = [60 + 240 * k for k in range(6)]  # 5 minutes at 100 WCU/s every 4 hours, nothing between
    consumed(account, "spiky", "write", {s + m: 6000.0 for s in spikes for m in range(5)})

    table = run(account, "spiky")["spiky"]

    write = dims(table)["table write"]
    warmed = write.options["warmed"]
    # Scaled in to 1 unit between spikes, each spike is throttled for 2 minutes (burst holds 300 units,
    # the spike needs 5,940 more a minute) before AlarmHigh's 2 datapoints scale it out to 100 / 0.7 -> 143.
    assert warmed.throttled_minutes == 12 and not warmed.keeps_headroom
    assert warmed.scale_outs == 6
    # 15 minutes at 300, then per spike 18 minutes at 143 (minutes 3 to 5 of the spike and the 15 after), else 1.
    assert warmed.month == pytest.approx((15 * 300 + 6 * 18 * 143 + 1317 * 1) / 1440 * WCU_HOUR * HOURS, abs=1e-4)
    assert "lower floor" not in write.options  # 30 spike minutes of 1,440: its p99 is a spike minute
    assert write.options["on-demand"].month == pytest.approx(30 * 6000 * MONTH * WRU_MILLION / 1e6)  # $3.42
    assert table.recommendation == "on-demand"
    today = (300 * WCU_HOUR + 1 * RCU_HOUR) * HOURS
    assert table.saving_month == pytest.approx(today - 30 * 6000 * MONTH * WRU_MILLION / 1e6, abs=1e-4)
    assert "warmed provisioned would throttle (table write" in table.reason


def test_a_table_with_a_high_floor_gets_its_floor_lowered_to_its_p99_need(account):
    create_table(account, "high-floor", read=1, write=50)
    auto_scale(account, "high-floor", "read", 1, 100)
    auto_scale(account, "high-floor", "write", 50, 100)
    consumed(account, "high-floor", "write", dict.fromkeys(range(1440), 2 * 60.0))  # 2 WCU/s

    table = run(account, "high-floor")["high-floor"]

    write = dims(table)["table write"]
    assert write.options["warmed"].month == pytest.approx(50 * WCU_HOUR * HOURS)  # held at MinCapacity 50
    floor = write.options["lower floor"]
    assert floor.min_capacity == 3  # 2 units/s at the 70 % target: 2.86, rounded up
    assert floor.month == pytest.approx((15 * 50 + 1425 * 3) / 1440 * WCU_HOUR * HOURS, abs=1e-4)  # $1.66
    assert floor.keeps_headroom
    assert write.options["on-demand"].month == pytest.approx(120 * 1440 * MONTH * WRU_MILLION / 1e6)  # $3.29
    assert table.recommendation == "lower floor"
    assert table.saving_month == pytest.approx((50 * WCU_HOUR + RCU_HOUR) * HOURS - floor.month - RCU_HOUR * HOURS)
    assert "table write: MinCapacity 50 while its p99 minute needs 3: set MinCapacity to 3" in table.reason


def test_a_gsi_is_priced_from_its_own_series_not_its_tables(account):
    create_table(account, "indexed", read=1, write=100, indexes={"by_status": (20, 1)})
    auto_scale(account, "indexed", "read", 1, 100)
    auto_scale(account, "indexed", "write", 1, 1000)
    auto_scale(account, "indexed", "read", 20, 100, index="by_status")  # its write has no auto scaling
    consumed(account, "indexed", "write", dict.fromkeys(range(1440), 3600.0))  # the table: 60 WCU/s
    consumed(account, "indexed", "read", dict.fromkeys(range(720), 84.0), index="by_status")  # 1.4 RCU/s, half a day

    table = run(account, "indexed")["indexed"]

    by = dims(table)
    assert by["table read"].consumed_units == 0  # the index's reads are not the table's
    index_read = by["index by_status read"]
    assert index_read.consumed_units == 84 * 720
    assert index_read.options["on-demand"].month == pytest.approx(84 * 720 * MONTH * RRU_MILLION / 1e6)  # $0.23
    assert index_read.options["lower floor"].min_capacity == 2  # 1.4 / 0.7
    lowered = (15 * 20 + 1425 * 2) / 1440 * RCU_HOUR * HOURS
    assert index_read.options["lower floor"].month == pytest.approx(lowered, abs=1e-4)  # $0.21
    assert by["index by_status write"].options.keys() == {"today", "on-demand"}  # no auto scaling to simulate
    assert table.recommendation == "lower floor"
    provisioned = (100 * WCU_HOUR + 1 * RCU_HOUR + 1 * WCU_HOUR) * HOURS + lowered
    assert table.recommended_month == pytest.approx(provisioned, abs=1e-4)
    assert table.saving_month == pytest.approx(20 * RCU_HOUR * HOURS - lowered, abs=1e-4)
    assert "index by_status read: MinCapacity 20 while its p99 minute needs 2" in table.reason


def test_today_is_priced_from_the_provisioned_series_not_only_the_current_capacity(account):
    create_table(account, "was-stuck", read=1, write=10)
    auto_scale(account, "was-stuck", "write", 10, 100)
    # CloudWatch publishes ProvisionedWriteCapacityUnits when it changes: 100 for half the day, then 10.
    account["cloudwatch"].put_metric_data(
        Namespace="AWS/DynamoDB",
        MetricData=[
            {
                "MetricName": "ProvisionedWriteCapacityUnits",
                "Dimensions": [{"Name": "TableName", "Value": "was-stuck"}],
                "Timestamp": START + dt.timedelta(minutes=minute),
                "Value": value,
            }
            for minute, value in ((0, 100.0), (720, 10.0))
        ],
    )

    table = run(account, "was-stuck")["was-stuck"]

    write = dims(table)["table write"]
    assert write.average_provisioned == pytest.approx(55)
    assert write.options["today"].month == pytest.approx(55 * WCU_HOUR * HOURS)


def test_a_region_missing_from_the_price_table_is_said_once(account):
    create_table(account, "elsewhere", read=5, write=5)

    result = advise(account, ["elsewhere"], "mars-north-1", NOW, 1, "test")

    shown = "\n".join(heading(result))
    assert shown.count("not in the price table") == 1
    assert "mars-north-1 (not in the price table: us-east-1 figures)" in shown
