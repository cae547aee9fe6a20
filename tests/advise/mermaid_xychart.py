"""A strict reader of the Mermaid `xychart-beta` subset the advise charts use, after Mermaid's grammar
(https://mermaid.js.org/syntax/xyChart.html): a title, a category x-axis, a numeric y-axis range, then bar
and line series. Anything else, a series whose length is not the x-axis's, or a value outside the y range,
is an error: what GitHub would fail to draw, or draw wrong."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

FENCE = re.compile(r"```mermaid\n(.*?)\n```", re.DOTALL)
NUMBER = r"-?\d+(?:\.\d+)?"


class NotAChart(ValueError):
    pass


@dataclass
class XYChart:
    title: str
    x_labels: list[str]
    y_title: str
    y_range: tuple[float, float]
    bars: list[list[float]] = field(default_factory=list)
    lines: list[list[float]] = field(default_factory=list)


def blocks(markdown: str) -> list[str]:
    """The sources of the ```mermaid blocks of a Markdown text (the indentation of a list item removed)."""
    text = "\n".join(line.removeprefix("  ") for line in markdown.splitlines())
    return FENCE.findall(text)


def values(text: str, what: str) -> list[float]:
    if not re.fullmatch(rf"\[\s*{NUMBER}(?:\s*,\s*{NUMBER})*\s*\]", text):
        raise NotAChart(f"{what}: not a list of numbers: {text[:80]}")
    return [float(v) for v in json.loads(text)]


def parse(source: str) -> XYChart:
    lines = [line.strip() for line in source.strip().splitlines() if line.strip()]
    if not lines or lines[0] != "xychart-beta":
        raise NotAChart(f"the first line must be xychart-beta, not {lines[:1]}")
    chart = None
    title = x_labels = y_axis = None
    series: list[tuple[str, list[float]]] = []
    for line in lines[1:]:
        if m := re.fullmatch(r'title "([^"]*)"', line):
            title = m[1]
        elif m := re.fullmatch(r"x-axis (\[.*\])", line):
            labels = json.loads(m[1])
            if not labels or not all(isinstance(label, str) for label in labels):
                raise NotAChart(f"x-axis: a list of quoted labels, not {m[1][:80]}")
            x_labels = labels
        elif m := re.fullmatch(rf'y-axis "([^"]*)" ({NUMBER}) --> ({NUMBER})', line):
            y_axis = (m[1], float(m[2]), float(m[3]))
        elif m := re.fullmatch(r"(bar|line) (\[.*\])", line):
            series.append((m[1], values(m[2], m[1])))
        else:
            raise NotAChart(f"not xychart-beta: {line[:80]}")
    if title is None or x_labels is None or y_axis is None or not series:
        raise NotAChart("a chart needs a title, an x-axis, a y-axis and at least one series")
    chart = XYChart(title, x_labels, y_axis[0], (y_axis[1], y_axis[2]))
    low, high = chart.y_range
    for kind, points in series:
        if len(points) != len(x_labels):
            raise NotAChart(f"a {kind} of {len(points)} points on an x-axis of {len(x_labels)}")
        if any(not low <= v <= high for v in points):
            raise NotAChart(f"a {kind} leaves the y-axis range {low:g} --> {high:g}")
        (chart.bars if kind == "bar" else chart.lines).append(points)
    return chart
