"""`ddb-warmer estimate`: the warmer's monthly cost against the capacity paid above the minimums."""

from __future__ import annotations

import pytest

from ddb_warmer.ops import prices
from ddb_warmer.ops.deployed import ticks_per_month
from ddb_warmer.ops.estimate import ASSUMED_TICK_SECONDS, estimate, render
from ddb_warmer.ops.warmer_cost import warmer_cost

from .conftest import FUNCTION, NOW


@pytest.mark.parametrize(
    ("expression", "ticks"),
    [("rate(1 minute)", 43_800), ("rate(5 minutes)", 8_760), ("rate(1 hour)", 730), ("cron(0/1 * * * ? *)", 43_800)],
)
def test_ticks_per_month_follow_the_schedule(expression, ticks):
    assert ticks_per_month(expression) == ticks


def test_the_warmer_costs_cents_and_capacity_above_the_minimum_is_priced_per_dimension(with_metrics):
    result = estimate(with_metrics, ["warm", "on-demand"], None, "eu-west-1", NOW)

    expected_lambda = 43_800 * (0.20 / 1e6 + ASSUMED_TICK_SECONDS * 128 / 1024 * prices.LAMBDA_GB_SECOND_ARM)
    assert result.warmer.lambda_requests + result.warmer.lambda_compute == pytest.approx(expected_lambda, abs=1e-4)
    assert result.warmer.alarms == pytest.approx(0.40)  # 4 alarm metrics: errors, dead letters, Invocations + Errors
    assert result.warmer_month == pytest.approx(result.warmer.total, abs=1e-4)
    assert result.warmer.without_alarms < 0.10
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


def test_the_deployed_log_level_retention_custom_metrics_and_alarms_are_priced(with_metrics):
    clients = with_metrics
    clients["logs"].create_log_group(logGroupName=f"/aws/lambda/{FUNCTION}")
    clients["logs"].put_retention_policy(logGroupName=f"/aws/lambda/{FUNCTION}", retentionInDays=90)
    clients["cloudwatch"].put_metric_alarm(
        AlarmName=f"{FUNCTION}-errors",
        Namespace="AWS/Lambda",
        MetricName="Errors",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=0,
        ComparisonOperator="GreaterThanThreshold",
    )
    configuration = {
        "MemorySize": 256,
        "LoggingConfig": {"LogFormat": "JSON", "ApplicationLogLevel": "DEBUG", "LogGroup": f"/aws/lambda/{FUNCTION}"},
        "Environment": {"Variables": {"WARMER_EMF": "true"}},
    }
    clients["lambda"].get_function_configuration = lambda **_: configuration

    result = estimate(clients, ["warm"], FUNCTION, "eu-west-1", NOW)

    assert result.memory_mb == 256
    assert result.warmer.custom_metrics == pytest.approx(6 * 0.30)
    assert result.warmer.alarms == pytest.approx(0.10)
    # DEBUG: a summary line, two request lines and the EMF line per tick.
    per_tick = (360 + 26) + 2 * (330 + 26) + (620 + 26)
    assert result.warmer.log_gb == pytest.approx(43_800 * per_tick / 1024**3)
    assert result.warmer.log_storage == pytest.approx(result.warmer.log_gb * 3 * prices.LOGS_STORAGE_GB_MONTH)
    assert "custom metrics       $  1.8000  (on)" in render(result)


def test_at_200_tables_on_rate_1_minute_the_warmer_costs_at_most_a_cent_per_table_alarms_aside():
    # 400 requests a tick at 128 MB: about 2.3 s of CPU-bound tick (README, benchmark).
    at_info = warmer_cost(43_800, 2.3, 128, 400)
    at_debug = warmer_cost(43_800, 2.3, 128, 400, log_level="DEBUG")

    assert at_info.without_alarms / 200 <= 0.01
    assert at_debug.log_ingestion > 50 * at_info.log_ingestion  # one line per request instead of one per tick
    assert 4 < at_debug.log_gb < 7  # gigabytes a month, where INFO writes megabytes


def test_an_unknown_region_uses_us_east_1_prices_and_says_so(with_metrics):
    result = estimate(with_metrics, ["warm"], None, "mars-north-1", NOW)

    assert not result.exact_prices
    assert "not in the price table: us-east-1 figures" in render(result)
