"""Helpers for the microscope tests: chart definitions, points and event times."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from tui.analytics.definition import parse_chart
from tui.analytics.point import Point


def chart_json(event: str = "Buy", first: str = "2024-03-01", last: str = "2024-03-05", **keys) -> dict:
    """Return a daily uniques chart of ``event`` from ``first`` to ``last``; ``keys`` add or replace keys."""
    obj = {
        "type": "segmentation",
        "events": [{"event": event}],
        "measure": "uniques",
        "interval": "day",
        "range": {"from": first, "to": last},
    }
    obj.update(keys)
    return obj


def day_point(obj: dict, bucket: int, series: int = 0, segment: str | None = None) -> Point:
    """Return the Point of bucket ``bucket`` of the chart ``obj``."""
    return Point(parse_chart(obj), series, segment, bucket)


def minutes_after(start: str, minutes: float) -> str:
    """Return the UTC ISO time ``minutes`` after the UTC time ``start`` (``YYYY-MM-DDTHH:MM``)."""
    moment = datetime.fromisoformat(start).replace(tzinfo=timezone.utc) + timedelta(minutes=minutes)
    return moment.isoformat()


def write_chart(tmp_path, obj: dict, name: str = "chart.json"):
    """Write ``obj`` as a chart file in ``tmp_path`` and return its path."""
    path = tmp_path / name
    path.write_text(json.dumps(obj), encoding="utf-8")
    return path
