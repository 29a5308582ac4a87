"""Zoom in, filter to a series and exclude a series: new chart definitions made from a data point.

Each change returns a new ``ChartDefinition``, or raises ChartChangeError
with the reason it does not apply, which the microscope menu shows beside
the disabled action. A *line* is a series, or one segment of it when the
chart is grouped. Filtering to a segment adds a ``where`` item on the
group-by property to that series, and excluding one adds ``!=`` (``not in``
once several are excluded), so the other series keep their events.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tui.analytics.definition import ChartDefinition, parse_chart
from tui.analytics.point import Point
from tui.analytics.segmentation import chart_buckets
from tui.analytics.segmentation_sql import SEGMENT_NONE, SEGMENT_OTHER

FINER_INTERVAL = {"month": "week", "week": "day", "day": "hour"}
TIME_CHART_TYPES = ("segmentation", "sessions")
SERIES_CHART_TYPES = ("segmentation",)


class ChartChangeError(ValueError):
    """A chart change does not apply to the point; the message gives the reason."""


def zoomed(point: Point, settings: Any) -> ChartDefinition:
    """Return the chart of ``point``'s bucket alone at the next finer interval (month, week, day, hour)."""
    definition = point.definition
    if definition.type not in TIME_CHART_TYPES:
        raise ChartChangeError(f"Zoom in: only time charts zoom, and this is a {definition.type} chart.")
    finer = FINER_INTERVAL.get(definition.interval)
    if finer is None:
        raise ChartChangeError("Zoom in: hourly is the finest interval, so an hourly chart cannot zoom in further.")

    # Bucket ends are midnights, so the bucket's last day is the day before its end.
    buckets = chart_buckets(definition, settings)
    first_day = buckets.start(point.bucket).date()
    last_day = (buckets.end(point.bucket) - timedelta(microseconds=1)).date()
    chart = definition.to_json()
    chart["interval"] = finer
    chart["range"] = {"from": first_day.isoformat(), "to": last_day.isoformat()}
    return parse_chart(chart)


def filtered_to_line(point: Point, segments: list[str | None]) -> ChartDefinition:
    """Return the chart with only the line of ``point``.

    ``segments`` are the segments of the point's series on the chart, which
    a filter to ``(other)`` leaves out by name.
    """
    definition = point.definition
    _check_several_lines(definition, segments, "Filter to series", "keep")
    chart = definition.to_json()
    spec = chart["events"][point.series]
    if point.segment is not None:
        spec["where"] = spec.get("where", []) + _segment_filters(definition.group_by, point.segment, segments)
    chart["events"] = [spec]
    return parse_chart(chart)


def excluded_line(point: Point, segments: list[str | None]) -> ChartDefinition:
    """Return the chart without the line of ``point``; ``segments`` are those of the point's series on the chart."""
    definition = point.definition
    _check_several_lines(definition, segments, "Exclude series", "drop")
    chart = definition.to_json()
    if point.segment is None or len(segments) == 1:
        # The series' only line goes, so the series goes.
        del chart["events"][point.series]
        return parse_chart(chart)

    spec = chart["events"][point.series]
    spec["where"] = _excluding(spec.get("where", []), definition.group_by, point.segment, segments)
    return parse_chart(chart)


def _check_several_lines(definition: ChartDefinition, segments: list, action: str, verb: str) -> None:
    if definition.type not in SERIES_CHART_TYPES:
        raise ChartChangeError(f"{action}: only event segmentation charts have series, not {definition.type} charts.")
    if len(definition.events) == 1 and len(segments) <= 1:
        raise ChartChangeError(f"{action}: the chart shows only this line, so there is nothing to {verb}.")


def _segment_filters(property_name: str, segment: str, segments: list) -> list[dict]:
    """Return the ``where`` items that keep exactly the events of ``segment``."""
    if segment == SEGMENT_NONE:
        return [{"property": property_name, "op": "not set"}]
    if segment == SEGMENT_OTHER:
        return [
            {"property": property_name, "op": "set"},
            {"property": property_name, "op": "not in", "value": _top_values(segments)},
        ]
    return [{"property": property_name, "op": "=", "value": segment}]


def _excluding(where: list[dict], property_name: str, segment: str, segments: list) -> list[dict]:
    """Return ``where`` with an item added (or widened) that drops the events of ``segment``."""
    if segment == SEGMENT_NONE:
        return where + [{"property": property_name, "op": "set"}]
    if segment == SEGMENT_OTHER:
        if SEGMENT_NONE in segments:
            raise ChartChangeError(
                f"Exclude series: a filter cannot drop {SEGMENT_OTHER} and keep {SEGMENT_NONE} too. "
                f"Filter to the segments to keep instead."
            )
        return where + [{"property": property_name, "op": "in", "value": _top_values(segments)}]

    for item in where:
        # A second exclusion on the same property widens the first one.
        if item["property"] == property_name and item["op"] == "!=":
            item.update(op="not in", value=[item["value"], segment])
            return where
        if item["property"] == property_name and item["op"] == "not in":
            item["value"] = item["value"] + [segment]
            return where
    return where + [{"property": property_name, "op": "!=", "value": segment}]


def _top_values(segments: list) -> list[str]:
    return [segment for segment in segments if segment not in (SEGMENT_OTHER, SEGMENT_NONE, None)]

