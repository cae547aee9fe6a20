"""Reading a fleet's series from a CloudWatch that keeps GetMetricData's limits (the stub of
ddb_warmer/local/metric_data_stub.py): whole pages per call, every page read, every minute where it belongs."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from ddb_warmer.local.metric_data_stub import MetricDataStub, TooManyQueries
from ddb_warmer.ops import advise_metrics
from ddb_warmer.ops.advise_metrics import DatapointRate, MetricQuery, metric_data_query, minute_values, read_series

START = dt.datetime(2026, 11, 13, 12, 0, tzinfo=dt.UTC)


def published(minutes: int, every: int) -> tuple[list, list]:
    """A datapoint every `every` minutes, worth its minute number."""
    kept = range(0, minutes, every)
    return [START + dt.timedelta(minutes=m) for m in kept], [float(m) for m in kept]


def queries(count: int) -> list[MetricQuery]:
    return [MetricQuery(f"c{n}", "ConsumedWriteCapacityUnits", (("TableName", f"t{n}"),), "Sum") for n in range(count)]


def test_fourteen_days_are_read_in_calls_whose_series_fill_one_page_so_no_metric_is_requested_twice():
    minutes = 14 * 1440
    dense = published(minutes, 1)
    stub = MetricDataStub(lambda query: dense)

    series = read_series(stub, queries(12), START, minutes)

    assert stub.calls == 3 and stub.metrics_requested == 12  # 5 + 5 + 2 series of 20,160 minutes
    assert stub.largest_page == 5 * 20_160 <= 100_800
    assert all(list(values) == [float(m) for m in range(minutes)] for values in series.values())


def test_a_call_whose_series_do_not_fit_a_page_is_read_to_its_last_page_with_gaps_kept():
    minutes = 1440
    dense, sparse = published(minutes, 1), published(minutes, 7)
    stub = MetricDataStub(lambda query: sparse if query["Id"] == "c1" else dense, page_size=1000)

    series = read_series(stub, queries(3), START, minutes)

    assert stub.calls == math.ceil((2 * 1440 + len(sparse[1])) / 1000)  # NextToken until the last page
    assert list(series["c0"]) == list(series["c2"]) == [float(m) for m in range(minutes)]
    assert minute_values(series["c1"]) == [float(m) if m % 7 == 0 else None for m in range(minutes)]


def test_the_stub_refuses_more_queries_than_getmetricdata_takes():
    stub = MetricDataStub(lambda query: ([], []))
    with pytest.raises(TooManyQueries):
        stub.get_metric_data([metric_data_query(q) for q in queries(501)], START, START + dt.timedelta(hours=1))


class FakeClock:
    """time.monotonic and time.sleep for DatapointRate: sleeping moves the clock, nothing waits."""

    def __init__(self):
        self.now, self.slept = 100.0, []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_the_reading_is_paced_to_getmetricdatas_datapoints_a_second_rather_than_throttled(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(advise_metrics, "time", clock)
    minutes = 14 * 1440
    dense = published(minutes, 1)
    stub = MetricDataStub(lambda query: dense)

    read_series(stub, queries(15), START, minutes, DatapointRate(396_000))

    # 3 calls of 100,800 datapoints: the 2nd waits for the 1st's to be paid for at 396,000 a second, the 3rd
    # for the 2nd's. Nothing waits before the first call.
    assert stub.calls == 3
    assert clock.slept == pytest.approx([100_800 / 396_000] * 2)
