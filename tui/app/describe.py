"""One-line descriptions of a chart, a data point and a filter, as plain printable strings.

Callers wrap them in ``rich.text.Text``, which never parses markup, so an
event called ``[b]x[/b]`` shows exactly like that.
"""

from __future__ import annotations

from tui.analytics.definition import ChartDefinition
from tui.app.chart_points import Point
from tui.app.formatting import SEPARATOR, format_bucket, format_value
from tui.text import printable

MEASURE_NAMES = {
    "uniques": "Unique users",
    "totals": "Event totals",
    "average": "Average per user",
    "pct_active": "% of active users",
}
INTERVAL_NAMES = {"hour": "Hourly", "day": "Daily", "week": "Weekly", "month": "Monthly"}
NO_VALUE_OPERATORS = ("set", "not set")


def measure_name(measure: str) -> str:
    """Return the measure's display name, such as ``Unique users`` or ``Sum of price``."""
    if measure in MEASURE_NAMES:
        return MEASURE_NAMES[measure]
    kind, _, prop = measure.partition(":")
    if kind == "sum":
        return f"Sum of {printable(prop)}"
    if kind == "avg":
        return f"Average of {printable(prop)}"
    return printable(measure)


def event_name(event: str) -> str:
    return "Any event" if event == "*" else printable(event)


def series_name(spec) -> str:
    """Return an event of the chart with its filters: ``Purchase where plan = pro``."""
    filters = " and ".join(describe_filter(item.to_json()) for item in spec.where)
    return f"{event_name(spec.event)} where {filters}" if filters else event_name(spec.event)


def describe_chart(definition: ChartDefinition, name: str | None) -> str:
    """Return the chart's title line: its name (if saved), measure, interval, range, group-by."""
    parts = [printable(name)] if name else []
    parts.append(", ".join(series_name(spec) for spec in definition.events) or "No events")
    if definition.where:
        parts.append("where " + " and ".join(describe_filter(item.to_json()) for item in definition.where))
    parts.append(measure_name(definition.measure))
    parts.append(INTERVAL_NAMES.get(definition.interval, definition.interval))
    parts.append(f"{definition.range.start} … {definition.range.end}")
    if definition.group_by:
        parts.append(f"by {printable(definition.group_by)}")
    return SEPARATOR.join(parts)


def series_label(definition: ChartDefinition, series: int, series_name: str) -> str:
    """Return the event series ``series`` counts, as the chart defines it, else ``series_name``."""
    if series < len(definition.events):
        return event_name(definition.events[series].event)
    return printable(series_name)


def line_name(definition: ChartDefinition, series: int, series_name: str, segment: str | None) -> str:
    """Return ``series · segment``, or the series alone when the chart has no group-by."""
    label = series_label(definition, series, series_name)
    return label if segment is None else f"{label}{SEPARATOR}{printable(segment)}"


def describe_point(point: Point, definition: ChartDefinition, zone: str) -> str:
    """Return the readout of a point: series, segment, bucket ``[start, end)`` with zone, value."""
    return SEPARATOR.join(
        (
            line_name(definition, point.series, point.series_name, point.segment),
            format_bucket(point.bucket_start, point.bucket_end, zone),
            format_value(point.value, definition.measure),
        )
    )


def describe_filter(item: dict) -> str:
    """Return a ``where`` item as ``property op value``, e.g. ``platform = iOS``."""
    prop = printable(item.get("property", ""))
    op = item.get("op", "")
    if op in NO_VALUE_OPERATORS:
        return f"{prop} is {op}"
    value = item.get("value")
    if isinstance(value, list):
        values = ", ".join(printable(part) for part in value)
        return f"{prop} {op} ({values})"
    return f"{prop} {op} {printable(value)}"
