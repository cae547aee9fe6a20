"""The emulator's GetMetricData (ddb_warmer/local/metric_series.py) answers as moto's own does: the same calls on
the same datapoints, once with each, give the same results."""

from __future__ import annotations

import datetime as dt
import random

import boto3
import pytest
from moto import mock_aws
from moto.cloudwatch import models

from ddb_warmer.local import metric_series

NOW = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC)
TABLES = ("orders", "events")


def datapoints(rng: random.Random) -> list[tuple[str, dict]]:
    """Two namespaces, two metric names, datapoints with and without dimensions and units, several in a minute,
    statistic sets among them, over the last three hours, in no order."""
    points = []
    for _ in range(1500):
        namespace = rng.choice(["AWS/DynamoDB", "Custom"])
        datum = {
            "MetricName": rng.choice(["ConsumedReadCapacityUnits", "ConsumedWriteCapacityUnits"]),
            "Timestamp": NOW - dt.timedelta(seconds=rng.randrange(3 * 3600)),
        }
        if rng.random() < 0.8:
            datum["Dimensions"] = [{"Name": "TableName", "Value": rng.choice(TABLES)}]
            if rng.random() < 0.2:
                datum["Dimensions"].append({"Name": "GlobalSecondaryIndexName", "Value": "by_user"})
        if rng.random() < 0.3:
            datum["Unit"] = rng.choice(["Count", "Seconds"])
        if rng.random() < 0.1:
            datum["StatisticValues"] = {"SampleCount": 3, "Sum": rng.random() * 9, "Minimum": 0.5, "Maximum": 4.0}
        else:
            datum["Value"] = rng.choice([0.1, 0.2, 0.3, 0.5, 1.0, 7.25])
        points.append((namespace, datum))
    return points


def queries(rng: random.Random) -> list[dict]:
    found = []
    for i in range(40):
        metric = {
            "Namespace": rng.choice(["AWS/DynamoDB", "Custom"]),
            "MetricName": rng.choice(["ConsumedReadCapacityUnits", "ConsumedWriteCapacityUnits"]),
        }
        if rng.random() < 0.7:
            metric["Dimensions"] = [{"Name": "TableName", "Value": rng.choice(TABLES)}]
        stat = {"Metric": metric, "Period": rng.choice([60, 300, 3600]), "Stat": rng.choice(
            ["Sum", "Average", "Minimum", "Maximum", "SampleCount"]
        )}  # fmt: skip
        if rng.random() < 0.2:
            stat["Unit"] = "Count"
        query = {"Id": f"q{i}", "MetricStat": stat}
        if rng.random() < 0.2:
            query["Label"] = f"label {i}"
        if rng.random() < 0.1:
            query["ReturnData"] = False
        found.append(query)
    return found


@pytest.mark.parametrize("scan_by", ["TimestampAscending", "TimestampDescending"])
def test_each_query_gets_moto_s_own_answer(monkeypatch, aws_credentials, scan_by):
    rng = random.Random(7)
    with mock_aws():
        cloudwatch = boto3.client("cloudwatch", region_name="eu-west-1")
        for namespace, datum in datapoints(rng):
            cloudwatch.put_metric_data(Namespace=namespace, MetricData=[datum])
        calls = [queries(rng)[i : i + 10] for i in range(0, 40, 10)]
        windows = [(NOW - dt.timedelta(hours=3), NOW), (NOW - dt.timedelta(minutes=97), NOW - dt.timedelta(minutes=5))]

        def answers(get_metric_data) -> list:
            monkeypatch.setattr(models.CloudWatchBackend, "get_metric_data", get_metric_data)
            return [
                cloudwatch.get_metric_data(MetricDataQueries=call, StartTime=start, EndTime=end, ScanBy=scan_by)[
                    "MetricDataResults"
                ]
                for call in calls
                for start, end in windows
            ]

        mine, moto_s = answers(metric_series.get_metric_data), answers(metric_series._moto_get_metric_data)

    assert mine == moto_s
    assert sum(len(result["Values"]) for call in mine for result in call) > 1000  # the calls did find datapoints
