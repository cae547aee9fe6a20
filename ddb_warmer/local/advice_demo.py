"""The demo's advice step: `ddb-warmer advise` on the emulator's tables, over a synthetic history.

Advice needs history (14 days by default) and the demo's tables have minutes of
it. So this step writes a clearly labelled synthetic history into the emulator's
CloudWatch first: SYNTHETIC_HOURS of per-minute ConsumedRead/WriteCapacityUnits
ending now, with a shape per table in turn: steady at 60 % of today's capacity
(warmed provisioned is cheapest), then idle (on-demand is), then spiky (on-demand:
scale-out is too slow for it). A few hours rather than days keep the step to
seconds (moto's GetMetricData reads every stored datapoint once per period it
returns). Then it prints the advice and a chart per table, as `advise` does on AWS.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ddb_warmer.ops.advise import advise
from ddb_warmer.ops.advise_chart import draw_charts
from ddb_warmer.ops.advise_output import render
from ddb_warmer.ops.inventory import table_dimensions

SYNTHETIC_HOURS = 6
SHAPES = ("steady at 60 %", "idle", "spiky")
BATCH = 1000  # PutMetricData takes at most 1,000 datums a call


def synthetic_sums(shape: str, provisioned: int, minutes: int) -> dict[int, float]:
    """{minute: consumed units} for one dimension of the given shape."""
    if shape == "steady at 60 %":
        return dict.fromkeys(range(minutes), 0.6 * provisioned * 60)
    if shape == "spiky":  # 5 minutes at today's full capacity every 2 hours, nothing between
        return {start + m: provisioned * 60 for start in range(30, minutes, 120) for m in range(5)}
    return {}


def seed_history(clients, tables: list[str], end: dt.datetime) -> list[str]:
    """Write the synthetic history; one line per table saying which shape it got."""
    minutes = SYNTHETIC_HOURS * 60
    start = end.replace(second=0, microsecond=0) - dt.timedelta(minutes=minutes)
    described = []
    for number, table in enumerate(tables):
        shape = SHAPES[number % len(SHAPES)]
        description = clients["dynamodb"].describe_table(TableName=table)["Table"]
        data = []
        # The table's own dimensions only: its GSIs keep their own (empty) series.
        for dimension in (d for d in table_dimensions(description) if d.index is None):
            for minute, value in synthetic_sums(shape, dimension.provisioned or 1, minutes).items():
                data.append(
                    {
                        "MetricName": f"Consumed{dimension.kind.title()}CapacityUnits",
                        "Dimensions": dimension.metric_dimensions,
                        "Timestamp": start + dt.timedelta(minutes=minute, seconds=5),
                        "Value": value,
                        "Unit": "Count",
                    }
                )
        for first in range(0, len(data), BATCH):
            clients["cloudwatch"].put_metric_data(Namespace="AWS/DynamoDB", MetricData=data[first : first + BATCH])
        described.append(f"{table}: {shape}")
    return described


def show_advice(clients, tables: list[str], function: str | None, region: str, charts: Path) -> None:
    now = dt.datetime.now(dt.UTC)
    shapes = seed_history(clients, tables, now)
    print(f"    SYNTHETIC history, {SYNTHETIC_HOURS} hours a minute at a time (not measured): {'; '.join(shapes)}")
    scope = f"the demo's tables ({function})"
    result = advise(clients, tables, region, now, SYNTHETIC_HOURS / 24, scope, function, full_series=True)
    print(render(result, draw_charts(result, charts, note=" (SYNTHETIC history)")))
