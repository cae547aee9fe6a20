"""Pricing without an account: the pinned prices per region and table class, and a table kept as it is."""

from __future__ import annotations

import datetime as dt

import botocore.session
import pytest

from ddb_warmer.ops import prices
from ddb_warmer.ops.advise import advise_dimension, advise_table
from ddb_warmer.ops.inventory import DimensionState
from ddb_warmer.ops.scaling_simulator import Scaling


def test_us_east_1_on_demand_is_the_november_2024_price():
    standard, exact = prices.for_table_class("us-east-1", "STANDARD")
    assert exact
    assert (standard.write_request_million, standard.read_request_million) == (0.625, 0.125)
    assert (standard.wcu_hour, standard.rcu_hour) == (0.00065, 0.00013)
    assert prices.PRICES_AS_OF >= "2024-11-01"  # after the on-demand price cut


def test_every_commercial_region_of_dynamodb_has_its_own_prices():
    """An adopter may deploy to any of them; the estimate and the advice are exact there."""

    regions = botocore.session.get_session().get_available_regions("dynamodb", partition_name="aws")
    assert regions, "botocore lists no region for dynamodb"
    assert [region for region in regions if region not in prices.REGIONS] == []
    assert all(prices.for_region(region)[1] for region in regions)


def test_standard_ia_pays_a_quarter_more_for_throughput_in_both_modes():
    # moto's DescribeTable omits TableClassSummary, so the class is tested here rather than on the emulator.
    ia, _ = prices.for_table_class("us-east-1", "STANDARD_INFREQUENT_ACCESS")
    assert ia.wcu_hour == pytest.approx(0.00065 * 1.25)
    assert ia.write_request_million == pytest.approx(0.625 * 1.25)
    consumed = [600.0] + [None] * 1439  # one minute of 10 WCU/s in a day
    dimension = DimensionState("archive", None, "write", provisioned=10)
    start = dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC)

    advice = advise_dimension(dimension, consumed, [None] * 1440, Scaling(10, 10, 70.0), ia, start)

    assert advice.options["today"].month == pytest.approx(10 * 0.00065 * 1.25 * 730)
    assert advice.options["on-demand"].month == pytest.approx(600 * 43_800 / 1440 * 0.625 * 1.25 / 1e6)


def test_a_region_missing_from_the_table_is_priced_as_us_east_1_and_says_so():
    assert prices.for_table_class("ap-east-9", None) == (prices.REGIONS["us-east-1"], False)


def test_a_busy_table_that_would_throttle_once_scaled_in_is_kept_as_it_is():
    # Each hour: 20 idle minutes (scaled in to 1 unit), then 40 minutes at 9 units/s: each return of
    # traffic is throttled for 2 minutes before scale out, and on-demand costs twice today's 10 units.
    hour = [None] * 20 + [9 * 60.0] * 40
    dimension = DimensionState("busy", None, "write", provisioned=10)
    start = dt.datetime(2026, 11, 26, tzinfo=dt.UTC)
    us_east, _ = prices.for_region("us-east-1")

    write = advise_dimension(dimension, hour * 24, [None] * 1440, Scaling(1, 100, 70.0), us_east, start)
    table = advise_table("busy", "STANDARD", [write], us_east)

    assert write.options["warmed"].throttled_minutes == 2 * 24
    assert write.best_provisioned == "today"
    assert write.options["on-demand"].month == pytest.approx(9 * 60 * 40 * 24 * 43_800 / 1440 * 0.625 / 1e6)  # $9.86
    assert table.recommendation == "keep"
    assert table.recommended_month == pytest.approx(10 * 0.00065 * 730)
    assert table.reason.startswith("scaled in, it would throttle (table write)")
