"""`ddb-warmer advise`: per table and GSI, keep it warmed, lower its floor, or switch the table's billing mode.

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

An on-demand table is priced the other way round (advise_on_demand.py): provisioned with working
target tracking, and capped on-demand. A table that stays or goes provisioned is checked against
the warmer's configuration (advise_coverage.py).

A fleet is read in chunks of tables, WORKERS chunks at a time, each chunk priced as soon as its
series are in and then dropped, so memory holds WORKERS chunks of compact series.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

from ddb_warmer.ops import prices as price_table
from ddb_warmer.ops.advise_coverage import coverage, warmer_config
from ddb_warmer.ops.advise_metrics import (
    GET_METRIC_DATA_DPS,
    DatapointRate,
    MetricQuery,
    forward_filled,
    minute_range,
    minute_values,
    read_series,
)
from ddb_warmer.ops.advise_model import (
    P99,
    Advice,
    AdviceInputError,
    DimensionAdvice,
    Option,
    SwitchSettings,
    TableAdvice,
    chart_series,
    per_month,
    percentile,
    provisioned_month,
    simulated_option,
)
from ddb_warmer.ops.advise_on_demand import (
    SWITCH_LIMITS,
    WARMER_UNITS,
    advise_on_demand_dimension,
    advise_on_demand_table,
    cap_steps,
)
from ddb_warmer.ops.deployed import Deployed, deployed_settings
from ddb_warmer.ops.estimate import ASSUMED_TICK_SECONDS
from ddb_warmer.ops.inventory import DimensionState, scalable_targets, table_dimensions, target_tracking_policies
from ddb_warmer.ops.scaling_simulator import Scaling, needed_capacity, simulate
from ddb_warmer.ops.warmer_cost import WarmerCost
from lambda_function.dimensions import warmed_in_auto_mode
from lambda_function.schema import billed_on_demand, schema_from_description

# The records are advise_model's; importing them from here keeps working.
__all__ = ["Advice", "AdviceInputError", "DimensionAdvice", "Option", "SwitchSettings", "TableAdvice", "advise"]

NOT_CONSIDERED = "reserved capacity is not considered (it lowers provisioned prices for a 1- or 3-year commitment)"
# GetMetricData calls in flight at once. CloudWatch answers 50 of them a second per account and region
# ("50 transactions per second", https://repost.aws/knowledge-center/cloudwatch-getmetricdata-api),
# which 4 calls of 100 ms or more stay under; botocore retries a throttled call.
WORKERS = 4
# DescribeTable calls in flight at once: a fleet's 1,000 take 13 s at 100 ms a call, not 100 s.
DESCRIBE_WORKERS = 8
CHART_MINUTES = 60  # without --charts, the series a chart needs are kept per hour
# Series a worker holds at once: 250 of 14 days take 40 MB (8 bytes a minute), WORKERS of them 160 MB.
CHUNK_QUERIES = 250


def advise_dimension(
    dimension: DimensionState,
    consumed: list[float | None],
    provisioned: list[float | None],
    scaling: Scaling | None,
    prices: price_table.RegionPrices,
    start: dt.datetime,
    chart_minutes: int = 1,
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
    series = {"consumed": chart_series(rates, chart_minutes), "today": chart_series(today_series, chart_minutes)}
    if scaling is not None:
        warmed_series = [WARMER_UNITS[dimension.kind] if value is None else value for value in consumed]
        initial = round(today_series[0])
        warmed = simulate(warmed_series, start, initial, scaling)
        options["warmed"] = simulated_option(warmed, hourly)
        series["warmed"] = chart_series(warmed.provisioned, chart_minutes)
        floor = needed_capacity(percentile(rates, P99), scaling.target_value)
        if floor < scaling.min_capacity:
            lowered_scaling = Scaling(floor, scaling.max_capacity, scaling.target_value)
            lowered = simulate(warmed_series, start, initial, lowered_scaling)
            options["lower floor"] = simulated_option(lowered, hourly, floor)
            series["lower floor"] = chart_series(lowered.provisioned, chart_minutes)
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
        max(rates, default=0.0),
        series=series,
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
        throttling = [d.label for d in dimensions if not d.options.get("warmed", Option(0, True)).keeps_headroom]
        reason = (
            f"on-demand ${on_demand:.2f}/mo against ${provisioned:.2f}/mo for the cheapest provisioned setting that "
            f"keeps headroom; it uses {used:.0%} of today's capacity on average (break-even near {break_even:.0%}), "
            "and an on-demand table needs no warming (a table may switch to on-demand 4 times in 24 hours)"
        )
        if throttling:
            reason += f"; warmed provisioned would throttle ({', '.join(throttling)}: demand faster than scale-out)"
        switch = f"switch it to on-demand (UpdateTable BillingMode PAY_PER_REQUEST); {SWITCH_LIMITS}"
        steps = [switch, *cap_steps(dimensions)]
        return TableAdvice(
            table, table_class, "on-demand", today, on_demand, today - on_demand, reason, dimensions, steps=steps
        )
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
    deployed = Deployed()
    if function:
        try:
            deployed = deployed_settings(clients, function)
        except clients["lambda"].exceptions.ResourceNotFoundException:
            pass  # not deployed in this region (every table of it is advised): the module's defaults
    return deployed.cost(ASSUMED_TICK_SECONDS, requests)


def describe(dynamodb, tables: list[str], region: str, named: bool) -> tuple[dict[str, dict], list[str]]:
    """({table: DescribeTable}, skipped lines). A table the user named and DynamoDB does not know is bad
    input; one a warmer lists but that is gone is skipped with a line."""
    found, skipped = {}, []

    def table(name: str) -> dict | None:
        try:
            return dynamodb.describe_table(TableName=name)["Table"]
        except dynamodb.exceptions.ResourceNotFoundException:
            return None

    with ThreadPoolExecutor(DESCRIBE_WORKERS) as pool:
        descriptions = list(pool.map(table, tables))
    for name, description in zip(tables, descriptions, strict=True):
        if description is not None:
            found[name] = description
        elif named:
            raise AdviceInputError(
                f"no table {name!r} in {region}: check the name and the region (--region), or advise every "
                f"table of the region with --region {region} alone"
            )
        else:
            skipped.append(f"{name}: no such table in {region} (the warmer's configuration names it)")
    return found, skipped


def dimension_queries(number: int, d: DimensionState, on_demand: bool) -> list[MetricQuery]:
    """Consumed (Sum) and, for a provisioned table, provisioned (Maximum) capacity of one dimension."""
    metric = f"{d.kind.title()}CapacityUnits"
    names = tuple((m["Name"], m["Value"]) for m in d.metric_dimensions)
    consumed = MetricQuery(f"c{number}", f"Consumed{metric}", names, "Sum")
    return [consumed] if on_demand else [consumed, MetricQuery(f"p{number}", f"Provisioned{metric}", names, "Maximum")]


def table_chunks(descriptions: dict[str, dict]) -> list[list[str]]:
    """Tables in chunks of up to CHUNK_QUERIES series (a table is never split across chunks)."""
    chunks: list[list[str]] = []
    current: list[str] = []
    size = 0
    for name, description in descriptions.items():
        queries = len(table_dimensions(description)) * (1 if billed_on_demand(description) else 2)
        if current and size + queries > CHUNK_QUERIES:
            chunks.append(current)
            current, size = [], 0
        current.append(name)
        size += queries
    return [*chunks, current] if current else chunks


def advise_chunk(
    clients, chunk: dict[str, dict], scaled, region, start: dt.datetime, minutes: int, settings, chart_minutes, rate
) -> list[TableAdvice]:
    """Read one chunk's series and price its tables; the raw series go when it returns."""
    dimensions = {name: table_dimensions(description) for name, description in chunk.items()}
    queries: list[MetricQuery] = []
    numbered: list = []
    for name, dims in dimensions.items():
        for d in dims:
            number = len(numbered)
            numbered.append(d)
            queries += dimension_queries(number, d, billed_on_demand(chunk[name]))
    series = read_series(clients["cloudwatch"], queries, start, minutes, rate)
    advised, number = [], 0
    for name, description in chunk.items():
        table_class = description.get("TableClassSummary", {}).get("TableClass", "STANDARD")
        prices, _ = price_table.for_table_class(region, table_class)
        advice = []
        for d in dimensions[name]:
            consumed = minute_values(series.pop(f"c{number}"))
            if billed_on_demand(description):
                advice.append(advise_on_demand_dimension(d, consumed, prices, start, settings, chart_minutes))
            else:
                provisioned = minute_values(series.pop(f"p{number}"))
                scaling = scaled.get((d.resource_id, d.scalable_dimension))
                advice.append(advise_dimension(d, consumed, provisioned, scaling, prices, start, chart_minutes))
            number += 1
        if billed_on_demand(description):
            advised.append(advise_on_demand_table(name, table_class, advice))
        else:
            advised.append(advise_table(name, table_class, advice, prices))
    return advised


