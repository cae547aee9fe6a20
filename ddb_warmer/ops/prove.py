"""`ddb-warmer prove --region R --yes-create-table`: scale-in, shown on the adopter's own account.

What no emulator can show: that DynamoDB, CloudWatch and Application Auto Scaling, on this account and
region, scale an idle table in once the warmer gives AlarmLow its datapoints. The command creates a
throwaway provisioned table with read and write capacity well above the minimum of its auto scaling
targets, warms it each minute exactly as the function does (lambda_function.tick.run_tick), follows
the datapoints, the AlarmLow alarms and the provisioned capacity, and prints a timeline: table ready,
first datapoint, AlarmLow in ALARM, capacity lowered. It stops once both dimensions were lowered (about
20 minutes: 15 one-minute datapoints, CloudWatch's evaluation and the scaling activity) or at
--minutes, and deletes its table and scaling targets whatever happened, an interruption included.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from ddb_warmer.ops import prices as price_table
from ddb_warmer.ops.subcommand import add_subcommand
from lambda_function.config import parse_config
from lambda_function.schema import SchemaCache
from lambda_function.targets import TargetCache
from lambda_function.tick import run_tick

KINDS = ("read", "write")
# Well above the targets' minimum, so that a scale-in has somewhere to go.
PROVISIONED, MIN_CAPACITY, MAX_CAPACITY, TARGET = 10, 1, 10, 70.0
DEFAULT_MINUTES = 40


def dimension(kind: str) -> str:
    return f"dynamodb:table:{kind.title()}CapacityUnits"


def cost(region: str, minutes: int) -> float:
    """Worst case: both dimensions at PROVISIONED for the whole run (the warm requests cost nothing
    in comparison: one read and one write unit a minute)."""
    prices, _ = price_table.for_region(region)
    return PROVISIONED * (prices.rcu_hour + prices.wcu_hour) * minutes / 60


@dataclass
class Timeline:
    started: dt.datetime
    events: list[tuple[dt.datetime, str]] = field(default_factory=list)

    def add(self, when: dt.datetime, what: str, show: Callable[[str], None]) -> None:
        self.events.append((when, what))
        show(f"{when:%H:%M:%S} (+{int((when - self.started).total_seconds() // 60):d} min) {what}")

    def has(self, what: str) -> bool:
        return any(text.startswith(what) for _, text in self.events)


def create_table(clients: dict, name: str) -> None:
    dynamodb, autoscaling = clients["dynamodb"], clients["application-autoscaling"]
    dynamodb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        ProvisionedThroughput={"ReadCapacityUnits": PROVISIONED, "WriteCapacityUnits": PROVISIONED},
        Tags=[{"Key": "ddb-warmer", "Value": "prove"}],
    )
    dynamodb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 2, "MaxAttempts": 60})
    for kind in KINDS:
        autoscaling.register_scalable_target(
            ServiceNamespace="dynamodb",
            ResourceId=f"table/{name}",
            ScalableDimension=dimension(kind),
            MinCapacity=MIN_CAPACITY,
            MaxCapacity=MAX_CAPACITY,
        )
        autoscaling.put_scaling_policy(
            PolicyName=f"{name}-{kind}",
            ServiceNamespace="dynamodb",
            ResourceId=f"table/{name}",
            ScalableDimension=dimension(kind),
            PolicyType="TargetTrackingScaling",
            TargetTrackingScalingPolicyConfiguration={
                "TargetValue": TARGET,
                "PredefinedMetricSpecification": {"PredefinedMetricType": f"DynamoDB{kind.title()}CapacityUtilization"},
            },
        )


def delete_table(clients: dict, name: str) -> list[str]:
    """Every part of the throwaway table removed (each step tried even if another failed); what failed."""
    dynamodb, autoscaling = clients["dynamodb"], clients["application-autoscaling"]
    problems = []
    for kind in KINDS:
        # Deregistering a target deletes its policies, and their alarms with them.
        try:
            autoscaling.deregister_scalable_target(
                ServiceNamespace="dynamodb", ResourceId=f"table/{name}", ScalableDimension=dimension(kind)
            )
        except autoscaling.exceptions.ObjectNotFoundException:
            pass
        except Exception as error:  # keep going: the table must go whatever
            problems.append(f"scalable target {kind}: {error}")
    try:
        dynamodb.delete_table(TableName=name)
    except dynamodb.exceptions.ResourceNotFoundException:
        pass
    except Exception as error:
        problems.append(f"table {name}: {error}")
    return problems


def capacities(clients: dict, name: str) -> dict[str, int]:
    throughput = clients["dynamodb"].describe_table(TableName=name)["Table"]["ProvisionedThroughput"]
    return {"read": throughput["ReadCapacityUnits"], "write": throughput["WriteCapacityUnits"]}


def alarm_low_states(clients: dict, name: str) -> dict[str, str]:
    policies = clients["application-autoscaling"].describe_scaling_policies(
        ServiceNamespace="dynamodb", ResourceId=f"table/{name}"
    )["ScalingPolicies"]
    names = {
        kind: alarm["AlarmName"]
        for policy in policies
        for kind in KINDS
        if policy["ScalableDimension"] == dimension(kind)
        for alarm in policy.get("Alarms", [])
        if "-AlarmLow-" in alarm["AlarmName"]
    }
    if not names:
        return {}
    alarms = clients["cloudwatch"].describe_alarms(AlarmNames=list(names.values()))["MetricAlarms"]
    state = {a["AlarmName"]: a["StateValue"] for a in alarms}
    return {kind: state.get(alarm, "missing") for kind, alarm in names.items()}


def has_datapoint(clients: dict, name: str, kind: str, since: dt.datetime, now: dt.datetime) -> bool:
    points = clients["cloudwatch"].get_metric_statistics(
        Namespace="AWS/DynamoDB",
        MetricName=f"Consumed{kind.title()}CapacityUnits",
        Dimensions=[{"Name": "TableName", "Value": name}],
        StartTime=since,
        EndTime=now + dt.timedelta(minutes=1),
        Period=60,
        Statistics=["Sum"],
    )["Datapoints"]
    return bool(points)


@contextlib.contextmanager
def interrupted_by_sigterm() -> Iterator[None]:
    """A SIGTERM (a CI job cancelled) ends the run like Ctrl-C, so the table is still deleted."""

    def stop(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def prove(
    clients: dict,
    name: str,
    minutes: int = DEFAULT_MINUTES,
    show: Callable[[str], None] = print,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[bool, Timeline]:
    """(scaled in on both dimensions, the timeline). The table is deleted before returning or raising."""
    timeline = Timeline(now())
    config = parse_config(f'{{"tables": [{{"name": "{name}"}}]}}')
    cache, targets = SchemaCache(), TargetCache()
    with interrupted_by_sigterm():
        try:
            create_table(clients, name)
            capacities_at_start = capacities(clients, name)
            start = now()
            timeline.add(
                start,
                f"table {name} ready, read/write {PROVISIONED}/{PROVISIONED} (targets' minimum {MIN_CAPACITY})",
                show,
            )
            for minute in range(minutes):
                summary = run_tick(
                    config,
                    dynamodb=clients["dynamodb"],
                    autoscaling=clients["application-autoscaling"],
                    cache=cache,
                    targets=targets,
                )
                if summary.failed:
                    timeline.add(now(), f"warm tick failed: {summary.failed[0].reason}", show)
                moment = now()
                for kind in KINDS:
                    if not timeline.has(f"first datapoint ({kind})") and has_datapoint(
                        clients, name, kind, start, moment
                    ):
                        timeline.add(moment, f"first datapoint ({kind})", show)
                for kind, state in alarm_low_states(clients, name).items():
                    if state == "ALARM" and not timeline.has(f"AlarmLow in ALARM ({kind})"):
                        timeline.add(moment, f"AlarmLow in ALARM ({kind})", show)
                for kind, units in capacities(clients, name).items():
                    if units < capacities_at_start[kind] and not timeline.has(f"capacity lowered ({kind})"):
                        timeline.add(moment, f"capacity lowered ({kind}): {capacities_at_start[kind]} -> {units}", show)
                if all(timeline.has(f"capacity lowered ({kind})") for kind in KINDS):
                    break
                if minute < minutes - 1:
                    # The next tick at the start of the next minute, as rate(1 minute) does.
                    sleep(60 - moment.second - moment.microsecond / 1_000_000)
        finally:
            problems = delete_table(clients, name)
            timeline.add(
                now(), f"table {name} deleted" if not problems else "cleanup incomplete: " + "; ".join(problems), show
            )
    return all(timeline.has(f"capacity lowered ({kind})") for kind in KINDS), timeline


# `ddb-warmer prove --help`: what it is for, an example, and the exit codes run_prove (ddb_warmer/ops/cli.py) returns.
SUMMARY = "show scale-in on this account: a throwaway table warmed until auto scaling lowers it (about 30 min)"
EXAMPLES = ["ddb-warmer prove --region eu-west-1 --yes-create-table"]
EXIT_CODES = {
    0: "both dimensions of the table scaled in; it is deleted",
    1: "no scale-in within --minutes (the timeline says how far it got); the table is deleted",
    2: "usage error, or --yes-create-table missing (what it creates and costs is printed)",
    3: "could not run: no region, no credentials, access denied (one line says what to do)",
}


def add_parser(commands) -> None:
    command = add_subcommand(commands, "prove", SUMMARY, __doc__.split("\n\n")[1], EXAMPLES, EXIT_CODES)
    command.add_argument("--region", required=True, help="the AWS region to prove it in (a sandbox account's)")
    command.add_argument("--yes-create-table", action="store_true", help="create (and delete) the throwaway table")
    command.add_argument(
        "--minutes", type=int, default=DEFAULT_MINUTES, help=f"give up after N minutes (default {DEFAULT_MINUTES})"
    )
    command.add_argument("--debug", action="store_true", help="show the traceback of a failure")


def what_it_costs(region: str, minutes: int) -> str:
    return (
        f"ddb-warmer prove creates a provisioned DynamoDB table in {region} ({PROVISIONED} read and {PROVISIONED} "
        f"write units, auto scaling {MIN_CAPACITY}-{MAX_CAPACITY} at {TARGET:g} %), warms it each minute for up to "
        f"{minutes} minutes, then deletes it: at most ${cost(region, minutes):.3f} of capacity. "
        "Run it again with --yes-create-table."
    )


def table_name(now: dt.datetime) -> str:
    return f"ddb-warmer-prove-{now:%Y%m%d%H%M%S}"
