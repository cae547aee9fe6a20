"""The per-minute series `advise` prices: consumed and provisioned capacity of every dimension, for days.

GetMetricData, not GetMetricStatistics: GetMetricStatistics returns at most 1,440
datapoints a call ("If you request more than 1,440 data points, CloudWatch returns an
error", https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricStatistics.html),
one day of minutes; GetMetricData returns "as many as 100,800 data points" a call across
its queries (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html),
and takes up to 500 queries a call, paging what does not fit with NextToken.
One-minute datapoints are kept for 15 days ("Data points with a period of 60 seconds (1-minute) are
available for 15 days",
same page), which bounds --days.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from array import array
from dataclasses import dataclass

MAX_DATAPOINTS_PER_CALL = 100_800  # GetMetricData, the page above
MAX_QUERIES_PER_CALL = 500  # GetMetricData's MetricDataQueries limit
MAX_DAYS = 15  # one-minute datapoints are kept 15 days
# GetMetricData's quota of datapoints a second, per account and region, for data older than 3 hours
# ("396,000 DPS, if the StartTime is more than three hours from the current time",
# https://repost.aws/knowledge-center/cloudwatch-getmetricdata-api; adjustable in Service Quotas).
GET_METRIC_DATA_DPS = 396_000
NAN = float("nan")  # a minute without a datapoint, in a compact series


@dataclass(frozen=True)
class MetricQuery:
    id: str
    metric: str  # ConsumedReadCapacityUnits, ProvisionedWriteCapacityUnits, ...
    dimensions: tuple[tuple[str, str], ...]  # (name, value) of the AWS/DynamoDB dimensions
    stat: str  # Sum for consumed, Maximum for provisioned


def minute_range(now: dt.datetime, days: float) -> tuple[dt.datetime, int]:
    """(first minute, number of complete minutes) of the last `days` days up to the current minute."""
    end = now.replace(second=0, microsecond=0)
    minutes = round(days * 1440)
    return end - dt.timedelta(minutes=minutes), minutes


class DatapointRate:
    """Keeps the calls of every thread under `per_second` datapoints a second: a call waits until the
    datapoints of the calls before it are paid for, so a fleet's read is paced rather than throttled."""

    def __init__(self, per_second: float):
        self.per_second = per_second
        self.lock = threading.Lock()
        self.free_at = time.monotonic()

    def wait(self) -> None:
        with self.lock:
            delay = self.free_at - time.monotonic()
        if delay > 0:
            time.sleep(delay)

    def spent(self, datapoints: int) -> None:
        with self.lock:
            self.free_at = max(self.free_at, time.monotonic()) + datapoints / self.per_second


def query_batches(queries: list[MetricQuery], minutes: int) -> list[list[MetricQuery]]:
    """The queries in calls whose every series fits one page: 100,800 datapoints / `minutes` of them (5 for
    14 days), at most 500. A call whose series do not fit pages with NextToken, and each page is a call
    that requests every metric of it again: CloudWatch charges per metric requested (prices.py)."""
    per_call = max(1, min(MAX_QUERIES_PER_CALL, MAX_DATAPOINTS_PER_CALL // minutes))
    return [queries[first : first + per_call] for first in range(0, len(queries), per_call)]


def read_series(
    cloudwatch, queries: list[MetricQuery], start: dt.datetime, minutes: int, rate: DatapointRate | None = None
) -> dict[str, array]:
    """{query id: one value per minute, oldest first, NaN where CloudWatch holds no datapoint}, read in
    calls of whole pages (query_batches). Compact (8 bytes a minute): 14 days of a series is 161 KB,
    where a list of floats would hold four times that."""
    series: dict[str, array] = {query.id: array("d", [NAN]) * minutes for query in queries}
    summed = {query.id for query in queries if query.stat == "Sum"}
    end = start + dt.timedelta(minutes=minutes)
    # CloudWatch stamps a 60-second period with its first minute: a lookup, not arithmetic, per datapoint.
    minute_of = {start + dt.timedelta(minutes=m): m for m in range(minutes)}
    for batch in query_batches(queries, minutes):
        kwargs = {
            "MetricDataQueries": [metric_data_query(query) for query in batch],
            "StartTime": start,
            "EndTime": end,
            "ScanBy": "TimestampAscending",
        }
        while True:
            if rate:
                rate.wait()
            page = cloudwatch.get_metric_data(**kwargs)
            if rate:
                rate.spent(sum(len(result["Values"]) for result in page["MetricDataResults"]))
            for result in page["MetricDataResults"]:
                values = series[result["Id"]]
                summing = result["Id"] in summed
                stamps = result["Timestamps"]
                first = minute_of.get(stamps[0]) if stamps else None
                last = minute_of.get(stamps[-1]) if stamps else None
                if first is not None and last is not None and last - first + 1 == len(stamps):
                    # Consecutive whole minutes, as CloudWatch returns a busy series: copied at once (a series'
                    # pages never overlap, so nothing is there to add to).
                    values[first : last + 1] = array("d", result["Values"])
                    continue
                for moment, value in zip(stamps, result["Values"], strict=True):
                    index = minute_of.get(moment)
                    if index is None:
                        index = int((moment.replace(second=0, microsecond=0) - start).total_seconds() // 60)
                    if 0 <= index < minutes:
                        held = values[index]
                        values[index] = held + value if summing and held == held else value
            if not page.get("NextToken"):
                break
            kwargs["NextToken"] = page["NextToken"]
    return series


def metric_data_query(query: MetricQuery) -> dict:
    return {
        "Id": query.id,
        "MetricStat": {
            "Metric": {
                "Namespace": "AWS/DynamoDB",
                "MetricName": query.metric,
                "Dimensions": [{"Name": name, "Value": value} for name, value in query.dimensions],
            },
            "Period": 60,
            "Stat": query.stat,
        },
        "ReturnData": True,
    }


def minute_values(values: array) -> list[float | None]:
    """One dimension's series as the pricing reads it: None where no datapoint was published."""
    return [None if value != value else value for value in values]  # NaN is the only value unequal to itself


def forward_filled(values: list[float | None], default: float) -> list[float]:
    """A level series (provisioned capacity) with each gap holding the last value seen, `default` before any."""
    filled, last = [], None
    first_seen = next((v for v in values if v is not None), default)
    for value in values:
        last = value if value is not None else last
        filled.append(last if last is not None else first_seen)
    return filled
