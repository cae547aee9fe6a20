"""A CloudWatch that answers GetMetricData by its documented limits, for benchmarks and tests of a fleet.

moto answers GetMetricData without its limits and in time that grows with every stored datapoint, so a
fleet's 14 days cannot be measured there. This stub keeps to what the API reference says a call may
hold and return (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html):
at most 500 queries a call (more is refused, as CloudWatch refuses it), at most 100,800 datapoints a
page, the rest behind a NextToken, values oldest first with ScanBy TimestampAscending; each call takes
`latency` seconds (a sleep, as a network wait, which lets other threads run). A query's datapoints come
from `series(query)`: the timestamps and values published in the window, oldest first (a minute with
no request publishes none). It counts what CloudWatch bills: every metric of every call ("metrics
requested"), pages included.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Sequence

from ddb_warmer.ops.advise_metrics import MAX_DATAPOINTS_PER_CALL, MAX_QUERIES_PER_CALL


class TooManyQueries(ValueError):
    pass


Published = tuple[Sequence[dt.datetime], Sequence[float]]  # a series' datapoints in the window, oldest first


class MetricDataStub:
    def __init__(
        self, series: Callable[[dict], Published], latency: float = 0.0, page_size: int = MAX_DATAPOINTS_PER_CALL
    ):
        self.series, self.latency, self.page_size = series, latency, page_size
        self.calls = self.metrics_requested = self.datapoints = 0
        self.largest_page = 0
        self._lock = threading.Lock()

    # The parameters are named as the API (and boto3) names them.
    def get_metric_data(self, MetricDataQueries, StartTime, EndTime, ScanBy="TimestampAscending", NextToken=None):
        if len(MetricDataQueries) > MAX_QUERIES_PER_CALL:
            raise TooManyQueries(f"{len(MetricDataQueries)} queries: GetMetricData takes at most 500")
        time.sleep(self.latency)
        query_at, point_at = map(int, (NextToken or "0:0").split(":"))
        budget, results = self.page_size, []
        while query_at < len(MetricDataQueries) and budget > 0:
            query = MetricDataQueries[query_at]
            stamps, values = self.series(query)
            taken = min(budget, len(values) - point_at)
            results.append(
                {
                    "Id": query["Id"],
                    "Timestamps": stamps[point_at : point_at + taken],
                    "Values": values[point_at : point_at + taken],
                    "StatusCode": "Complete" if point_at + taken >= len(values) else "PartialData",
                }
            )
            budget -= taken
            point_at += taken
            if point_at >= len(values):
                query_at, point_at = query_at + 1, 0
        returned = self.page_size - budget
        with self._lock:
            self.calls += 1
            self.metrics_requested += len(MetricDataQueries)
            self.datapoints += returned
            self.largest_page = max(self.largest_page, returned)
        page = {"MetricDataResults": results}
        if query_at < len(MetricDataQueries):
            page["NextToken"] = f"{query_at}:{point_at}"
        return page
