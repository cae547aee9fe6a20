"""Prices the estimate uses, in one place: USD, on-demand list prices of AWS's public price pages.

Update here when AWS changes them. Every commercial region of DynamoDB is in REGIONS; a region
missing from it (a newer one) uses us-east-1's figures, and the estimate says so. AWS's price pages
render their rate tables with a script, so the figures below could not all be checked against an
official page offline: each says where it comes from, and docs/operations.md lists the unverified
ones.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RegionPrices:
    rcu_hour: float  # provisioned read capacity unit, per hour
    wcu_hour: float  # provisioned write capacity unit, per hour
    read_request_million: float  # on-demand read request units, per million
    write_request_million: float  # on-demand write request units, per million


# Every commercial region of DynamoDB (botocore's `aws` partition; tests/advise/test_pricing.py checks
# that none is missing), Standard table class: provisioned capacity per unit-hour, on-demand per
# million request units.
REGIONS = {
    "af-south-1": RegionPrices(0.00017493, 0.00087465, 0.168, 0.84),
    "ap-east-1": RegionPrices(0.0001628, 0.000814, 0.155, 0.785),
    "ap-east-2": RegionPrices(0.00013356, 0.0006678, 0.1282, 0.6435),
    "ap-northeast-1": RegionPrices(0.0001484, 0.000742, 0.1425, 0.715),
    "ap-northeast-2": RegionPrices(0.00014098, 0.0007049, 0.1355, 0.68),
    "ap-northeast-3": RegionPrices(0.0001484, 0.000742, 0.1425, 0.715),
    "ap-south-1": RegionPrices(0.000148, 0.00074, 0.1425, 0.71),
    "ap-south-2": RegionPrices(0.000148, 0.00074, 0.1425, 0.71),
    "ap-southeast-1": RegionPrices(0.000148, 0.00074, 0.1425, 0.71),
    "ap-southeast-2": RegionPrices(0.000148, 0.00074, 0.1425, 0.71),
    "ap-southeast-3": RegionPrices(0.000148, 0.00074, 0.1425, 0.71),
    "ap-southeast-4": RegionPrices(0.000148, 0.00074, 0.1425, 0.71),
    "ap-southeast-5": RegionPrices(0.0001332, 0.000666, 0.1285, 0.64),
    "ap-southeast-6": RegionPrices(0.0001554, 0.000777, 0.1496, 0.7455),
    "ap-southeast-7": RegionPrices(0.0001332, 0.000666, 0.1285, 0.64),
    "ca-central-1": RegionPrices(0.000143, 0.000715, 0.1375, 0.6875),
    "ca-west-1": RegionPrices(0.000143, 0.000715, 0.1375, 0.6875),
    "eu-central-1": RegionPrices(0.0001586, 0.000793, 0.1525, 0.7625),
    "eu-central-2": RegionPrices(0.000175, 0.000872, 0.168, 0.835),
    "eu-north-1": RegionPrices(0.00014, 0.000698, 0.1345, 0.67),
    "eu-south-1": RegionPrices(0.00015435, 0.00077175, 0.1485, 0.74),
    "eu-south-2": RegionPrices(0.000147, 0.000735, 0.1415, 0.705),
    "eu-west-1": RegionPrices(0.000147, 0.000735, 0.1415, 0.705),
    "eu-west-2": RegionPrices(0.0001544, 0.000772, 0.1487, 0.7423),
    "eu-west-3": RegionPrices(0.0001544, 0.000772, 0.1487, 0.7423),
    "il-central-1": RegionPrices(0.0001764, 0.000882, 0.17, 0.85),
    "me-central-1": RegionPrices(0.0001617, 0.0008085, 0.1555, 0.7755),
    "me-south-1": RegionPrices(0.0001617, 0.0008085, 0.1555, 0.775),
    "mx-central-1": RegionPrices(0.0001365, 0.0006825, 0.1315, 0.655),
    "sa-east-1": RegionPrices(0.000195, 0.000975, 0.1875, 0.9375),
    "us-east-1": RegionPrices(0.00013, 0.00065, 0.125, 0.625),
    "us-east-2": RegionPrices(0.00013, 0.00065, 0.125, 0.625),
    "us-west-1": RegionPrices(0.000145, 0.000725, 0.1395, 0.695),
    "us-west-2": RegionPrices(0.00013, 0.00065, 0.125, 0.625),
}
DEFAULT_REGION = "us-east-1"

# Source of REGIONS: the data file AWS's DynamoDB pricing page renders its rate tables from
# (https://b0.p.awsstatic.com/pricing/2.0/meteredUnitMaps/dynamodb/USD/current/dynamodb.json, published
# 2025-08-28: after the on-demand price cut of 1 November 2024, which halved those rates), as stored in
# the public repository lamngockhuong/aws-price, lib/data/pricing/dynamodb.json at commit 508fb45 (the
# page itself renders by script and could not be read offline). Fields: "Provisioned Read Units",
# "Provisioned Write Units", "PayPerRequest Read Request Units" and "PayPerRequest Write Request Units"
# (x 10^6). The provisioned figures of 23 regions agree with AWS Labs' own table
# (awslabs/amazon-dynamodb-tools, archived/reco/src/ddb_rc_reco/config.py); the 11 newest regions have
# this file alone. me-central-1's $0.7755 a million writes (me-south-1: $0.775) is as published.
PRICES_AS_OF = "2025-08-28"
PRICES_SOURCE = (
    "https://aws.amazon.com/dynamodb/pricing/on-demand/ and https://aws.amazon.com/dynamodb/pricing/provisioned/"
    " (their data file of 2025-08-28)"
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
