"""`advise` for on-demand: an on-demand table priced as provisioned with a working scale-in, and the cap
(maximum on-demand throughput) of a table that is, or goes, on-demand.

Provisioned, an on-demand table's consumed series is run through the same target-tracking
simulator as a provisioned table's (scaling_simulator.py), with a datapoint every minute (the
warmer's), between a floor and a maximum at a target: the user's, or the defaults of
SwitchSettings. A switch is advised when no simulated minute throttles and it costs at least
SWITCH_MARGIN less than on-demand, so a table does not flip back and forth on a few cents.

On-demand, each table and GSI may carry MaxReadRequestUnits / MaxWriteRequestUnits ("maximum
read or write (or both) throughput per second on individual tables and associated global secondary
indexes", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/on-demand-capacity-mode-max-throughput.html;
at least 1, https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_OnDemandThroughput.html):
requests above it are throttled, so a runaway client cannot run up the bill.
"""

from __future__ import annotations

import datetime as dt
import math

from ddb_warmer.ops import advise_model as model
from ddb_warmer.ops import prices as price_table
from ddb_warmer.ops.inventory import DimensionState
from ddb_warmer.ops.scaling_simulator import Scaling, needed_capacity, simulate

# The warmer's own request a minute on a dimension it warms (docs/design.md: GetItem/Query, eventually
# consistent: 0.5 RCU; the conditional DeleteItem: 1 WCU); a warmed simulation has a datapoint
# every minute, this value where the history has none.
WARMER_UNITS = {"read": 0.5, "write": 1.0}
SWITCH_MARGIN = 0.10  # provisioned must cost at least 10 % less than on-demand to advise the switch
MAX_MARGIN = 2.0  # default MaxCapacity: twice what the busiest minute needs at the target ...
MIN_MAX = 10  # ... and at least 10 units, so an idle dimension's first requests are not throttled
# The cap over the busiest minute's rate: a minute's Sum averages its busiest seconds away, and the
# cap is per second. A dimension with little history gets at least MIN_CAP units a second.
CAP_MARGIN = 2.0
MIN_CAP = 10
# The metrics that count requests the cap turned away, per table and GSI (AWS/DynamoDB, dimensions
# TableName and GlobalSecondaryIndexName):
# https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TroubleshootingThrottling-cloudwatch.html
CAP_THROTTLE_METRICS = {
    "read": "ReadMaxOnDemandThroughputThrottleEvents",
    "write": "WriteMaxOnDemandThroughputThrottleEvents",
}
SWITCH_LIMITS = (
    "a table may switch to on-demand at most 4 times in a rolling 24 hours, and back to provisioned at any time "
    "(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/switching.capacitymode.html)"
)
CAP_FIELDS = {"read": "MaxReadRequestUnits", "write": "MaxWriteRequestUnits"}


def on_demand_cap(peak_rate: float) -> int:
    """MaxRead/WriteRequestUnits for a dimension whose busiest minute ran at `peak_rate` units a second."""
    return max(MIN_CAP, math.ceil(peak_rate * CAP_MARGIN - 1e-9))


def suggested_scaling(rates: list[float], settings: model.SwitchSettings) -> Scaling:
    """MinCapacity, MaxCapacity and target for a dimension that switches to provisioned."""
    target = settings.target
    floor = settings.floor or needed_capacity(model.percentile(rates, model.P99), target)
    if settings.maximum is not None:
        return Scaling(min(floor, settings.maximum), settings.maximum, target)
    busiest = needed_capacity(max(rates, default=0.0) * MAX_MARGIN, target)
    return Scaling(floor, max(floor, busiest, MIN_MAX), target)


