"""Benchmark of one warm tick: the parallel handler against a sequential baseline.

    .venv/bin/python bench/tick_benchmark.py            # N = 10, 200, 1,000 tables, 10 ms round trip
    .venv/bin/python bench/tick_benchmark.py --rtt-ms 20 --tables 500

Each table gets its read and write dimension warmed, and one table in ten a
GSI read as well. The network is simulated
by a botocore `before-send` hook that sleeps for the round trip and answers
with a well-formed DynamoDB response, so neither the emulator's CPU nor a real
network pollutes the timing; botocore's own work (serialising, signing,
parsing) is measured, as it is part of a tick in Lambda too.

Printed per N: wall time per tick (median), the sequential baseline (one
request after another, as a PutItem-per-table warmer does), the floor
ceil(requests / pool) x RTT, the ratios, and the peak resident memory
(ru_maxrss) of a fresh interpreter running that tick. Targets: the tick within
1.5x its floor, at least 20x faster than sequential, peak memory at most
100 MB (the function has 128 MB). Then, from a moto run, capacity
consumed per tick against the capacity floor (1 WCU per write dimension,
0.5 RCU per read dimension), the handler's import time against `import boto3`
alone, and the package size.

First, the CPU the handler spends per warmed dimension (process CPU time of a
warm tick divided by its requests, the simulated DynamoDB's own small share
included), through the client's stock request path (the baseline, as the
handler sent before lambda_function/wire.py) and through the lean path the
handler uses, in this same process; and from it the modelled tick at 128 MB,
where Lambda gives 128/1,769 of a vCPU
(https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html): CPU
time over that share, or the network floor if that is longer. Target: at most
0.2 ms per dimension.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import boto3
from botocore.awsrequest import AWSResponse

from ddb_warmer.build.package import build_zip
from lambda_function import main as handler_main
from lambda_function import requests as warm_requests
from lambda_function.config import DEFAULT_MAX_WORKERS, parse_config
from lambda_function.dimensions import Dimension
from lambda_function.schema import SchemaCache
from lambda_function.tick import run_tick


class _Body:
    def __init__(self, data: bytes):
        self.data = data

    def stream(self):
        yield self.data


class SimulatedDynamoDB:
    """Answers each request after `rtt` seconds, as a healthy DynamoDB endpoint would."""

    def __init__(self, rtt: float):
        self.rtt = rtt
        self.requests = 0

    def __call__(self, request, event_name: str, **_):
        operation = event_name.rsplit(".", 1)[-1]
        table = json.loads(request.body or b"{}").get("TableName", "t")
        time.sleep(self.rtt)  # releases the GIL, like waiting on a socket
        self.requests += 1
        if operation == "DescribeTable":
            body = {
                "Table": {
                    "TableName": table,
                    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                    "AttributeDefinitions": [
                        {"AttributeName": "pk", "AttributeType": "S"},
                        {"AttributeName": "user", "AttributeType": "S"},
                    ],
                    "BillingModeSummary": {"BillingMode": "PROVISIONED"},
                    "GlobalSecondaryIndexes": [
                        {"IndexName": "by_user", "KeySchema": [{"AttributeName": "user", "KeyType": "HASH"}]}
                    ]
                    if has_index(table)
                    else [],
                }
            }
        else:
            units = 0.5 if operation == "GetItem" else 1.0
            body = {"ConsumedCapacity": {"TableName": table, "CapacityUnits": units}}
        return AWSResponse(request.url, 200, {"x-amzn-RequestId": "bench"}, _Body(json.dumps(body).encode()))


def simulated_client(rtt: float, pool: int):
    client = boto3.client(
        "dynamodb",
        region_name="eu-west-1",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
        config=handler_main.boto_config(pool),
    )
    client.meta.events.register("before-send.dynamodb", SimulatedDynamoDB(rtt))
    return client


def has_index(table: str) -> bool:
    return int(table.rsplit("-", 1)[-1]) % 10 == 0


def table_entry(name: str) -> dict:
    entry = {"name": name, "read": True, "write": True}
    if has_index(name):
        entry["indexes"] = [{"name": "by_user", "read": True}]
    return entry


def requests_for(n: int) -> int:
    return 2 * n + sum(1 for i in range(n) if i % 10 == 0)


def config_for(n: int, pool: int):
    tables = [table_entry(f"table-{i:04d}") for i in range(n)]
    return parse_config(json.dumps({"tables": tables, "max_workers": pool}))


def handler_tick_seconds(n: int, rtt: float, pool: int, repeats: int) -> float:
    config, client, cache = config_for(n, pool), simulated_client(rtt, pool), SchemaCache()
    threads = handler_main.thread_pool(pool)  # as the handler keeps it in a warm container
    run_tick(
        config, dynamodb=client, autoscaling=None, cache=cache, pool=threads
    ).as_dict()  # warm start: schemas learned, connections made
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        summary = run_tick(config, dynamodb=client, autoscaling=None, cache=cache, pool=threads).as_dict()
        times.append(time.perf_counter() - started)
        assert summary["counts"]["warmed"] == n, summary["counts"]
    return statistics.median(times)


FULL_VCPU_MB = 1769  # one vCPU at 1,769 MB, CPU in proportion below it (the page cited above)
CPU_TARGET_MS = 0.2
DEFAULT_TIMEOUT_SECONDS = 60  # the module's default timeout
# The part of a tick in which requests may start: the rest is the time margin, after which
# what was not reached is reported "out of time" (lambda_function/main.py).
TICK_BUDGET_SECONDS = DEFAULT_TIMEOUT_SECONDS - handler_main.TIME_MARGIN_SECONDS


def cpu_ms_per_dimension(n: int, rtt: float, pool: int, repeats: int) -> dict[str, float]:
    """{"stock": ms, "lean": ms}: median process CPU time of a warm tick per request sent, both paths
    measured in turns so that other load on the machine weighs on both alike."""
    config, client, cache = config_for(n, pool), simulated_client(rtt, pool), SchemaCache()
    threads = handler_main.thread_pool(pool)
    senders = {"stock": client, "lean": None}  # None: run_tick's own warm sender of `client` (lean here)
    for sender in senders.values():
        run_tick(
            config, dynamodb=client, autoscaling=None, cache=cache, pool=threads, sender=sender
        ).as_dict()  # warm start
    samples: dict[str, list[float]] = {path: [] for path in senders}
    for _ in range(repeats):
        for path, sender in senders.items():
            started = time.process_time()
            summary = run_tick(
                config, dynamodb=client, autoscaling=None, cache=cache, pool=threads, sender=sender
            ).as_dict()
            samples[path].append(time.process_time() - started)
            assert summary["dimensions_warmed"] == requests_for(n), summary["counts"]
    return {path: statistics.median(times) * 1000 / requests_for(n) for path, times in samples.items()}


def modelled_tick_seconds(tables: int, cpu_ms: float, rtt: float, pool: int, memory_mb: int = 128) -> float:
    """A warm tick in Lambda at `memory_mb`: its CPU time at that share of a vCPU, or the network floor."""
    requests = requests_for(tables)
    return max(requests * cpu_ms / 1000 / (memory_mb / FULL_VCPU_MB), math.ceil(requests / pool) * rtt)


def memory_for(tables: int, cpu_ms: float, budget: float = TICK_BUDGET_SECONDS) -> int | None:
    """The smallest memory size (MB) whose CPU share sends every request of `tables` within `budget`;
    None past one vCPU (1,769 MB), which the handler's one Python process cannot use more of."""
    needed = math.ceil(requests_for(tables) * cpu_ms / 1000 / budget * FULL_VCPU_MB)
    return max(128, needed) if needed <= FULL_VCPU_MB else None


