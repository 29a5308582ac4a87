"""Text for the screen: data made printable, values with their unit, buckets with their zone."""

from __future__ import annotations

import math
from datetime import datetime

from rich.cells import cell_len

from tui.text import printable

SEPARATOR = " · "
# Ends the axis label of a bucket that the chart's range cuts or that has not ended yet.
PARTIAL_MARK = "*"
PARTIAL_NOTE = "(partial)"


def shorten(text: str, cells: int) -> str:
    """Return ``text`` cut to at most ``cells`` terminal cells, ending in ``…`` when cut."""
    if cell_len(text) <= cells:
        return text
    if cells <= 1:
        return "…"[:cells]
    kept = []
    width = 0
    for character in text:
        width += cell_len(character)
        if width > cells - 1:
            break
        kept.append(character)
    return "".join(kept) + "…"


def format_number(value: float) -> str:
    """Return ``value`` with thousands separators, and two decimals unless it is whole."""
    if value is None or math.isnan(value):
        return "no value"
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def quantity_text(count: float, noun: str, singular: str | None = None) -> str:
    """Return ``count`` with the plural ``noun``, or ``singular`` for exactly 1: ``1 user``, ``1,234 users``.

    ``singular`` defaults to ``noun`` without its final ``s``.
    """
    if count == 1:
        return f"{format_number(count)} {singular or noun.removesuffix('s')}"
    return f"{format_number(count)} {noun}"


def format_value(value: float, measure: str, unit: str = "users") -> str:
    """Return ``value`` with the unit of ``measure``, e.g. ``1,234 users``.

    ``unit`` is what the chart counts: ``users``, or ``groups`` when it counts by a group type.
    """
    number = format_number(value)
    if measure == "uniques":
        return quantity_text(value, unit)
    if measure == "totals":
        return quantity_text(value, "events")
    if measure == "average":
        return f"{number} events per {unit.removesuffix('s')}"
    if measure == "pct_active":
        return f"{number}% of active {unit}"
    kind, _, prop = measure.partition(":")
    if kind == "sum":
        return f"{number} (sum of {printable(prop)})"
    if kind == "avg":
        return f"{number} (average {printable(prop)})"
    return number


def format_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def format_bucket(start: datetime, end: datetime, zone: str) -> str:
    """Return a bucket as ``[start, end) zone``, the way every screen names a data point."""
    return f"[{format_time(start)}, {format_time(end)}) {zone}"


def tick_label(moment: datetime, interval: str, partial: bool = False) -> str:
    """Return a short axis label for a bucket start at ``interval``, ending in ``PARTIAL_MARK`` for a partial bucket."""
    mark = PARTIAL_MARK if partial else ""
    if interval == "hour":
        return moment.strftime("%m-%d %H:%M") + mark
    if interval == "month":
        return moment.strftime("%Y-%m") + mark
    return moment.strftime("%m-%d") + mark


def compact_number(value: float) -> str:
    """Return ``value`` in at most about six characters for an axis: ``950``, ``12.5k``, ``3.1M``."""
    magnitude = abs(value)
    for limit, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if magnitude >= limit:
            return f"{value / limit:.3g}{suffix}"
    if float(value).is_integer():
        return f"{value:.0f}"
    return f"{value:.3g}"
