"""Zoom in, filter to a series and exclude a series: new chart definitions made from a data point.

Each change returns a new ``ChartDefinition``, or raises ChartChangeError
with the reason it does not apply, which the microscope menu shows beside
the disabled action. A *line* is a series, or one segment of it when the
chart is grouped.

On an event segmentation chart grouped by a property, filtering to a segment
adds a ``where`` item on that property to that series, and excluding one adds
``!=`` (``not in`` once several are excluded), so the other series keep their
events. Every other grouped chart (by a group type or cohorts, and every
sessions, funnel and retention chart) writes the ``segments`` key instead,
which hides lines without changing which events form a session, a conversion
or a cohort. Its labels name segments, and on a sessions chart with the
measure ``length`` also length buckets (see ``segment_filter``).
NOTE: the key names a segment across all series, so excluding a segment of
one series of a segmentation chart with several events hides it in each.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pandas as pd

from tui.analytics.definition import GROUP_BY_COHORTS, GROUP_PREFIX, ChartDefinition, parse_chart
from tui.analytics.point import Point
from tui.analytics.segment_filter import keep_segments, names_series
from tui.analytics.segmentation import chart_buckets
from tui.analytics.segmentation_sql import SEGMENT_NONE, SEGMENT_OTHER
from tui.analytics.sessions import series_names

FINER_INTERVAL = {"month": "week", "week": "day", "day": "hour"}
TIME_CHART_TYPES = ("segmentation", "sessions")


class ChartChangeError(ValueError):
    """A chart change does not apply to the point; the message gives the reason."""


def zoomed(point: Point, settings: Any) -> ChartDefinition:
    """Return the chart of ``point``'s bucket alone at the next finer interval (month, week, day, hour).

    A funnel's conversion over time zooms too: the zoomed funnel's range is
    the entry bucket, so it counts the conversions that started there.
    """
    definition = point.definition
    if definition.type == "funnel" and not point.over_time:
        raise ChartChangeError(
            "Zoom in: a funnel's steps have no time axis. Its conversion over time (T on the chart) zooms in."
        )
    if definition.type not in TIME_CHART_TYPES and not point.over_time:
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
    if not _filters_by_where(definition):
        return _kept_by_label(point, segments)
    _check_several_lines(definition, segments, "Filter to series", "keep")
    chart = definition.to_json()
    # The `where` item now picks the line, and a `segments` key could only hide it.
    chart.pop("segments", None)
    spec = chart["events"][point.series]
    if point.segment is not None:
        spec["where"] = spec.get("where", []) + _segment_filters(definition.group_by, point.segment, segments)
    chart["events"] = [spec]
    return parse_chart(chart)


def excluded_line(point: Point, segments: list[str | None]) -> ChartDefinition:
    """Return the chart without the line of ``point``; ``segments`` are those of the point's series on the chart."""
    definition = point.definition
    if not _filters_by_where(definition):
        return _dropped_by_label(point, segments)
    _check_several_lines(definition, segments, "Exclude series", "drop")
    chart = definition.to_json()
    if point.segment is None or len(segments) == 1:
        # The series' only line goes, so the series goes.
        del chart["events"][point.series]
        return parse_chart(chart)

    spec = chart["events"][point.series]
    spec["where"] = _excluding(spec.get("where", []), definition.group_by, point.segment, segments)
    return parse_chart(chart)


def _filters_by_where(definition: ChartDefinition) -> bool:
    """Tell whether a ``where`` item keeps or drops the chart's lines: event segmentation not grouped by name."""
    group_by = definition.group_by or ""
    return definition.type == "segmentation" and group_by != GROUP_BY_COHORTS and not group_by.startswith(GROUP_PREFIX)


def _check_several_lines(definition: ChartDefinition, segments: list, action: str, verb: str) -> None:
    if _line_count(definition, segments) <= 1:
        raise ChartChangeError(f"{action}: the chart shows only this line, so there is nothing to {verb}.")


