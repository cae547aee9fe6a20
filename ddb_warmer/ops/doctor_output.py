"""`doctor` for people: an aligned table readable in a terminal and in a CI log."""

from __future__ import annotations

import datetime as dt

from ddb_warmer.ops.alarm_model import DECREASES_PER_DAY
from ddb_warmer.ops.doctor import Report, strip

COLUMNS = (
    "table",
    "dimension",
    "capacity (min-max)",
    "target",
    "AlarmLow",
    "datapoints",
    "gaps",
    "decreases",
    "verdict",
)


def _capacity(d) -> str:
    if d.on_demand or d.provisioned is None:
        return "on-demand"
    if d.min_capacity is None:
        return f"{d.provisioned} (no target)"
    return f"{d.provisioned} ({d.min_capacity}-{d.max_capacity})"


def _row(d, metrics_available: bool) -> list[str]:
    if metrics_available:
        # Gaps only count where a scale-in depends on them.
        datapoints, gaps = strip(d.minutes), str(d.gaps) if d.min_capacity is not None else "-"
    else:
        datapoints, gaps = "no metrics from this endpoint", "-"
    return [
        d.table,
        d.label,
        _capacity(d),
        f"{d.target_value:g}%" if d.target_value is not None else "-",
        d.alarm_state or ("missing" if d.min_capacity is not None else "-"),
        datapoints,
        gaps,
        f"{d.decreases_today}/{DECREASES_PER_DAY}" if d.decreases_today is not None and not d.on_demand else "-",
        d.verdict,
    ]


def _warmer_line(report: Report, now: dt.datetime) -> str:
    warmer = report.warmer
    if warmer.function is None:
        return "warmer: not given (--environment or --function names it)"
    if not warmer.found:
        return f"warmer {warmer.function}: NOT FOUND"
    if warmer.last_successful_tick is None:
        tick = f"no successful tick in the last {report.window_minutes} minutes"
    else:
        last = dt.datetime.fromisoformat(warmer.last_successful_tick)
        tick = f"last successful tick {last:%H:%M} UTC ({int((now - last).total_seconds() // 60)} min ago)"
    dead = "?" if warmer.dead_letters is None else warmer.dead_letters
    failing = f"; its last tick FAILED: {warmer.last_error}" if warmer.last_tick_failed else ""
    line = (
        f"warmer {warmer.function}: {tick}, {warmer.invocations:g} invocations, {warmer.errors:g} errors, "
        f"{dead} dead letters (AWS/Lambda){failing}"
    )
    if warmer.stock_path_ticks:
        line += (
            f"\n  {warmer.stock_path_ticks:g} ticks took the stock request path: the runtime's botocore lacks "
            "an internal of the lean one, so each tick costs more CPU (the function's request_path_fallback "
            'log line says why; docs/operations.md, "The Lambda runtime")'
        )
    return line


def render(report: Report) -> str:
    now = dt.datetime.fromisoformat(report.checked_at)
    rows = [list(COLUMNS)] + [_row(d, report.metrics_available) for d in report.dimensions]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = [
        f"DynamoDB scale-in check, {now:%Y-%m-%d %H:%M} UTC, last {report.window_minutes} minutes, the current "
        "one last (█ a datapoint, · none)",
        _warmer_line(report, now),
        "",
    ]
    for number, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
        if number == 0:
            lines.append("  ".join("-" * width for width in widths))
    notes = [d for d in report.dimensions if d.verdict in ("BLOCKED", "FAILING", "UNKNOWN", "WARMING")]
    if notes:
        lines += ["", "why:"]
        lines += [f"  {d.table} {d.label}: {d.verdict}: {d.why}" for d in notes]
    counts = report.as_json()["verdicts"]
    lines += [
        "",
        ", ".join(f"{n} {verdict}" for verdict, n in counts.items() if n)
        + ("  (exit 1: something is BLOCKED or FAILING)" if report.blocked else ""),
    ]
    return "\n".join(lines)