def print_cpu_per_dimension(n: int, rtt: float, pool: int, repeats: int) -> None:
    with handler_logs_discarded():
        cpu = cpu_ms_per_dimension(n, rtt, pool, repeats)
    verdict = "met" if cpu["lean"] <= CPU_TARGET_MS else "missed"
    print(f"CPU per warmed dimension, {n:,}-table warm tick, pool {pool}, median of {repeats}")
    print(
        f"  before (stock botocore request path): {cpu['stock']:.3f} ms\n"
        f"  after (lean request path, wire.py):   {cpu['lean']:.3f} ms "
        f"({cpu['stock'] / cpu['lean']:.1f}x less; target <= {CPU_TARGET_MS} ms: {verdict})"
    )
    print(f"modelled warm tick at 128 MB ({128 / FULL_VCPU_MB:.1%} of a vCPU), {rtt * 1000:g} ms round trip:")
    for tables in (1000, 5000):
        before, after = (modelled_tick_seconds(tables, cpu[p], rtt, pool) for p in ("stock", "lean"))
        print(
            f"  {tables:>5,} tables ({requests_for(tables):,} requests): before {before:5.1f} s, after {after:5.1f} s"
        )
    print(
        f"memory that sends every request within the {TICK_BUDGET_SECONDS} s before the "
        f"{DEFAULT_TIMEOUT_SECONDS} s timeout's margin:"
    )
    for tables in (1000, 5000):
        needs = {path: memory_for(tables, cpu[path]) for path in ("lean", "stock")}
        print(
            f"  {tables:>5,} tables: lean path {needs['lean'] or 'over 1,769'} MB, "
            f"stock path (a fallback) {needs['stock'] or 'over 1,769'} MB"
        )
    print()


