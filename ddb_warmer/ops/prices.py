"""Prices the estimate uses, in one place: USD, on-demand list prices of AWS's public price pages.

Update here when AWS changes them; a region missing from REGIONS uses us-east-1's
figures, and the estimate says so. AWS's price pages render their rate tables
with a script, so the figures below could not all be checked against an
official page offline: each says where it comes from, and the README lists the
unverified ones.
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

# DynamoDB provisioned capacity and on-demand requests, per region (above):
# https://aws.amazon.com/dynamodb/pricing/provisioned/ and /on-demand/

# Lambda on arm64, us-east-1 (the same in the regions above):
# https://aws.amazon.com/lambda/pricing/ ; not verified offline: the GB-second rate
# is confirmed by a third-party copy of the page, the request rate by none.
LAMBDA_REQUEST_MILLION = 0.20
LAMBDA_GB_SECOND_ARM = 0.0000133334

# CloudWatch, us-east-1: https://aws.amazon.com/cloudwatch/pricing/ ; the stored copy of
# the page has only its free tier (10 alarm metrics, 5 GB of logs), so these rates come
# from third-party copies and are not verified offline.
LOGS_INGESTION_GB = 0.50  # Standard log class, per GB ingested
LOGS_STORAGE_GB_MONTH = 0.03  # per GB-month archived (no source seen; the long-standing list price)
CUSTOM_METRIC_MONTH = 0.30  # per metric a month, the first 10,000
ALARM_METRIC_MONTH = 0.10  # standard resolution, per metric an alarm evaluates (metric math: each metric)

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
