"""How `ddb-warmer advise` reads: a table for a terminal, Markdown for a pull request or an issue."""

from __future__ import annotations

import datetime as dt

from ddb_warmer.ops.advise_mermaid import fenced, legend
from ddb_warmer.ops.advise_model import Advice, DimensionAdvice, TableAdvice

OPTIONS = ("today", "warmed", "lower floor", "on-demand")
ACTIONS = {
    "on-demand": "switch the table to on-demand",
    "lower floor": "lower MinCapacity",
    "warmed": "keep it provisioned and warmed",
    "keep": "keep it as it is",
    "provisioned": "switch the table to provisioned, auto scaled and warmed",
    "keep on-demand": "keep it on-demand, capped",
}


def money(value: float) -> str:
    return f"${value:,.2f}"


def cell(dimension: DimensionAdvice, name: str) -> str:
    option = dimension.options.get(name)
    if option is None:
        return "n/a"
    text = money(option.month)
    if option.min_capacity is not None:
        text += f" (min {option.min_capacity})"
    if not option.keeps_headroom:
        text += f" ({option.throttled_minutes} min throttled)"
    return text


def heading(advice: Advice) -> list[str]:
    start = dt.datetime.fromisoformat(advice.start)
    end = start + dt.timedelta(minutes=advice.minutes)
    days = f"{advice.days:g} day{'' if advice.days == 1 else 's'}"
    if advice.days < 1:
        days = f"{advice.days * 24:g} hours"
    prices = f"{advice.region}" + ("" if advice.exact_prices else " (not in the price table: us-east-1 figures)")
    on_demand = sum(1 for t in advice.tables if t.billing == "on-demand")
    provisioned = len(advice.tables) - on_demand
    settings = advice.settings
    floor = f"MinCapacity {settings.floor}" if settings.floor else "MinCapacity: what its p99 minute needs"
    maximum = (
        f"MaxCapacity {settings.maximum}"
        if settings.maximum
        else "MaxCapacity: twice its busiest minute's need (at least 10)"
    )
    return [
        f"advice for {advice.scope}: {provisioned} provisioned and {on_demand} on-demand table(s), {days} of "
        f"per-minute metrics ({start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC), USD a month at that pace",
        f"prices: {prices}, list prices as of {advice.prices_as_of} ({advice.prices_source}); "
        + "; ".join(advice.notes),
        f"an on-demand table priced as provisioned: {floor}, {maximum}, target {settings.target:g} % "
        "(--floor, --max, --target)",
    ]


def verdict(table: TableAdvice) -> str:
    saving = f"saves {money(table.saving_month)} a month" if table.saving_month >= 0.005 else "no saving"
    return (
        f"{table.table}: {ACTIONS[table.recommendation]} ({saving}: {money(table.recommended_month)} against "
        f"{money(table.today_month)} today): {table.reason}"
    )


def footer(advice: Advice) -> list[str]:
    saving = sum(t.saving_month for t in advice.tables)
    return [
        f"total saving: {money(saving)} a month; the warmer itself costs {money(advice.warmer.total)} a month for "
        f"{advice.warmed_dimensions} warmed dimension(s) (nothing for a table that goes on-demand)",
        *advice.skipped,
    ]


def render(advice: Advice, charts: dict[str, str] | None = None) -> str:
    lines = [*heading(advice), ""]
    lines.append(f"{'table':<24} {'dimension':<26} " + " ".join(f"{name:>22}" for name in OPTIONS) + "  best")
    for table in advice.tables:
        for d in table.dimensions:
            best = "on-demand" if table.recommendation == "on-demand" else d.best_provisioned
            lines.append(
                f"{d.table:<24} {d.label:<26} " + " ".join(f"{cell(d, name):>22}" for name in OPTIONS) + f"  {best}"
            )
    lines.append("")
    for table in advice.tables:
        lines.append(verdict(table))
        lines += [f"  - {step}" for step in table.steps]
        if charts and table.table in charts:
            lines.append(f"  chart: {charts[table.table]}")
    return "\n".join([*lines, "", *footer(advice)])


def render_markdown(advice: Advice, charts: dict[str, str] | None = None, mermaid: dict[str, str] | None = None) -> str:
    head = heading(advice)
    lines = [f"### {head[0][0].upper()}{head[0][1:]}", "", head[1], ""]
    lines.append("| table | dimension | " + " | ".join(OPTIONS) + " | best |")
    lines.append("|---|---|" + "---:|" * len(OPTIONS) + "---|")
    for table in advice.tables:
        for d in table.dimensions:
            best = "on-demand" if table.recommendation == "on-demand" else d.best_provisioned
            lines.append(f"| {d.table} | {d.label} | " + " | ".join(cell(d, n) for n in OPTIONS) + f" | **{best}** |")
    lines.append("")
    for table in advice.tables:
        lines.append(f"- **{verdict(table)}**" if table.saving_month >= 0.005 else f"- {verdict(table)}")
        lines += [f"  - {step}" for step in table.steps]
        if charts and table.table in charts:
            lines.append(f"  chart: `{charts[table.table]}`")
        if mermaid and table.table in mermaid:
            chart = fenced(mermaid[table.table]).splitlines()
            lines += ["", f"  {legend(table.billing)}:", "", *(f"  {line}" for line in chart), ""]
    return "\n".join([*lines, "", *footer(advice)])
