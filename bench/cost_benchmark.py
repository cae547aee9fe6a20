"""The warmer's monthly cost at 10, 200 and 1,000 tables, on rate(1 minute) at 128 MB.

    .venv/bin/python bench/cost_benchmark.py

The tick's duration comes from a measurement: the CPU time the handler's request
path (lambda_function/wire.py over the handler's client) spends per warm request
on this machine (a botocore hook answers every request at once, so no network or
emulator time is counted), scaled to the CPU share Lambda gives
128 MB (128/1,769 of a vCPU: https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html).
Every table has its read and write warmed: 2 requests a table. The rest of the
cost (logs, custom metrics, alarms) is ddb_warmer/ops/warmer_cost.py at the
module's defaults: log level INFO, 30 days of retention, no custom metrics.
"""

from __future__ import annotations

import time

from tick_benchmark import simulated_client  # the same simulated DynamoDB, with the handler's client config

from ddb_warmer.ops.prices import MINUTES_PER_MONTH
from ddb_warmer.ops.warmer_cost import warmer_cost
from lambda_function.wire import lean

FULL_VCPU_MB = 1769  # Lambda gives one vCPU at 1,769 MB, CPU in proportion below it
MEMORY_MB = 128
TICKS_A_MONTH = MINUTES_PER_MONTH  # rate(1 minute)
TARGET_PER_TABLE = 0.01


def cpu_seconds_per_request(samples: int = 2000) -> float:
    client = lean(simulated_client(rtt=0.0, pool=1))  # the path a tick's warm requests take
    key = {"pk": {"S": "__ddb_warmer_sentinel__"}}
    for _ in range(50):  # warm up: endpoint resolution, model loading
        client.get_item(TableName="t", Key=key, ReturnConsumedCapacity="TOTAL")
    started = time.process_time()
    for _ in range(samples):
        client.get_item(TableName="t", Key=key, ReturnConsumedCapacity="TOTAL")
    return (time.process_time() - started) / samples


def main() -> None:
    per_request = cpu_seconds_per_request()
    share = MEMORY_MB / FULL_VCPU_MB
    print(
        f"CPU per warm request (handler's request path) on this machine: {per_request * 1000:.2f} ms; "
        f"at {MEMORY_MB} MB Lambda gives {share:.1%} of a vCPU"
    )
    print()
    print("| tables | requests a tick | tick at 128 MB | monthly, alarms aside | per table | with alarms |")
    print("|---:|---:|---:|---:|---:|---:|")
    for tables in (10, 200, 1000):
        requests = 2 * tables
        tick_seconds = requests * per_request / share
        cost = warmer_cost(TICKS_A_MONTH, tick_seconds, MEMORY_MB, requests)
        per_table = cost.without_alarms / tables
        print(
            f"| {tables:,} | {requests:,} | {tick_seconds:.2f} s | ${cost.without_alarms:.3f} | "
            f"${per_table:.4f}{'' if per_table <= TARGET_PER_TABLE else ' (over the cent)'} | ${cost.total:.3f} |"
        )
    requests = 400
    tick_seconds = requests * per_request / share
    print()
    print("at 200 tables, what each part costs a month:")
    for label, cost in (
        ("defaults (INFO, no custom metrics)", warmer_cost(TICKS_A_MONTH, tick_seconds, MEMORY_MB, requests)),
        ("log_level DEBUG", warmer_cost(TICKS_A_MONTH, tick_seconds, MEMORY_MB, requests, log_level="DEBUG")),
        ("custom metrics on", warmer_cost(TICKS_A_MONTH, tick_seconds, MEMORY_MB, requests, custom_metrics=True)),
    ):
        print(
            f"  {label:<36} Lambda ${cost.lambda_requests + cost.lambda_compute:.3f}, logs "
            f"${cost.log_ingestion + cost.log_storage:.3f} ({cost.log_gb * 1024:,.0f} MB), custom metrics "
            f"${cost.custom_metrics:.2f}, alarms ${cost.alarms:.2f}: ${cost.total:.3f}"
        )


if __name__ == "__main__":
    main()
