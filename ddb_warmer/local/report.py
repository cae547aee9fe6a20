"""Per table, per dimension: what the warmer sent over a run of ticks, as a terminal table."""

from __future__ import annotations

from collections import defaultdict

from lambda_function.dimensions import dimension_label

UNITS = {"read": "RCU", "write": "WCU"}


def dimension_rows(summaries: list[dict]) -> list[dict]:
    """One row per (table, index, dimension), plus one per skipped or failed table."""
    ticks = [s for s in summaries if "tables" in s]
    rows: dict[tuple, dict] = {}
    for summary in ticks:
        for table in summary["tables"]:
            if not table["dimensions"]:
                key = (table["table"], "")
                rows.setdefault(
                    key,
                    {
                        "table": table["table"],
                        "dimension": "-",
                        "request": "-",
                        "ticks": 0,
                        "consumed": 0.0,
                        "outcomes": defaultdict(int),
                    },
                )
                rows[key]["ticks"] += 1
                rows[key]["outcomes"][f"{table['status']}: {table['reason']}"] += 1
            for entry in table["dimensions"]:
                label = dimension_label(entry["index"], entry["dimension"])
                key = (table["table"], label)
                row = rows.setdefault(
                    key,
                    {
                        "table": table["table"],
                        "dimension": label,
                        "request": entry["operation"],
                        "ticks": 0,
                        "consumed": 0.0,
                        "unit": UNITS[entry["dimension"]],
                        "outcomes": defaultdict(int),
                    },
                )
                row["ticks"] += 1
                # None: DynamoDB reported no capacity (a failed condition); counted, never guessed.
                row["consumed"] += entry["consumed"] or 0.0
                row["not_reported"] = row.get("not_reported", 0) + (entry["consumed"] is None)
                outcome = entry["outcome"] if entry["outcome"] != "error" else f"error: {entry['error']}"
                row["outcomes"][outcome] += 1
    return [_finish(row, len(ticks)) for _, row in sorted(rows.items())]


def _finish(row: dict, tick_count: int) -> dict:
    outcomes = row.pop("outcomes")
    row["outcome"] = "; ".join(o if n == tick_count else f"{o} (x{n})" for o, n in outcomes.items())
    unit = row.pop("unit", "")
    not_reported = row.pop("not_reported", 0)
    row["consumed"] = f"{row['consumed']:g} {unit}".strip() if unit else "-"
    if not_reported:
        reported = row["ticks"] - not_reported
        row["consumed"] = f"{row['consumed']} (+{not_reported} not reported)" if reported else "not reported"
    row["ticks"] = f"{row['ticks']}/{tick_count}"
    return row


COLUMNS = (
    ("table", "table"),
    ("dimension", "dimension"),
    ("request", "request"),
    ("ticks", "ticks"),
    ("consumed", "consumed (all ticks)"),
    ("outcome", "outcome"),
)


def format_table(rows: list[dict]) -> str:
    if not rows:
        return "(no tables)"
    widths = {key: max(len(title), *(len(str(row[key])) for row in rows)) for key, title in COLUMNS}
    lines = [
        "  ".join(title.ljust(widths[key]) for key, title in COLUMNS).rstrip(),
        "  ".join("-" * widths[key] for key, _ in COLUMNS),
    ]
    lines += ["  ".join(str(row[key]).ljust(widths[key]) for key, _ in COLUMNS).rstrip() for row in rows]
    return "\n".join(lines)
