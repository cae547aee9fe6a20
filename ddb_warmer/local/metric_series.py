"""moto's GetMetricData, answered series by series: the same answer in time that grows with the datapoints.

moto answers a MetricStat query by scanning every stored datapoint of the window once per period: a day of
minutes is 1,440 scans of every series, which made most of the emulator's work in the advise and doctor
tests. Here each query takes its own series once (moto's own matching: the metric's name, and its namespace
or, when the query names dimensions, exactly those dimensions; the unit when given), puts each datapoint in
its period in the order moto stored it, and computes each period's statistic with moto's `Statistics`: the
same values, timestamps, labels and order as moto's (tests/local/test_metric_series.py compares the two on
the same datapoints). A call with a metric math or Metrics Insights query, or with a window moto refuses,
goes to moto's own code, as does everything when moto's CloudWatch no longer looks as expected.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from moto.cloudwatch import models

_moto_get_metric_data = models.CloudWatchBackend.get_metric_data


def get_metric_data(
    self: models.CloudWatchBackend,
    queries: list[dict[str, Any]],
    start_time: datetime,
    end_time: datetime,
    scan_by: str = "TimestampAscending",
) -> list[dict[str, Any]]:
    start_time, end_time = start_time.replace(microsecond=0), end_time.replace(microsecond=0)
    if start_time >= end_time or not all("MetricStat" in q for q in queries):
        return _moto_get_metric_data(self, queries, start_time, end_time, scan_by)
    window = [md for md in self.get_all_metrics() if start_time <= md.timestamp < end_time]
    answered = []
    for query in queries:
        metric_stat = query["MetricStat"]
        namespace, name = metric_stat["Metric"]["Namespace"], metric_stat["Metric"]["MetricName"]
        period, stat, unit = timedelta(seconds=int(metric_stat["Period"])), metric_stat["Stat"], metric_stat.get("Unit")
        dimensions = sorted(
            models.Dimension(name=d["Name"], value=d["Value"]) for d in metric_stat["Metric"].get("Dimensions", [])
        )
        # moto's matching: with dimensions, the name and exactly those dimensions, whatever the namespace.
        series = [
            md
            for md in window
            if md.name == name
            and (sorted(md.dimensions) == dimensions if dimensions else md.namespace == namespace)
            and (not unit or md.unit == unit)
        ]
        periods: dict[int, list] = {}
        for md in series:
            periods.setdefault((md.timestamp - start_time) // period, []).append(md)
        values, timestamps = [], []
        for index in sorted(periods):
            stats = models.Statistics([stat], start_time + index * period)
            stats.metric_data = periods[index]
            values.append(stats.get_statistics_for_type(stat))
            timestamps.append(stats.timestamp)
        if scan_by == "TimestampDescending":
            values.reverse()
            timestamps.reverse()
        if query.get("ReturnData", True):
            label = query.get("Label") or f"{name} {stat}"
            answer = {"values": values, "timestamps": timestamps, "status_code": "Complete"}
            answered.append({"id": query["Id"], "label": label, **answer})
    return answered


def install() -> None:
    """Answer GetMetricData series by series from now on, in this process (the emulator server's, or a
    test's under moto's mock); moto's own answer stays when its CloudWatch is not the one this was made for."""
    if (
        hasattr(models, "Statistics")
        and hasattr(models, "Dimension")
        and hasattr(models.CloudWatchBackend, "get_all_metrics")
    ):
        models.CloudWatchBackend.get_metric_data = get_metric_data
