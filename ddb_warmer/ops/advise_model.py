"""The records `advise` hands out (both directions) and the arithmetic both directions share."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from ddb_warmer.ops import prices as price_table
from ddb_warmer.ops.scaling_simulator import Scaling, Simulation
from ddb_warmer.ops.warmer_cost import WarmerCost

P99 = 0.99
# Target tracking's target utilisation: "between 20 and 90 percent",
# https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/AutoScaling.html
TARGET_RANGE = (20.0, 90.0)
DEFAULT_TARGET = 70.0  # the console's default when it enables auto scaling (the page above)


class AdviceInputError(ValueError):
    """Bad input to advise; the message says what to write instead."""


@dataclass(frozen=True)
class SwitchSettings:
    """How an on-demand table is priced as provisioned: the user's floor, maximum and target, or defaults
    (floor: the p99 minute's need; maximum: twice the peak minute's need, at least 10; target: 70 %)."""

    floor: int | None = None
    maximum: int | None = None
    target: float = DEFAULT_TARGET

    def __post_init__(self):
        low, high = TARGET_RANGE
        if not low <= self.target <= high:
            raise AdviceInputError(f"--target {self.target:g}: write a target utilisation from {low:g} to {high:g} (%)")
        for name, value in (("--floor", self.floor), ("--max", self.maximum)):
            if value is not None and value < 1:
                raise AdviceInputError(f"{name} {value}: write at least 1 capacity unit")
        if self.floor is not None and self.maximum is not None and self.floor > self.maximum:
            raise AdviceInputError(
                f"--floor {self.floor} is above --max {self.maximum}: write a floor at most the maximum "
                f"(for example --floor {self.maximum}) or raise --max"
            )


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
    provisioned: int | None  # today, from DescribeTable (None: on-demand)
    min_capacity: int | None
    max_capacity: int | None
    target_value: float | None
    consumed_units: float  # in the period
    average_rate: float  # units a second
    p99_rate: float
    average_provisioned: float
    options: dict[str, Option]  # today, warmed, lower floor, on-demand (those that apply)
    best_provisioned: str  # the cheapest provisioned option that keeps headroom
    peak_rate: float = 0.0  # the busiest minute, units a second
    suggested: Scaling | None = None  # auto scaling to register when an on-demand table switches
    cap: int | None = None  # MaxRead/WriteRequestUnits when it is (or goes) on-demand
    # For the charts: per minute with --charts, else per hour (the busiest minute of consumed, the
    # highest capacity); not in --json.
    series: dict[str, list] = field(default_factory=dict, repr=False)

    @property
    def utilisation(self) -> float:
        return self.average_rate / self.average_provisioned if self.average_provisioned else 0.0


@dataclass
class TableAdvice:
    table: str
    table_class: str
    # on-demand (switch to it) | lower floor | warmed | keep | provisioned (switch to it) | keep on-demand
    recommendation: str
    today_month: float
    recommended_month: float
    saving_month: float
    reason: str
    dimensions: list[DimensionAdvice]
    billing: str = "provisioned"  # today's: provisioned | on-demand
    steps: list[str] = field(default_factory=list)  # what the recommendation needs, in order
    covered: bool | None = None  # whether the warmer covers the table (None: no warmer named)


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
    settings: SwitchSettings = field(default_factory=SwitchSettings)

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
    return total_in_period * price_table.MINUTES_PER_MONTH / minutes


def provisioned_month(series: Sequence[float], hourly: float) -> float:
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


def chart_series(values: Sequence[float], minutes_per_point: int, highest: bool = True) -> list[float]:
    """A series for a chart: per `minutes_per_point`, its highest value (or its mean)."""
    if minutes_per_point <= 1:
        return list(values)
    points = []
    for first in range(0, len(values), minutes_per_point):
        bucket = values[first : first + minutes_per_point]
        points.append(max(bucket) if highest else sum(bucket) / len(bucket))
    return points
