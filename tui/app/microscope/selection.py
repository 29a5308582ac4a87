"""The chart point under the cursor as the analytics ``Point`` the microscope takes, and its value on the chart."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from tui.analytics.microscope.actor_set import Target
from tui.analytics.point import Point
from tui.app.funnel_over_time import EntryBucketPart, FunnelOverTimePoints, analytics_point, chart_count
from tui.app.funnel_points import FunnelPart, FunnelPoints
from tui.app.retention_points import RetentionPart, RetentionPoints


def current_point(app) -> Point | None:
    """Return the point under the app's chart cursor, or None when the chart has no points.

    On a funnel it is the step's converted or dropped-off part under the
    cursor, and on a retention table the cell's retained or not-retained part.
    """
    points = app.points
    chosen = points.point() if points is not None else None
    if chosen is None or app.definition is None:
        return None
    if isinstance(chosen, FunnelPart):
        return Point(app.definition, step=chosen.step.step, dropped=chosen.dropped, segment=chosen.segment)
    if isinstance(chosen, EntryBucketPart):
        return analytics_point(chosen, app.definition)
    if isinstance(chosen, RetentionPart):
        cell = chosen.cell
        return Point(
            app.definition, segment=cell.segment, bucket=cell.bucket, period=cell.period, dropped=chosen.not_retained
        )
    # The chart's frame has a row for every bucket, so the cursor's index is the bucket's index.
    point = Point(app.definition, chosen.series, chosen.segment, points.bucket_index)
    # A sessions point reuses the chart's longest session: its queries then read only the nearby events.
    return replace(point, session_span_us=app.session_span_us) if app.definition.type == "sessions" else point


def chart_value(app, point: Point) -> float | None:
    """Return the value the app's chart shows for ``point``, or None when the app shows another chart now."""
    points = app.points
    if points is None or app.definition != point.definition:
        return None
    # A funnel's steps and its conversion over time share a definition, so the view must match the point.
    if isinstance(points, FunnelPoints):
        return None if point.over_time else _funnel_value(points, point)
    if isinstance(points, FunnelOverTimePoints):
        return chart_count(points, point) if point.over_time else None
    if isinstance(points, RetentionPoints):
        return _retention_value(points, point)
    for line in points.lines:
        if line.series == point.series and line.segment == point.segment and point.bucket < len(line.values):
            return line.values[point.bucket]
    return None


def _funnel_value(points: FunnelPoints, point: Point) -> float | None:
    """Return the count of ``point``'s part of its funnel step, in its segment: converted, or dropped off."""
    for step in points.steps_of(point.segment):
        if step.step == point.step:
            return float(FunnelPart(step, point.dropped, len(points.steps)).value)
    return None


def _retention_value(points: RetentionPoints, point: Point) -> float | None:
    """Return the count of ``point``'s part of its retention cell: retained, or not retained."""
    cell = points.cell(point.bucket, point.period or 0, point.segment)
    if cell is None:
        return None
    return float(cell.not_retained if point.dropped else cell.retained)


def target_zone(target: Target, settings: Any) -> str:
    """Return the time zone to show times of ``target`` in: its chart's zone, else the project's."""
    definition = getattr(target, "definition", None)
    if definition is not None and definition.timezone:
        return definition.timezone
    zone = settings.get("timezone") if isinstance(settings, dict) else getattr(settings, "timezone", None)
    return zone or "UTC"
