"""`ddb-warmer advise`: per table and GSI, keep it warmed, lower its floor, or switch the table to on-demand.

For each provisioned table, from `days` of its own per-minute metrics
(advise_metrics.py), every dimension (table or GSI x read or write) is priced four ways:

- today: what it pays now, its ProvisionedRead/WriteCapacityUnits series;
- warmed: provisioned with a scale-in that works (a datapoint every minute, as the
  warmer gives), simulated with AWS's target-tracking rules (scaling_simulator.py)
  between the scalable target's current MinCapacity and MaxCapacity;
- lower floor: the same with MinCapacity set to what the consumed series needs at
  its 99th percentile minute (consumed / target), when that is lower than today's;
- on-demand: the consumed series priced per request unit, for the table's class.

A provisioned option keeps headroom when no simulated minute's demand exceeds its
capacity plus burst capacity. Billing mode is a table's (its GSIs follow it), so the
table is advised as a whole: on-demand for all its dimensions, or for each dimension its
cheapest provisioned option that keeps headroom, whichever costs less. Prices: prices.py
(pinned list prices; reserved capacity is not considered).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from ddb_warmer.ops import prices as price_table
from ddb_warmer.ops.advise_metrics import MetricQuery, forward_filled, minute_range, read_series
from ddb_warmer.ops.doctor import Dimension, table_dimensions, target_tracking_policies
from ddb_warmer.ops.estimate import (
    ASSUMED_TICK_SECONDS,
    MINUTES_PER_MONTH,
    Deployed,
    deployed_settings,
    ticks_per_month,
)
from ddb_warmer.ops.scaling_simulator import Scaling, Simulation, needed_capacity, simulate
from ddb_warmer.ops.warmer_cost import WarmerCost, warmer_cost
from lambda_function.dimensions import scalable_targets
from lambda_function.schema import schema_from_description

# The warmer's own request a minute on a dimension it warms (DESIGN: GetItem/Query, eventually
# consistent: 0.5 RCU; the conditional DeleteItem: 1 WCU); the warmed simulation has a datapoint
# every minute, this value where the history has none.
WARMER_UNITS = {"read": 0.5, "write": 1.0}
P99 = 0.99
NOT_CONSIDERED = "reserved capacity is not considered (it lowers provisioned prices for a 1- or 3-year commitment)"


@dataclass
class Option:
    month: float  # USD a month at this period's pace
    keeps_headroom: bool
    throttled_minutes: int = 0
    min_capacity: int | None = None  # the floor this option sets (lower floor)
    scale_ins: int = 0
    scale_outs: int = 0


@dataclass
class DimensionAdvice:
    table: str
    index: str | None
    kind: str
    label: str
    provisioned: int | None  # today, from DescribeTable
    min_capacity: int | None
    max_capacity: int | None
    target_value: float | None
    consumed_units: float  # in the period
    average_rate: float  # units a second
    p99_rate: float
    average_provisioned: float
    options: dict[str, Option]  # today, warmed, lower floor, on-demand (those that apply)
    best_provisioned: str  # the cheapest provisioned option that keeps headroom
    series: dict[str, list] = field(default_factory=dict, repr=False)  # for the chart; not in --json

    @property
    def utilisation(self) -> float:
        return self.average_rate / self.average_provisioned if self.average_provisioned else 0.0


@dataclass
class TableAdvice:
    table: str
    table_class: str
    recommendation: str  # on-demand | lower floor | warmed | keep
    today_month: float
    recommended_month: float
    saving_month: float
    reason: str
    dimensions: list[DimensionAdvice]


@dataclass
class Advice:
    scope: str
    region: str
    days: float
    start: str
    minutes: int
    exact_prices: bool
    prices_as_of: str
    prices_source: str
    warmer: WarmerCost
    warmed_dimensions: int
    tables: list[TableAdvice]
    skipped: list[str]  # one line per table not advised, and why
    notes: list[str]

    def as_json(self) -> dict:
        data = asdict(self)
        data["warmer"] = self.warmer.as_json()
        for table in data["tables"]:
            for dimension in table["dimensions"]:
                dimension.pop("series")
        return data


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (the value at or below which `fraction` of the minutes fall)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * fraction // 1))
    return ordered[int(rank) - 1]


def per_month(total_in_period: float, minutes: int) -> float:
    return total_in_period * MINUTES_PER_MONTH / minutes


def provisioned_month(series: list[float], hourly: float) -> float:
    return sum(series) / len(series) * hourly * price_table.HOURS_PER_MONTH


def simulated_option(simulation: Simulation, hourly: float, floor: int | None = None) -> Option:
    return Option(
        provisioned_month(simulation.provisioned, hourly),
        simulation.throttled_minutes == 0,
        simulation.throttled_minutes,
        floor,
        simulation.scale_ins,
        simulation.scale_outs,
    )


def advise_dimension(
    dimension: Dimension,
    consumed: list[float | None],
    provisioned: list[float | None],
    scaling: Scaling | None,
    prices: price_table.RegionPrices,
    start: dt.datetime,
) -> DimensionAdvice:
    """Price one dimension four ways from its minute series (consumed Sum, provisioned level)."""
    minutes = len(consumed)
    hourly = price_table.unit_hour(prices, dimension.kind)
    today_series = forward_filled(provisioned, float(dimension.provisioned or 0))
    rates = [(value or 0.0) / 60 for value in consumed]
    total = sum(value or 0.0 for value in consumed)
    options = {
        # Today keeps headroom by definition: throttled requests consume nothing, so the history
        # never shows more demand than today's capacity (and burst) served.
        "today": Option(provisioned_month(today_series, hourly), True),
        "on-demand": Option(
            per_month(total, minutes) * price_table.request_unit_million(prices, dimension.kind) / 1e6, True
        ),
    }
    series = {"consumed": rates, "today": today_series}
    if scaling is not None:
        warmed_series = [WARMER_UNITS[dimension.kind] if value is None else value for value in consumed]
        initial = round(today_series[0])
        warmed = simulate(warmed_series, start, initial, scaling)
        options["warmed"] = simulated_option(warmed, hourly)
        series["warmed"] = warmed.provisioned
        floor = needed_capacity(percentile(rates, P99), scaling.target_value)
        if floor < scaling.min_capacity:
            lowered_scaling = Scaling(floor, scaling.max_capacity, scaling.target_value)
            lowered = simulate(warmed_series, start, initial, lowered_scaling)
            options["lower floor"] = simulated_option(lowered, hourly, floor)
            series["lower floor"] = lowered.provisioned
    candidates = [name for name in ("warmed", "lower floor") if name in options and options[name].keeps_headroom]
    best = min(candidates, key=lambda name: options[name].month) if candidates else "today"
    return DimensionAdvice(
        dimension.table,
        dimension.index,
        dimension.kind,
        dimension.label,
        dimension.provisioned,
        scaling.min_capacity if scaling else None,
        scaling.max_capacity if scaling else None,
        scaling.target_value if scaling else None,
        round(total, 2),
        total / (minutes * 60),
        percentile(rates, P99),
        sum(today_series) / minutes,
        options,
        best,
        series,
    )


def advise_table(
    table: str, table_class: str, dimensions: list[DimensionAdvice], prices: price_table.RegionPrices
) -> TableAdvice:
    """On-demand for the whole table, or each dimension's best provisioned option: whichever costs less."""
    today = sum(d.options["today"].month for d in dimensions)
    on_demand = sum(d.options["on-demand"].month for d in dimensions)
    provisioned = sum(d.options[d.best_provisioned].month for d in dimensions)
    used = sum(d.average_rate for d in dimensions) / max(sum(d.average_provisioned for d in dimensions), 1e-9)
    break_even = price_table.on_demand_break_even(prices, "write")
    if on_demand < provisioned:
        # "You can switch tables from provisioned capacity mode to on-demand mode up to four times in a
        # 24-hour rolling window": https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/switching.capacitymode.html
        throttling = [d.label for d in dimensions if not d.options.get("warmed", Option(0, True)).keeps_headroom]
        reason = (
            f"on-demand ${on_demand:.2f}/mo against ${provisioned:.2f}/mo for the cheapest provisioned setting that "
            f"keeps headroom; it uses {used:.0%} of today's capacity on average (break-even near {break_even:.0%}), "
            "and an on-demand table needs no warming (a table may switch to on-demand 4 times in 24 hours)"
        )
        if throttling:
            reason += f"; warmed provisioned would throttle ({', '.join(throttling)}: demand faster than scale-out)"
        return TableAdvice(table, table_class, "on-demand", today, on_demand, today - on_demand, reason, dimensions)
    lowered = [d for d in dimensions if d.best_provisioned == "lower floor"]
    if lowered:
        recommendation = "lower floor"
        reason = "; ".join(
            f"{d.label}: MinCapacity {d.min_capacity} while its p99 minute needs "
            f"{d.options['lower floor'].min_capacity}: set MinCapacity to {d.options['lower floor'].min_capacity}"
            for d in lowered
        )
    elif any(d.best_provisioned == "warmed" for d in dimensions):
        recommendation = "warmed"
        reason = (
            f"provisioned with a working scale-in (${provisioned:.2f}/mo) is cheaper than on-demand "
            f"(${on_demand:.2f}/mo): it uses {used:.0%} of today's capacity on average, above the "
            f"{break_even:.0%} break-even"
        )
    else:
        recommendation = "keep"
        throttled = [d.label for d in dimensions if "warmed" in d.options]
        why = f"scaled in, it would throttle ({', '.join(throttled)})" if throttled else "no auto scaling to simulate"
        reason = f"{why}; on-demand would cost ${on_demand:.2f}/mo against ${today:.2f}/mo today"
    return TableAdvice(table, table_class, recommendation, today, provisioned, today - provisioned, reason, dimensions)


