"""Prices the estimate uses, in one place: USD, on-demand list prices of AWS's public price pages.

Update here when AWS changes them; a region missing from REGIONS uses us-east-1's
figures, and the estimate says so. AWS's price pages render their rate tables
with a script, so the figures below could not all be checked against an
official page offline: each says where it comes from, and docs/operations.md lists the
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

# DynamoDB provisioned capacity and on-demand requests, per region (above), for the Standard table class:
# https://aws.amazon.com/dynamodb/pricing/provisioned/ and https://aws.amazon.com/dynamodb/pricing/on-demand/
# On-demand figures are those since the price cut of 1 November 2024 (half the earlier rates: us-east-1
# $0.625 per million write request units, $0.125 per million read request units; a copy of the page:
# https://airbyte.com/data-engineering-resources/dynamodb-pricing).
PRICES_AS_OF = "2024-11-01"
PRICES_SOURCE = (
    "https://aws.amazon.com/dynamodb/pricing/on-demand/ and https://aws.amazon.com/dynamodb/pricing/provisioned/"
)

# The Standard-Infrequent Access class pays more per unit of throughput than Standard (and less for
# storage). AWS's rate tables render by script and were not readable offline; the China regions' page
# prints both classes in full and Standard-IA's throughput is 1.25 x Standard's there
# (¥0.0725 against ¥0.058 for the same units: https://www.amazonaws.cn/en/dynamodb/pricing/), the same
# ratio as the global list prices (us-east-1 Standard-IA: $0.00081 a WCU-hour, $0.78 a million writes).
STANDARD_IA_THROUGHPUT_FACTOR = 1.25
TABLE_CLASSES = ("STANDARD", "STANDARD_INFREQUENT_ACCESS")

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
# GetMetricData is billed per metric requested (not in the free tier), $0.01 a 1,000:
# https://aws.amazon.com/cloudwatch/pricing/ (rendered by script; the rate as a copy gives it:
# https://support.site24x7.com/portal/en/kb/articles/aws-cloudwatch-metrics-cost-calculation, and the
# free tier's exclusion: https://repost.aws/knowledge-center/cloudwatch-getmetricdata-api).
GET_METRIC_DATA_PER_1000_METRICS = 0.01

HOURS_PER_MONTH = 730
MINUTES_PER_MONTH = HOURS_PER_MONTH * 60


def for_region(region: str) -> tuple[RegionPrices, bool]:
    """(prices, exact): exact is False when the region's own prices are not in the table."""
    if region in REGIONS:
        return REGIONS[region], True
    return REGIONS[DEFAULT_REGION], False


def for_table_class(region: str, table_class: str | None) -> tuple[RegionPrices, bool]:
    """(throughput prices for a table of this class, exact); DescribeTable omits the class of a Standard table."""
    prices, exact = for_region(region)
    if table_class == "STANDARD_INFREQUENT_ACCESS":
        factor = STANDARD_IA_THROUGHPUT_FACTOR
        prices = RegionPrices(*(getattr(prices, name) * factor for name in RegionPrices.__dataclass_fields__))
    return prices, exact


def unit_hour(prices: RegionPrices, kind: str) -> float:
    """The price of one provisioned capacity unit for an hour; kind is read or write."""
    return prices.rcu_hour if kind == "read" else prices.wcu_hour


def request_unit_million(prices: RegionPrices, kind: str) -> float:
    """The on-demand price of a million request units; kind is read or write."""
    return prices.read_request_million if kind == "read" else prices.write_request_million


def on_demand_break_even(prices: RegionPrices, kind: str) -> float:
    """Average utilisation below which on-demand is cheaper than provisioned capacity."""
    per_million = request_unit_million(prices, kind)
    # A fully used unit serves 3,600 requests an hour (a read unit: 3,600 strongly
    # consistent or 7,200 eventually consistent reads; counted as request units).
    return unit_hour(prices, kind) / (3600 * per_million / 1_000_000)
