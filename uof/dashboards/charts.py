"""Geometry for server-rendered SVG bar charts that stay readable from a 320 px phone to a desktop.

Bars are horizontal (a phone has width to spare for a bar's length, not for many columns). Horizontal positions
are percentages of the chart's width and vertical ones are pixels, so one SVG fits any screen without scaling
its text up or down. Two layouts:

- ``STACKED`` puts each label on its own line above its bar, for long labels (tactics, names, statuses);
- ``INLINE`` puts short labels in a column to the left of the bars, for many rows (weeks).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

STACKED = "stacked"
INLINE = "inline"

# Where bars start and how far the longest may reach, in percent of the width.
BAR_START = {STACKED: 0.0, INLINE: 24.0}
BAR_SPAN = {STACKED: 96.0, INLINE: 72.0}
# A bar reaching this far (percent of the width) carries its value inside its end; a shorter one, after it,
# where at least half the width is left for the text.
VALUE_INSIDE_FROM = 50.0
# Pixels: labels start clear of the axis in the stacked layout.
LABEL_X = {STACKED: 6, INLINE: 0}
ROW_HEIGHT = {STACKED: 46, INLINE: 26}
BAR_HEIGHT = 20
# Characters of label that fit beside or above a bar at 320 px with the chart's 14 px text.
LABEL_LIMIT = {STACKED: 36, INLINE: 8}
PADDING = 8
FLAG_LINE = 18
ELLIPSIS = "…"


@dataclass(frozen=True)
class Row:
    label: str
    value: float
    # What is printed by the bar; the value itself when empty.
    value_text: str = ""
    # Words that mark the row out (never colour alone), each on a line of its own and never cut short.
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Line:
    text: str
    y: int


@dataclass(frozen=True)
class Bar:
    label: Line
    # Between the label and the bar.
    flags: tuple[Line, ...]
    value_text: str
    x: str
    y: int
    width: str
    height: int
    value_x: str
    value_y: int
    value_inside: bool


@dataclass(frozen=True)
class Marker:
    """A reference value (a median, a percentile, a threshold), marked across each bar and named in a key."""

    name: str
    value: float
    x: str


@dataclass(frozen=True)
class BarChart:
    layout: str
    label_x: int
    bars: tuple[Bar, ...]
    markers: tuple[Marker, ...]
    height: int
    baseline_x: str
    top: int
    bottom: int


def percent(value: float) -> str:
    """An SVG length in percent, short and stable: 37.5%, 0%, 78%."""
    return f"{round(value, 2):g}%"


def fit(label: str, limit: int) -> str:
    """The label cut to ``limit`` characters, ending in an ellipsis when cut."""
    if limit < 1:
        return ""
    return label if len(label) <= limit else label[: limit - 1].rstrip() + ELLIPSIS


def number(value: float) -> str:
    """A count as a whole number, anything else to one decimal place: 3, 4.6."""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def scale_max(values: Sequence[float]) -> float:
    """The value a full-length bar stands for: the largest given, or 1 when there is nothing to draw."""
    return max([value for value in values if value > 0], default=1.0)


def bar_chart(
    rows: Sequence[Row],
    *,
    layout: str = STACKED,
    markers: Sequence[tuple[str, float]] = (),
    full: float | None = None,
) -> BarChart:
    """Lay out one bar per row, with optional reference values.

    A full-length bar stands for ``full`` (100 for percentages), else for the largest value or marker.
    """
    if layout not in BAR_START:
        raise ValueError(f"unknown layout {layout!r}")
    values = [row.value for row in rows] + [value for _, value in markers]
    if any(value < 0 for value in values):
        raise ValueError("bars cannot be negative")
    if full is not None and (full <= 0 or any(value > full for value in values)):
        raise ValueError("a full-length bar must stand for at least the largest value")
    if layout == INLINE and any(row.flags for row in rows):
        raise ValueError("only the stacked layout has room for flags")
    start, span, limit = BAR_START[layout], BAR_SPAN[layout], LABEL_LIMIT[layout]
    largest = full or scale_max(values)

    def x_of(value: float) -> float:
        return start + span * value / largest

    bars = []
    y = PADDING
    for row in rows:
        if layout == STACKED:
            label = Line(fit(row.label, limit), y + 14)
            flags = tuple(Line(flag, label.y + FLAG_LINE * (index + 1)) for index, flag in enumerate(row.flags))
            bar_y = y + 20 + FLAG_LINE * len(flags)
        else:
            label, flags, bar_y = Line(fit(row.label, limit), y + 18), (), y + 3
        end = x_of(row.value)
        bars.append(Bar(
            label=label, flags=flags, value_text=row.value_text or number(row.value),
            x=percent(start), y=bar_y, width=percent(end - start), height=BAR_HEIGHT,
            value_x=percent(end), value_y=bar_y + BAR_HEIGHT - 5, value_inside=end >= VALUE_INSIDE_FROM,
        ))
        y += ROW_HEIGHT[layout] + FLAG_LINE * len(flags)
    return BarChart(
        layout=layout,
        label_x=LABEL_X[layout],
        bars=tuple(bars),
        markers=tuple(Marker(name, value, percent(x_of(value))) for name, value in markers),
        height=y + PADDING,
        baseline_x=percent(start),
        top=PADDING,
        bottom=y,
    )
