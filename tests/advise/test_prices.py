"""The pinned prices advise uses: per region, per table class, with their date."""

from __future__ import annotations

import datetime as dt

import pytest

from ddb_warmer.ops import prices
from ddb_warmer.ops.advise import advise_dimension
from ddb_warmer.ops.doctor import Dimension
from ddb_warmer.ops.scaling_simulator import Scaling


def test_us_east_1_on_demand_is_the_november_2024_price():
    standard, exact = prices.for_table_class("us-east-1", "STANDARD")
    assert exact
    assert (standard.write_request_million, standard.read_request_million) == (0.625, 0.125)
    assert (standard.wcu_hour, standard.rcu_hour) == (0.00065, 0.00013)
    assert prices.PRICES_AS_OF == "2024-11-01"


def test_standard_ia_pays_a_quarter_more_for_throughput_in_both_modes():
    # moto's DescribeTable omits TableClassSummary, so the class is tested here rather than on the emulator.
    ia, _ = prices.for_table_class("us-east-1", "STANDARD_INFREQUENT_ACCESS")
    assert ia.wcu_hour == pytest.approx(0.00065 * 1.25)
    assert ia.write_request_million == pytest.approx(0.625 * 1.25)
    consumed = [600.0] + [None] * 1439  # one minute of 10 WCU/s in a day
    dimension = Dimension("archive", None, "write", provisioned=10)
    start = dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC)

    advice = advise_dimension(dimension, consumed, [None] * 1440, Scaling(10, 10, 70.0), ia, start)

    assert advice.options["today"].month == pytest.approx(10 * 0.00065 * 1.25 * 730)
    assert advice.options["on-demand"].month == pytest.approx(600 * 43_800 / 1440 * 0.625 * 1.25 / 1e6)


def test_a_region_missing_from_the_table_is_priced_as_us_east_1_and_says_so():
    assert prices.for_table_class("ap-east-9", None) == (prices.REGIONS["us-east-1"], False)
