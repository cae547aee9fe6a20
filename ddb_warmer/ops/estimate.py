"""`ddb-warmer estimate`: what the warmer costs a month, and what auto scaling still leaves on the table.

For the configured tables: the warmer's own monthly cost, all of it (Lambda
requests and duration at the schedule's rate, log ingestion and storage at the
function's log level and the log group's retention, custom metrics when on, the
alarms; its reads and writes fit inside the tables' provisioned capacity, so they
add nothing; warmer_cost.py), the capacity still paid above each
dimension's minimum today (what a working scale-in can give back), and a hint
per table when on-demand would be cheaper (average utilisation below the
break-even, about 29 % at current prices). Prices: ddb_warmer/ops/prices.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ddb_warmer.ops import prices as price_table
from ddb_warmer.ops.deployed import Deployed, deployed_settings
from ddb_warmer.ops.inventory import scalable_targets, table_dimensions
from ddb_warmer.ops.warmer_cost import WarmerCost, render_lines
from lambda_function.schema import schema_from_description

ASSUMED_TICK_SECONDS = 0.5  # when the function has published no TickDuration yet


@dataclass
class DimensionCost:
    table: str
    label: str
    provisioned: int | None
    min_capacity: int | None
    above_minimum_month: float  # USD a month paid for capacity above the minimum, at today's level
    utilisation: float | None  # average over the last day, None without metrics


@dataclass
class Estimate:
    region: str
    exact_prices: bool
    ticks_per_month: int
    tick_seconds: float
    tick_seconds_measured: bool
    memory_mb: int
    warmer_month: float
    warmer: WarmerCost
    dimensions: list[DimensionCost]
    hints: list[str]


def average_utilisation(cloudwatch, dimension, now: dt.datetime) -> float | None:
    stats = cloudwatch.get_metric_statistics(
        Namespace="AWS/DynamoDB",
        MetricName=f"Consumed{dimension.kind.title()}CapacityUnits",
        Dimensions=dimension.metric_dimensions,
        StartTime=now - dt.timedelta(days=1),
        EndTime=now,
        Period=86400,
        Statistics=["Sum"],
    )
    if not stats["Datapoints"] or not dimension.provisioned:
        return None
    return sum(p["Sum"] for p in stats["Datapoints"]) / (dimension.provisioned * 86400)


def estimate(clients, tables: list[str], function: str | None, region: str, now: dt.datetime) -> Estimate:
    prices, exact = price_table.for_region(region)
    tick_seconds, measured = ASSUMED_TICK_SECONDS, False
    deployed = Deployed()
    if function:
        deployed = deployed_settings(clients, function)
        durations = clients["cloudwatch"].get_metric_statistics(
            Namespace="AWS/Lambda",
            MetricName="Duration",
            Dimensions=[{"Name": "FunctionName", "Value": function}],
            StartTime=now - dt.timedelta(days=1),
            EndTime=now,
            Period=86400,
            Statistics=["Average"],
        )["Datapoints"]
        if durations:
            tick_seconds, measured = durations[0]["Average"] / 1000, True
    ticks = deployed.ticks_per_month
    descriptions = {table: clients["dynamodb"].describe_table(TableName=table)["Table"] for table in tables}
    schemas = {table: schema_from_description(description) for table, description in descriptions.items()}
    targets = scalable_targets(clients["application-autoscaling"], list(schemas.values()))
    costs, hints, requests = [], [], 0
    for table, description in descriptions.items():
        if schemas[table].on_demand:
            hints.append(f"{table}: on-demand already; the warmer does nothing for it (remove it)")
            continue
        table_costs = []
        for d in table_dimensions(description):
            target = targets.get((d.resource_id, d.scalable_dimension))
            minimum = target["MinCapacity"] if target else d.provisioned
            unit_hour = prices.rcu_hour if d.kind == "read" else prices.wcu_hour
            above = max((d.provisioned or 0) - (minimum or 0), 0) * unit_hour * price_table.HOURS_PER_MONTH
            table_costs.append(
                DimensionCost(
                    table,
                    d.label,
                    d.provisioned,
                    minimum,
                    round(above, 2),
                    average_utilisation(clients["cloudwatch"], d, now),
                )
            )
        costs += table_costs
        requests += sum(1 for d in table_dimensions(description) if (d.resource_id, d.scalable_dimension) in targets)
        used = [c.utilisation for c in table_costs if c.utilisation is not None]
        break_even = price_table.on_demand_break_even(prices, "write")
        if used and max(used) < break_even:
            hints.append(
                f"{table}: at most {max(used):.0%} average utilisation, under the {break_even:.0%} "
                "break-even: on-demand would likely be cheaper"
            )
    warmer = deployed.cost(tick_seconds, requests)
    return Estimate(
        region, exact, ticks, tick_seconds, measured, deployed.memory, round(warmer.total, 4), warmer, costs, hints
    )


def render(result: Estimate) -> str:
    lines = [
        f"warmer, a month ({result.tick_seconds:.2f} s a tick, "
        f"{'measured' if result.tick_seconds_measured else 'assumed'}; its reads and writes fit in the provisioned "
        "capacity and add nothing):",
        *render_lines(result.warmer),
        f"prices: {result.region}{'' if result.exact_prices else ' (not in the price table: us-east-1 figures)'}",
        "",
        f"{'table':<24} {'dimension':<28} {'provisioned':>11} {'minimum':>8} {'above minimum':>14} {'utilisation':>11}",
    ]
    for c in result.dimensions:
        utilisation = "no metrics" if c.utilisation is None else f"{c.utilisation:.0%}"
        lines.append(
            f"{c.table:<24} {c.label:<28} {c.provisioned!s:>11} {c.min_capacity!s:>8} "
            f"{'$' + format(c.above_minimum_month, '.2f') + '/mo':>14} {utilisation:>11}"
        )
    total = sum(c.above_minimum_month for c in result.dimensions)
    lines += [
        "",
        f"capacity paid above the minimums today: ${total:.2f} a month (what a working scale-in can "
        f"give back); the warmer costs ${result.warmer_month:.2f}",
    ]
    lines += [f"hint: {hint}" for hint in result.hints]
    return "\n".join(lines)
