"""The chart point under the cursor as the analytics ``Point`` the microscope takes, and its value on the chart."""

from __future__ import annotations

from typing import Any

from tui.analytics.microscope.actor_set import Target
from tui.analytics.point import Point


def current_point(app) -> Point | None:
    """Return the point under the app's chart cursor, or None when the chart has no points."""
    points = app.points
    chosen = points.point() if points is not None else None
    if chosen is None or app.definition is None:
        return None
    # The chart's frame has a row for every bucket, so the cursor's index is the bucket's index.
    return Point(app.definition, chosen.series, chosen.segment, points.bucket_index)


def chart_value(app, point: Point) -> float | None:
    """Return the value the app's chart shows for ``point``, or None when the app shows another chart now."""
    points = app.points
    if points is None or app.definition != point.definition:
        return None
    for line in points.lines:
        if line.series == point.series and line.segment == point.segment and point.bucket < len(line.values):
            return line.values[point.bucket]
    return None


def target_zone(target: Target, settings: Any) -> str:
    """Return the time zone to show times of ``target`` in: its chart's zone, else the project's."""
    definition = getattr(target, "definition", None)
    if definition is not None and definition.timezone:
        return definition.timezone
    zone = settings.get("timezone") if isinstance(settings, dict) else getattr(settings, "timezone", None)
    return zone or "UTC"