def sequential_tick_seconds(n: int, rtt: float, repeats: int) -> float:
    """One request after another, each table in turn."""
    client, cache = simulated_client(rtt, 1), SchemaCache()
    schemas = [cache.get(client, f"table-{i:04d}") for i in range(n)]
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        for schema in schemas:
            warm_requests.table_read(client, schema, Dimension(schema.name, None, "read"))
            warm_requests.table_write(client, schema, Dimension(schema.name, None, "write"))
            for index in schema.indexes:
                warm_requests.index_read(client, schema, Dimension(schema.name, index, "read"))
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def capacity_per_tick(n: int) -> tuple[float, float]:
    """(consumed, floor) capacity units of one tick on moto, reads and writes together."""
    from moto import mock_aws

    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="eu-west-1")
    os.environ.pop("AWS_ENDPOINT_URL", None)
    with mock_aws():
        client = boto3.client("dynamodb")
        for i in range(n):
            client.create_table(
                TableName=f"table-{i:04d}",
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
            )
        config = parse_config(
            json.dumps({"tables": [{"name": f"table-{i:04d}", "read": True, "write": True} for i in range(n)]})
        )
        summary = run_tick(config, dynamodb=client, autoscaling=None, cache=SchemaCache()).as_dict()
    consumed = summary["consumed"]["read"] + summary["consumed"]["write"]
    return consumed, n * 0.5 + n * 1.0


def import_seconds(statement: str, repeats: int = 10) -> float:
    """Fastest of several fresh interpreters: noise only ever adds to an import time."""
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    root = str(Path(__file__).resolve().parent.parent)
    runs = [
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root).stdout)
        for _ in range(repeats)
    ]
    return min(runs)


@contextlib.contextmanager
def handler_logs_discarded():
    """The handler's log lines are written (their cost counts) but not shown."""
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        yield


def peak_memory_mb(n: int, rtt: float, pool: int) -> float:
    """ru_maxrss of a fresh interpreter that imports the handler and runs a cold and a warm tick of n tables."""
    done = subprocess.run(
        [sys.executable, __file__, "--memory-of", str(n), "--rtt-ms", str(rtt * 1000), "--pool", str(pool)],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(done.stdout.strip().splitlines()[-1])


def memory_of(n: int, rtt: float, pool: int) -> int:
    with handler_logs_discarded():
        handler_tick_seconds(n, rtt, pool, 1)
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)  # KiB on Linux
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, nargs="+", default=[10, 200, 1000])
    parser.add_argument("--memory-of", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--rtt-ms", type=float, default=10.0)
    parser.add_argument("--pool", type=int, default=DEFAULT_MAX_WORKERS, help="the handler's max_workers")
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    rtt = args.rtt_ms / 1000
    if args.memory_of:
        return memory_of(args.memory_of, rtt, args.pool)

    print_cpu_per_dimension(max(args.tables), rtt, args.pool, args.repeats)
    print(f"tick wall time, {args.rtt_ms:g} ms round trip, pool {args.pool}, median of {args.repeats}")
    print(
        f"{'N':>5} {'requests':>8} {'handler':>9} {'sequential':>10} {'floor':>8} {'vs seq':>7} {'vs floor':>8} "
        f"{'peak RSS':>9}"
    )
    for n in args.tables:
        with handler_logs_discarded():
            handler = handler_tick_seconds(n, rtt, args.pool, args.repeats)
        sequential = sequential_tick_seconds(n, rtt, max(1, args.repeats // 4))
        requests = requests_for(n)
        floor = math.ceil(requests / args.pool) * rtt
        print(
            f"{n:>5} {requests:>8} {handler * 1000:>7.0f}ms {sequential * 1000:>8.0f}ms {floor * 1000:>6.0f}ms "
            f"{sequential / handler:>6.1f}x {handler / floor:>7.2f}x {peak_memory_mb(n, rtt, args.pool):>6.0f} MB"
        )

    largest = max(args.tables)
    print(f"\npool size at N={largest} ({requests_for(largest)} requests)")
    print(f"{'pool':>5} {'handler':>9} {'floor':>8} {'vs floor':>8}")
    for pool in (8, 16, 32, 64):
        with handler_logs_discarded():
            handler = handler_tick_seconds(largest, rtt, pool, args.repeats)
        floor = math.ceil(requests_for(largest) / pool) * rtt
        print(f"{pool:>5} {handler * 1000:>7.0f}ms {floor * 1000:>6.0f}ms {handler / floor:>7.2f}x")

    with handler_logs_discarded():
        consumed, capacity_floor = capacity_per_tick(50)
    print(
        f"\ncapacity per tick (moto, 50 tables): {consumed:g} units, floor {capacity_floor:g} "
        f"({consumed / capacity_floor:.2f}x)"
    )
    boto3_import = import_seconds("import boto3")
    handler_import = import_seconds("import lambda_function.main")
    print(
        f"import: handler {handler_import * 1000:.0f}ms, boto3 alone {boto3_import * 1000:.0f}ms "
        f"({handler_import / boto3_import:.2f}x)"
    )
    print(f"package: {len(build_zip())} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