def _line_count(definition: ChartDefinition, segments: list) -> int:
    """Return about how many lines the chart shows: each series with the point's series' ``segments``.

    A sessions chart's length buckets that the ``segments`` key hides do not count.
    """
    if definition.type == "segmentation":
        return len(definition.events) * max(len(segments), 1)
    if definition.type != "sessions":
        return max(len(segments), 1)
    pairs = [(name, segment) for name in series_names(definition) for segment in segments or [None]]
    return len(keep_segments(pd.DataFrame(pairs, columns=["series_name", "segment"]), definition))


def _kept_by_label(point: Point, segments: list) -> ChartDefinition:
    """Return the chart keeping only ``point``'s line by the ``segments`` key (and its event alone, on segmentation)."""
    definition = point.definition
    labels = _line_labels(point, segments, "Filter to series", "keep")
    chart = definition.to_json()
    if definition.type == "segmentation":
        chart["events"] = [chart["events"][point.series]]
    chart["segments"] = {"keep": labels}
    return parse_chart(chart)


def _dropped_by_label(point: Point, segments: list) -> ChartDefinition:
    """Return the chart hiding ``point``'s line by the ``segments`` key: added to a drop, taken from a keep."""
    definition = point.definition
    labels = _line_labels(point, segments, "Exclude series", "drop")
    chart = definition.to_json()
    if definition.type == "segmentation" and len(segments) == 1:
        # The series' only line goes, so the series goes.
        del chart["events"][point.series]
        return parse_chart(chart)
    current = definition.segments
    if current is None:
        chart["segments"] = {"drop": labels}
        return parse_chart(chart)
    if len(labels) > 1 or _label_kinds(definition, current.labels) != _label_kinds(definition, labels):
        raise ChartChangeError(
            "Exclude series: the chart already keeps or drops lines of another kind (length buckets or segments), "
            "and one key cannot say both. Clear the segments key in the builder (b) first."
        )
    if current.mode == "drop":
        chart["segments"] = {"drop": list(current.labels) + labels}
        return parse_chart(chart)
    kept = [label for label in current.labels if label not in labels]
    if not kept:
        raise ChartChangeError("Exclude series: the chart shows only this line, so there is nothing to drop.")
    chart["segments"] = {"keep": kept}
    return parse_chart(chart)


def _line_labels(point: Point, segments: list, action: str, verb: str) -> list[str]:
    """Return the ``segments`` labels naming ``point``'s line: its length bucket and its segment, as they apply."""
    definition = point.definition
    if definition.group_by is None and not names_series(definition):
        raise ChartChangeError(f"{action}: {_one_line_reason(point)}.")
    if segments or definition.type in TIME_CHART_TYPES:
        # Funnel and retention points may not list their segments; the key is then written unchecked.
        _check_several_lines(definition, segments, action, verb)
    labels = []
    if names_series(definition):
        labels.append(series_names(definition)[point.series])
    if point.segment is not None:
        labels.append(point.segment)
    if not labels:
        raise ChartChangeError(f"{action}: this point has no segment, so its line cannot be named.")
    return labels


def _one_line_reason(point: Point) -> str:
    """Return why a chart without a group-by has nothing to keep or drop, in the words of what it draws."""
    # The builder's words (Group by), and short, because the microscope menu shows it on one line.
    chart_type = point.definition.type
    if chart_type == "funnel" and not point.over_time:
        return "no Group by, so each step has one bar"
    if chart_type == "retention":
        return "no Group by, so there is one table"
    return "no Group by, so there is one line"


def _label_kinds(definition: ChartDefinition, labels) -> set[str]:
    """Return which kinds of line ``labels`` name: ``series`` (length buckets) and ``segment``."""
    names = set(series_names(definition)) if names_series(definition) else set()
    return {"series" if label in names else "segment" for label in labels}


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

