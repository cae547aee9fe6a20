"""`ddb-warmer advise` for a fleet: 1,000 tables (a quarter with two GSIs) over 14 days, against a CloudWatch
that answers GetMetricData by its limits (ddb_warmer/local/metric_data_stub.py: 500 queries a call,
100,800 datapoints a page) with a latency per call.

    .venv/bin/python bench/advise_benchmark.py                       # 10 ms and 100 ms a call
    .venv/bin/python bench/advise_benchmark.py --tables 200 --latencies 0.1

DescribeTable and Application Auto Scaling answer from memory with the same latency. The fleet:
a fifth of the tables on-demand, the rest provisioned with auto scaling on every dimension; per
dimension, 3 in 5 busy every minute (a daily wave), 1 in 5 spiky (5 minutes every 2 hours, nothing
between: no datapoint), 1 in 5 idle (none); a provisioned table's capacity series has a datapoint
every minute (the worst case). Each run is a fresh child process, so its peak memory (max RSS) is
its own. Unpaced: the stub has no datapoints-a-second quota (--paced adds a run paced to AWS's,
as the command runs). The baseline, in the same run, is the same advice with one call at a time (WORKERS and
DESCRIBE_WORKERS = 1). The machine's load shows as wall time above CPU time plus the calls' waits.
Prints per latency: GetMetricData calls, metrics requested and what CloudWatch charges for them
(prices.GET_METRIC_DATA_PER_1000_METRICS), datapoints, wall time, peak memory, and the ratios.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import multiprocessing
import resource
import time

from ddb_warmer.local.metric_data_stub import MetricDataStub
from ddb_warmer.ops import advise as advise_module
from ddb_warmer.ops import prices
from ddb_warmer.ops.advise_metrics import minute_range

NOW = dt.datetime(2026, 11, 27, 12, 0, 30, tzinfo=dt.UTC)
DAYS = 14
GOAL_SECONDS, GOAL_MB = 120, 500


class NotFound(Exception):
    pass


class Exceptions:
    ResourceNotFoundException = NotFound


def description(number: int) -> dict:
    name = f"fleet-{number:04}"
    on_demand = number % 5 == 0
    throughput = {"ReadCapacityUnits": 0 if on_demand else 100, "WriteCapacityUnits": 0 if on_demand else 50}
    table = {
        "TableName": name,
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "ProvisionedThroughput": throughput,
        "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST" if on_demand else "PROVISIONED"},
    }
    if number % 4 == 0:
        table["GlobalSecondaryIndexes"] = [
            {
                "IndexName": f"gsi{g}",
                "KeySchema": [{"AttributeName": f"k{g}", "KeyType": "HASH"}],
                "ProvisionedThroughput": throughput,
            }
            for g in (1, 2)
        ]
        table["AttributeDefinitions"] += [{"AttributeName": f"k{g}", "AttributeType": "S"} for g in (1, 2)]
    return table


class FleetDynamoDB:
    exceptions = Exceptions

    def __init__(self, tables: dict[str, dict], latency: float):
        self.tables, self.latency = tables, latency

    def describe_table(self, TableName):
        time.sleep(self.latency)
        if TableName not in self.tables:
            raise NotFound(TableName)
        return {"Table": self.tables[TableName]}


class Pages:
    def __init__(self, pages):
        self.pages = pages

    def paginate(self, **kwargs):
        return self.pages(**kwargs)


class FleetAutoScaling:
    """Every dimension of every provisioned table scaled: 1 to 1,000 at 70 %."""

    def __init__(self, tables: dict[str, dict], latency: float):
        self.latency = latency
        self.targets = [
            {"ResourceId": resource, "ScalableDimension": dimension, "MinCapacity": 1, "MaxCapacity": 1000}
            for t in tables.values()
            if t["BillingModeSummary"]["BillingMode"] == "PROVISIONED"
            for resource, kind in [
                (f"table/{t['TableName']}", "table"),
                *(
                    (f"table/{t['TableName']}/index/{i['IndexName']}", "index")
                    for i in t.get("GlobalSecondaryIndexes", [])
                ),
            ]
            for dimension in (f"dynamodb:{kind}:ReadCapacityUnits", f"dynamodb:{kind}:WriteCapacityUnits")
        ]

    def get_paginator(self, name: str) -> Pages:
        def targets(ResourceIds, **_):
            time.sleep(self.latency)
            wanted = set(ResourceIds)
            yield {"ScalableTargets": [t for t in self.targets if t["ResourceId"] in wanted]}

        def policies(**_):
            for first in range(0, len(self.targets), 50):  # 50 a page, as the API pages them
                time.sleep(self.latency)
                yield {
                    "ScalingPolicies": [
                        {
                            "ResourceId": t["ResourceId"],
                            "ScalableDimension": t["ScalableDimension"],
                            "PolicyType": "TargetTrackingScaling",
                            "TargetTrackingScalingPolicyConfiguration": {"TargetValue": 70.0},
                        }
                        for t in self.targets[first : first + 50]
                    ]
                }

        return Pages(targets if name == "describe_scalable_targets" else policies)


def patterns(start: dt.datetime, minutes: int) -> dict[str, tuple[list, list]]:
    """The datapoints each kind of series publishes in the window: (timestamps, values)."""
    stamps = [start + dt.timedelta(minutes=m) for m in range(minutes)]
    wave = [60 * (20 + 15 * math.sin(2 * math.pi * m / 1440)) for m in range(minutes)]  # 5 to 35 units/s
    spikes = [m for m in range(minutes) if m % 120 < 5]
    return {
        "busy": (stamps, wave),
        "spiky": ([stamps[m] for m in spikes], [60 * 40.0] * len(spikes)),
        "idle": ([], []),
        "capacity": (stamps, [50.0] * minutes),
    }


def series_for(published: dict[str, tuple[list, list]]):
    def series(query: dict) -> tuple[list, list]:
        metric = query["MetricStat"]["Metric"]
        if metric["MetricName"].startswith("Provisioned"):
            return published["capacity"]
        key = hash((tuple(d["Value"] for d in metric["Dimensions"]), metric["MetricName"])) % 5
        return published["busy" if key < 3 else "spiky" if key == 3 else "idle"]

    return series


def run(tables: int, latency: float, one_at_a_time: bool, paced: bool, results) -> None:
    """One advice of the fleet, in this (child) process: its figures go to `results`."""
    if one_at_a_time:
        advise_module.WORKERS = advise_module.DESCRIBE_WORKERS = 1
    fleet = {d["TableName"]: d for d in (description(n) for n in range(tables))}
    start, minutes = minute_range(NOW, DAYS)
    cloudwatch = MetricDataStub(series_for(patterns(start, minutes)), latency)
    clients = {
        "dynamodb": FleetDynamoDB(fleet, latency),
        "application-autoscaling": FleetAutoScaling(fleet, latency),
        "cloudwatch": cloudwatch,
    }
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started, cpu = time.perf_counter(), time.process_time()
    pace = advise_module.GET_METRIC_DATA_DPS if paced else None
    advice = advise_module.advise(clients, list(fleet), "us-east-1", NOW, DAYS, "bench", datapoints_per_second=pace)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    results.put(
        {
            "wall": wall,
            "cpu": cpu,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "before_mb": before / 1024,
            "calls": cloudwatch.calls,
            "metrics": cloudwatch.metrics_requested,
            "datapoints": cloudwatch.datapoints,
            "largest_page": cloudwatch.largest_page,
            "tables": len(advice.tables),
            "dimensions": sum(len(t.dimensions) for t in advice.tables),
            "saving": sum(t.saving_month for t in advice.tables),
        }
    )


def measured(tables: int, latency: float, one_at_a_time: bool = False, paced: bool = False) -> dict:
    context = multiprocessing.get_context("spawn")  # a fresh process: its peak memory is this run's alone
    results = context.Queue()
    child = context.Process(target=run, args=(tables, latency, one_at_a_time, paced, results))
    child.start()
    figures = results.get()
    child.join()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=1000)
    parser.add_argument("--latencies", type=float, nargs="+", default=[0.01, 0.1])
    parser.add_argument("--no-baseline", action="store_true", help="skip the one-call-at-a-time baseline")
    parser.add_argument(
        "--paced", action="store_true", help="also run paced to GetMetricData's 396,000 datapoints a second, as on AWS"
    )
    args = parser.parse_args()
    workers = advise_module.WORKERS
    print(
        f"advise: {args.tables} tables, a quarter with two GSIs, {DAYS} days of minutes; {workers} GetMetricData and "
        f"{advise_module.DESCRIBE_WORKERS} DescribeTable calls at a time"
    )
    for latency in args.latencies:
        new = measured(args.tables, latency)
        charge = new["metrics"] / 1000 * prices.GET_METRIC_DATA_PER_1000_METRICS
        print(
            f"{latency * 1000:.0f} ms a call: {new['calls']} GetMetricData calls, {new['metrics']:,} metrics requested "
            f"(${charge:.2f} at ${prices.GET_METRIC_DATA_PER_1000_METRICS} a 1,000), {new['datapoints']:,} "
            f"datapoints (largest page {new['largest_page']:,}); {new['dimensions']} dimensions of {new['tables']} "
            f"tables; wall {new['wall']:.1f} s (goal {GOAL_SECONDS} s; CPU {new['cpu']:.1f} s), peak memory "
            f"{new['peak_mb']:.0f} MB (goal {GOAL_MB} MB; {new['before_mb']:.0f} MB before the advice)"
        )
        if args.paced:
            paced = measured(args.tables, latency, paced=True)
            print(
                f"  paced to {advise_module.GET_METRIC_DATA_DPS:,} datapoints a second (AWS's quota): wall "
                f"{paced['wall']:.1f} s (CPU {paced['cpu']:.1f} s), peak {paced['peak_mb']:.0f} MB"
            )
        if not args.no_baseline:
            old = measured(args.tables, latency, one_at_a_time=True)
            print(
                f"  baseline, one call at a time: wall {old['wall']:.1f} s (CPU {old['cpu']:.1f} s), peak "
                f"{old['peak_mb']:.0f} MB; "
                f"wall ratio {old['wall'] / new['wall']:.2f}x faster with {workers} at a time"
            )


if __name__ == "__main__":
    main()