def region_tables(dynamodb) -> list[str]:
    return [name for page in dynamodb.get_paginator("list_tables").paginate() for name in page["TableNames"]]


def scalings(autoscaling, schemas) -> dict[tuple[str, str], Scaling]:
    """Target-tracked dimensions: min, max (scalable target) and target value (its policy)."""
    targets = scalable_targets(autoscaling, schemas)
    policies = target_tracking_policies(autoscaling)
    found = {}
    for key, target in targets.items():
        policy = policies.get(key)
        if policy:
            value = policy["TargetTrackingScalingPolicyConfiguration"]["TargetValue"]
            found[key] = Scaling(target["MinCapacity"], target["MaxCapacity"], value)
    return found


def warmer_month(clients, function: str | None, requests: int) -> WarmerCost:
    """The warmer's own monthly cost for `requests` warmed dimensions (warmer_cost.py), from the deployed
    function's settings when there is one."""
    deployed, rate = Deployed(), "rate(1 minute)"
    if function:
        deployed = deployed_settings(clients, function)
        try:
            rate = clients["scheduler"].get_schedule(Name=function)["ScheduleExpression"]
        except clients["scheduler"].exceptions.ResourceNotFoundException:
            pass
    return warmer_cost(
        ticks_per_month(rate),
        ASSUMED_TICK_SECONDS,
        deployed.memory,
        requests,
        deployed.log_level,
        deployed.retention_days,
        deployed.custom_metrics,
        deployed.alarm_metrics,
    )


