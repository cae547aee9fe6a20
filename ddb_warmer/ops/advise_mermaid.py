"""A chart GitHub draws from text, for an issue or a pull request: Mermaid `xychart-beta`.

GitHub renders a ```mermaid block in Markdown
(https://docs.github.com/en/get-started/writing-on-github/working-with-advanced-formatting/creating-diagrams),
so the weekly issue carries its charts without an upload. One chart a table, of its dimension
that costs most today: bars for the busiest minute of each point (units a second), a line for
today's provisioned capacity (a provisioned table) and a line for what is recommended (the
simulated capacity, or the on-demand cap). xychart-beta draws no legend: legend() says which is which.
"""

from __future__ import annotations

import datetime as dt
import math

from ddb_warmer.ops.advise_model import DimensionAdvice, TableAdvice, chart_series

MAX_POINTS = 56  # 14 days at 6 hours a point: a chart that stays readable in an issue


def legend(billing: str) -> str:
    """What the bars and lines of a table's chart are, for a table billed `billing` today."""
    lines = "lines: provisioned today, then recommended" if billing == "provisioned" else "line: recommended"
    return f"bars: the busiest minute of each point (units a second); {lines}"


def chart_dimension(table: TableAdvice) -> DimensionAdvice:
    """The dimension that costs most today (the first, when none costs anything)."""
    return max(table.dimensions, key=lambda d: d.options["today"].month)


def recommended_line(table: TableAdvice, dimension: DimensionAdvice, points: int) -> list[float] | None:
    if table.recommendation in ("on-demand", "keep on-demand") and dimension.cap is not None:
        return [float(dimension.cap)] * points
    name = dimension.best_provisioned if table.recommendation != "provisioned" else "warmed"
    return dimension.series.get(name)


def label(moment: dt.datetime) -> str:
    return f"{moment:%m-%d %Hh}"


def xychart(table: TableAdvice, start: dt.datetime, minutes: int) -> str:
    """The Mermaid source of the table's chart (without the ``` fence)."""
    dimension = chart_dimension(table)
    consumed = dimension.series["consumed"]
    per_point = max(1, math.ceil(len(consumed) / MAX_POINTS))
    bars = chart_series(consumed, per_point)
    lines = []
    if table.billing == "provisioned" and "today" in dimension.series:
        lines.append(chart_series(dimension.series["today"], per_point))
    recommended = recommended_line(table, dimension, len(consumed))
    if recommended is not None:
        lines.append(chart_series(recommended, per_point))
    step = dt.timedelta(minutes=minutes / len(bars))
    top = max([*bars, *(value for line in lines for value in line), 1.0])
    values = ", ".join
    return "\n".join(
        [
            "xychart-beta",
            f'    title "{table.table}: {dimension.label}"',
            "    x-axis [" + values(f'"{label(start + step * n)}"' for n in range(len(bars))) + "]",
            f'    y-axis "units a second" 0 --> {math.ceil(top * 1.1)}',
            "    bar [" + values(f"{v:.2f}" for v in bars) + "]",
            *("    line [" + values(f"{v:.2f}" for v in line) + "]" for line in lines),
        ]
    )


def fenced(source: str) -> str:
    return f"```mermaid\n{source}\n```"
