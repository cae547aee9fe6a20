"""A chart per table for `ddb-warmer advise --charts DIR`: consumed vs provisioned vs the simulated floors.

Drawn with matplotlib, an optional dependency of the installed command
(`pip install 'ddb-warmer[charts]'`); the rest of `advise` works without it.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from ddb_warmer.ops.advise import Advice, TableAdvice
from ddb_warmer.ops.aws import CouldNotCheck

FORMATS = ("png", "svg")
STYLES = {  # series -> (label, line style)
    "consumed": ("consumed (units/s)", {"color": "tab:blue", "linewidth": 0.8}),
    "today": ("provisioned today", {"color": "black", "linewidth": 1.2}),
    "warmed": ("warmed (simulated)", {"color": "tab:green", "linewidth": 1.0, "linestyle": "--"}),
    "lower floor": ("lower floor (simulated)", {"color": "tab:orange", "linewidth": 1.0, "linestyle": ":"}),
}


def pyplot():
    try:
        import matplotlib

        matplotlib.use("Agg")  # files only: no display needed
        from matplotlib import pyplot as plt
    except ImportError:
        raise CouldNotCheck("--charts needs matplotlib: pip install 'ddb-warmer[charts]' (or drop --charts)") from None
    return plt


def file_name(table: str, extension: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", table) + f".{extension}"


def draw_table(table: TableAdvice, start: dt.datetime, path: Path, note: str = "") -> Path:
    plt = pyplot()
    rows = len(table.dimensions)
    figure, axes = plt.subplots(rows, 1, figsize=(11, 2.4 * rows), sharex=True, squeeze=False)
    for axis, dimension in zip(axes[:, 0], table.dimensions, strict=True):
        minutes = len(dimension.series["consumed"])
        times = [start + dt.timedelta(minutes=m) for m in range(minutes)]
        for name, (label, style) in STYLES.items():
            if name in dimension.series:
                axis.step(times, dimension.series[name], where="post", label=label, **style)
        axis.set_title(f"{table.table}: {dimension.label}", fontsize=9, loc="left")
        axis.set_ylabel("capacity units/s", fontsize=8)
        axis.set_ylim(bottom=0)
        axis.legend(fontsize=7, loc="upper right")
    figure.suptitle(f"{table.table}: recommended {table.recommendation}{note}", fontsize=10)
    figure.autofmt_xdate()
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return path


def draw_charts(advice: Advice, folder: Path, extension: str = "png", note: str = "") -> dict[str, str]:
    """{table: path of its chart}, one file per table in `folder`; `note` ends each title."""
    if extension not in FORMATS:
        raise ValueError(f"chart format {extension!r}: use one of {', '.join(FORMATS)}")
    folder.mkdir(parents=True, exist_ok=True)
    start = dt.datetime.fromisoformat(advice.start)
    return {t.table: str(draw_table(t, start, folder / file_name(t.table, extension), note)) for t in advice.tables}