def advise(
    clients,
    tables: list[str],
    region: str,
    now: dt.datetime,
    days: float,
    scope: str,
    function: str | None = None,
    *,
    settings: SwitchSettings | None = None,
    unit: str | None = None,
    named: bool = False,
    full_series: bool = False,
    datapoints_per_second: float | None = GET_METRIC_DATA_DPS,
) -> Advice:
    """Advice for `tables`: `unit` is the live/ file the environment's warmer reads (for the line to add),
    `named` that the user named the tables (an unknown one is an error), `full_series` keeps every
    minute for the charts (else an hour a point), `datapoints_per_second` paces the reading (None: unpaced)."""
    settings = settings or SwitchSettings()
    descriptions, skipped = describe(clients["dynamodb"], tables, region, named)
    schemas = [schema_from_description(d) for d in descriptions.values() if not billed_on_demand(d)]
    scaled = scalings(clients["application-autoscaling"], schemas) if schemas else {}
    start, minutes = minute_range(now, days)
    chart_minutes = 1 if full_series else CHART_MINUTES
    chunks = [{name: descriptions[name] for name in chunk} for chunk in table_chunks(descriptions)]
    rate = DatapointRate(datapoints_per_second) if datapoints_per_second else None
    with ThreadPoolExecutor(WORKERS) as pool:
        done = pool.map(
            lambda chunk: advise_chunk(clients, chunk, scaled, region, start, minutes, settings, chart_minutes, rate),
            chunks,
        )
        advised = [table for tables_of_chunk in done for table in tables_of_chunk]
    config = warmer_config(clients, function)
    for table in advised:
        if table.recommendation in ("provisioned", "warmed", "lower floor"):
            table.covered, line = coverage(table.table, config, unit)
            table.steps.append(line)
    # What the warmer warms in auto mode (its own rule, lambda_function/dimensions.py).
    warmed = sum(
        1
        for description in descriptions.values()
        for d in table_dimensions(description)
        if warmed_in_auto_mode(d.index, d.kind, (d.resource_id, d.scalable_dimension) in scaled)
    )
    _, exact = price_table.for_region(region)
    # A region missing from the price table is said once, on the prices line (advise_output.heading).
    notes = [NOT_CONSIDERED]
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
        settings,
    )