def advise_on_demand_dimension(
    dimension: DimensionState,
    consumed: list[float | None],
    prices: price_table.RegionPrices,
    start: dt.datetime,
    settings: model.SwitchSettings,
    chart_minutes: int,
) -> model.DimensionAdvice:
    """An on-demand dimension: what it pays (per request unit) against provisioned with working target tracking."""
    minutes = len(consumed)
    rates = [(value or 0.0) / 60 for value in consumed]
    total = sum(value or 0.0 for value in consumed)
    on_demand = model.Option(
        model.per_month(total, minutes) * price_table.request_unit_million(prices, dimension.kind) / 1e6, True
    )
    scaling = suggested_scaling(rates, settings)
    warmed_series = [WARMER_UNITS[dimension.kind] if value is None else value for value in consumed]
    simulation = simulate(warmed_series, start, scaling.min_capacity, scaling)
    peak = max(rates, default=0.0)
    return model.DimensionAdvice(
        dimension.table,
        dimension.index,
        dimension.kind,
        dimension.label,
        None,
        None,
        None,
        None,
        round(total, 2),
        total / (minutes * 60),
        model.percentile(rates, model.P99),
        0.0,
        {
            "today": on_demand,
            "warmed": model.simulated_option(simulation, price_table.unit_hour(prices, dimension.kind)),
            "on-demand": on_demand,
        },
        "warmed",
        peak,
        scaling,
        on_demand_cap(peak),
        {
            "consumed": model.chart_series(rates, chart_minutes),
            "warmed": model.chart_series(simulation.provisioned, chart_minutes),
        },
    )


def where(dimension: model.DimensionAdvice) -> str:
    return f"index {dimension.index}" if dimension.index else "the table"


def cap_steps(dimensions: list[model.DimensionAdvice]) -> list[str]:
    """Set each dimension's cap, and watch the metrics that show it throttling."""
    for dimension in dimensions:
        dimension.cap = on_demand_cap(dimension.peak_rate)
    caps: dict[str, list[str]] = {}
    for d in dimensions:
        caps.setdefault(where(d), []).append(f"{CAP_FIELDS[d.kind]} {d.cap}")
    return [
        "cap it (OnDemandThroughput, twice the busiest minute's units a second, at least "
        f"{MIN_CAP}): " + "; ".join(f"{place}: {', '.join(fields)}" for place, fields in caps.items()),
        f"watch {' and '.join(CAP_THROTTLE_METRICS.values())} (AWS/DynamoDB, per table and GSI): above 0, "
        "the cap turned requests away; raise it with UpdateTable",
    ]


def advise_on_demand_table(table: str, table_class: str, dimensions: list[model.DimensionAdvice]) -> model.TableAdvice:
    """Switch to provisioned when that keeps headroom and costs SWITCH_MARGIN less; else stay, capped."""
    on_demand = sum(d.options["on-demand"].month for d in dimensions)
    provisioned = sum(d.options["warmed"].month for d in dimensions)
    throttling = [d.label for d in dimensions if not d.options["warmed"].keeps_headroom]
    if not throttling and provisioned <= on_demand * (1 - SWITCH_MARGIN):
        reason = (
            f"provisioned with auto scaling and a scale-in that works (${provisioned:.2f}/mo) against "
            f"${on_demand:.2f}/mo on-demand, no simulated minute throttled"
        )
        steps = [
            "switch it to provisioned (UpdateTable BillingMode PROVISIONED, each dimension at its MinCapacity "
            f"to start); {SWITCH_LIMITS}",
            *(
                f"register auto scaling on {d.label}: MinCapacity {d.suggested.min_capacity}, MaxCapacity "
                f"{d.suggested.max_capacity}, target {d.suggested.target_value:g} %"
                for d in dimensions
                if d.suggested
            ),
        ]
        return model.TableAdvice(
            table, table_class, "provisioned", on_demand, provisioned, on_demand - provisioned, reason, dimensions,
            "on-demand", steps,
        )  # fmt: skip
    if throttling:
        reason = f"provisioned would throttle ({', '.join(throttling)}: demand faster than scale-out)"
    else:
        reason = (
            f"provisioned would cost ${provisioned:.2f}/mo against ${on_demand:.2f}/mo on-demand: not "
            f"{SWITCH_MARGIN:.0%} less"
        )
    return model.TableAdvice(
        table, table_class, "keep on-demand", on_demand, on_demand, 0.0, reason, dimensions, "on-demand",
        cap_steps(dimensions),
    )  # fmt: skip