def advise(
    clients, tables: list[str], region: str, now: dt.datetime, days: float, scope: str, function: str | None = None
) -> Advice:
    descriptions = {name: clients["dynamodb"].describe_table(TableName=name)["Table"] for name in tables}
    skipped = [
        f"{name}: on-demand already (nothing to warm or lower)"
        for name, d in descriptions.items()
        if d.get("BillingModeSummary", {}).get("BillingMode") == "PAY_PER_REQUEST"
    ]
    provisioned = {
        name: d
        for name, d in descriptions.items()
        if d.get("BillingModeSummary", {}).get("BillingMode") != "PAY_PER_REQUEST"
    }
    schemas = [schema_from_description(d) for d in provisioned.values()]
    scaled = scalings(clients["application-autoscaling"], schemas) if schemas else {}
    start, minutes = minute_range(now, days)
    dimensions = {name: table_dimensions(d) for name, d in provisioned.items()}
    queries, by_dimension = [], {}
    for number, d in enumerate(dim for dims in dimensions.values() for dim in dims):
        metric = f"{d.kind.title()}CapacityUnits"
        names = tuple((m["Name"], m["Value"]) for m in d.metric_dimensions)
        consumed, capacity = (
            MetricQuery(f"c{number}", f"Consumed{metric}", names, "Sum"),
            MetricQuery(f"p{number}", f"Provisioned{metric}", names, "Maximum"),
        )
        queries += [consumed, capacity]
        by_dimension[id(d)] = (consumed.id, capacity.id)
    series = read_series(clients["cloudwatch"], queries, start, minutes) if queries else {}
    advised = []
    for name, description in provisioned.items():
        table_class = description.get("TableClassSummary", {}).get("TableClass", "STANDARD")
        prices, _ = price_table.for_table_class(region, table_class)
        advice = [
            advise_dimension(
                d,
                series[by_dimension[id(d)][0]],
                series[by_dimension[id(d)][1]],
                scaled.get((d.resource_id, d.scalable_dimension)),
                prices,
                start,
            )
            for d in dimensions[name]
        ]
        advised.append(advise_table(name, table_class, advice, prices))
    # What the warmer warms in auto mode: every scaled dimension but GSI writes (DESIGN).
    warmed = sum(
        1
        for dims in dimensions.values()
        for d in dims
        if (d.resource_id, d.scalable_dimension) in scaled and not (d.index and d.kind == "write")
    )
    _, exact = price_table.for_region(region)
    notes = [NOT_CONSIDERED]
    if not exact:
        notes.append(f"{region} is not in the price table: us-east-1 prices are used")
    return Advice(
        scope,
        region,
        days,
        start.isoformat(),
        minutes,
        exact,
        price_table.PRICES_AS_OF,
        price_table.PRICES_SOURCE,
        warmer_month(clients, function, warmed),
        warmed,
        advised,
        skipped,
        notes,
    )
