"""The weekly advise issue's text, from each region's `ddb-warmer advise --json`: the savings table, then per
table with a saving its recommendation, reason, steps and chart (Mermaid, drawn by GitHub)."""

from __future__ import annotations

import datetime as dt

from ddb_warmer.ops.advise_mermaid import fenced, legend
from ddb_warmer.ops.advise_output import ACTIONS, money

SAVING = 0.005  # a saving that rounds to a cent or more
CHARTS = 10  # charts for the tables that save most; the others are rows of the table
# GitHub refuses an issue body over 65,536 characters ("body is too long (maximum is 65536 characters)",
# its API's answer as quoted in https://github.com/PyGithub/PyGithub/issues/1906); rows and charts stop short.
MAX_BODY = 60_000


def savings(reports: dict[str, dict]) -> list[tuple[str, dict]]:
    """(region, table) with a saving, the largest first."""
    found = [(region, t) for region, report in reports.items() for t in report["tables"] if t["saving_month"] >= SAVING]
    return sorted(found, key=lambda pair: -pair[1]["saving_month"])


def has_saving(reports: dict[str, dict]) -> bool:
    return bool(savings(reports))


def total(reports: dict[str, dict]) -> float:
    return sum(t["saving_month"] for _, t in savings(reports))


def issue_title(environment: str, reports: dict[str, dict]) -> str:
    return f"advise: {money(total(reports))} a month to save in live/{environment}"


def period(reports: dict[str, dict]) -> str:
    report = next(iter(reports.values()))
    start = dt.datetime.fromisoformat(report["start"])
    end = start + dt.timedelta(minutes=report["minutes"])
    return f"{report['days']:g} day(s) of per-minute metrics, {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC"


def table_row(region: str, table: dict) -> str:
    return (
        f"| {region} | `{table['table']}` | {table['billing']} | {ACTIONS[table['recommendation']]} | "
        f"{money(table['today_month'])} | {money(table['recommended_month'])} | **{money(table['saving_month'])}** |"
    )


def table_section(region: str, table: dict, chart: str | None) -> list[str]:
    lines = [
        f"### `{table['table']}` ({region}): {ACTIONS[table['recommendation']]}, saves "
        f"{money(table['saving_month'])} a month",
        "",
        table["reason"],
        "",
        *(f"- {step}" for step in table["steps"]),
    ]
    if chart:
        lines += ["", f"{legend(table['billing'])}:", "", fenced(chart)]
    return [*lines, ""]


def issue_body(marker: str, environment: str, reports: dict[str, dict]) -> str:
    rows = savings(reports)
    advised = sum(len(report["tables"]) for report in reports.values())
    first = next(iter(reports.values()))
    head = [
        marker,
        f"`ddb-warmer advise` finds **{money(total(reports))} a month** to save in `live/{environment}`: "
        f"{len(rows)} of {advised} table(s), from {period(reports)}, in {', '.join(reports)}.",
        f"List prices as of {first['prices_as_of']}; " + "; ".join(first["notes"]) + ".",
        "",
        "| region | table | billing today | recommendation | today | recommended | saving a month |",
        "|---|---|---|---|---:|---:|---:|",
    ]
    tail = [
        "---",
        "How each figure is made: docs/advise.md. This issue is updated by the weekly advise workflow and "
        "closed once nothing is left to save.",
    ]
    size = len("\n".join([*head, *tail]))
    table_lines, sections, left = [], [], 0
    for number, (region, table) in enumerate(rows):
        row = table_row(region, table)
        chart = reports[region]["mermaid"].get(table["table"]) if number < CHARTS else None
        section = table_section(region, table, chart)
        needed = len(row) + sum(len(line) + 1 for line in section) + 1
        if size + needed > MAX_BODY:
            left = len(rows) - number
            break
        size += needed
        table_lines.append(row)
        sections += section
    more = [f"and {left} more table(s) with a smaller saving: `ddb-warmer advise --environment {environment}`"]
    return "\n".join([*head, *table_lines, *(more if left else []), "", *sections, *tail])


def nothing_left(environment: str, reports: dict[str, dict]) -> str:
    advised = sum(len(report["tables"]) for report in reports.values())
    return f"Nothing is left to save in `live/{environment}` ({advised} table(s) advised, {period(reports)})."
