"""Prices the estimate uses, in one place: USD, on-demand list prices of AWS's public price pages.

Update here when AWS changes them; a region missing from REGIONS uses us-east-1's
figures, and the estimate says so.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RegionPrices:
    rcu_hour: float  # provisioned read capacity unit, per hour
    wcu_hour: float  # provisioned write capacity unit, per hour
    read_request_million: float  # on-demand read request units, per million
    write_request_million: float  # on-demand write request units, per million


REGIONS = {
    "us-east-1": RegionPrices(0.00013, 0.00065, 0.125, 0.625),
    "us-west-2": RegionPrices(0.00013, 0.00065, 0.125, 0.625),
    "eu-west-1": RegionPrices(0.000147, 0.000735, 0.1415, 0.7063),
    "eu-central-1": RegionPrices(0.0001586, 0.000793, 0.1525, 0.7625),
    "ap-southeast-2": RegionPrices(0.000148, 0.00074, 0.1425, 0.7125),
}
DEFAULT_REGION = "us-east-1"

# Lambda on arm64, the same in these regions.
LAMBDA_REQUEST_MILLION = 0.20
LAMBDA_GB_SECOND_ARM = 0.0000133334
HOURS_PER_MONTH = 730


def for_region(region: str) -> tuple[RegionPrices, bool]:
    """(prices, exact): exact is False when the region's own prices are not in the table."""
    if region in REGIONS:
        return REGIONS[region], True
    return REGIONS[DEFAULT_REGION], False


def on_demand_break_even(prices: RegionPrices, kind: str) -> float:
    """Average utilisation below which on-demand is cheaper than provisioned capacity."""
    unit_hour = prices.rcu_hour if kind == "read" else prices.wcu_hour
    per_million = prices.read_request_million if kind == "read" else prices.write_request_million
    # A fully used unit serves 3,600 requests an hour (a read unit: 3,600 strongly
    # consistent or 7,200 eventually consistent reads; counted as request units).
    return unit_hour / (3600 * per_million / 1_000_000)
