"""`ddb-warmer estimate`: the warmer's monthly cost against the capacity paid above the minimums."""

from __future__ import annotations

import pytest

from ddb_warmer.ops import prices
from ddb_warmer.ops.estimate import ASSUMED_TICK_SECONDS, estimate, render, ticks_per_month

from .conftest import NOW


@pytest.mark.parametrize(
    ("expression", "ticks"),
    [("rate(1 minute)", 43_800), ("rate(5 minutes)", 8_760), ("rate(1 hour)", 730), ("cron(0/1 * * * ? *)", 43_800)],
)
def test_ticks_per_month_follow_the_schedule(expression, ticks):
    assert ticks_per_month(expression) == ticks


def test_the_warmer_costs_cents_and_capacity_above_the_minimum_is_priced_per_dimension(with_metrics):
    result = estimate(with_metrics, ["warm", "on-demand"], None, "eu-west-1", NOW)

    expected_lambda = 43_800 * (0.20 / 1e6 + ASSUMED_TICK_SECONDS * 128 / 1024 * prices.LAMBDA_GB_SECOND_ARM)
    assert result.warmer_month == pytest.approx(expected_lambda, abs=1e-4)
    assert result.warmer_month < 0.10
    by_label = {c.label: c for c in result.dimensions if c.table == "warm"}
    eu = prices.REGIONS["eu-west-1"]
    assert by_label["table read"].above_minimum_month == pytest.approx(4 * eu.rcu_hour * 730, abs=0.01)
    assert by_label["table write"].above_minimum_month == pytest.approx(4 * eu.wcu_hour * 730, abs=0.01)


def test_a_barely_used_table_gets_the_on_demand_hint_and_an_on_demand_table_a_removal_hint(with_metrics):
    result = estimate(with_metrics, ["warm", "on-demand"], None, "eu-west-1", NOW)

    # 20 units a day against 5 provisioned units: far under the break-even.
    assert any(
        h.startswith("warm: at most 0% average utilisation") and "on-demand would likely be cheaper" in h
        for h in result.hints
    )
    assert "on-demand: on-demand already; the warmer does nothing for it (remove it)" in result.hints


def test_the_break_even_is_near_29_percent_where_prices_are_known():
    for region in prices.REGIONS.values():
        assert prices.on_demand_break_even(region, "write") == pytest.approx(0.29, abs=0.01)


def test_an_unknown_region_uses_us_east_1_prices_and_says_so(with_metrics):
    result = estimate(with_metrics, ["warm"], None, "mars-north-1", NOW)

    assert not result.exact_prices
    assert "not in the price table: us-east-1 figures" in render(result)
