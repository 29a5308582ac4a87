"""The chart a project opens with when nothing is saved: unique users of its most frequent event."""

from __future__ import annotations

from datetime import date, timedelta

from tui.analytics import catalog
from tui.analytics.definition import ChartDefinition, parse_chart

DEFAULT_DAYS = 30


def days_ending(last_day: date, days: int) -> tuple[str, str]:
    """Return ``(from, to)`` ISO dates covering the ``days`` days that end on ``last_day``."""
    return (last_day - timedelta(days=days - 1)).isoformat(), last_day.isoformat()


def default_chart(cursor, last_day: date | None) -> ChartDefinition | None:
    """Return daily unique users of the most frequent event over the last 30 days of data.

    Returns None when the project has no events.
    """
    events = catalog.event_types(cursor)
    if events.empty or last_day is None:
        return None
    top_event = events.sort_values("events", ascending=False, kind="stable").iloc[0]["event_type"]
    start, end = days_ending(last_day, DEFAULT_DAYS)
    return parse_chart(
        {
            "type": "segmentation",
            "events": [{"event": top_event}],
            "measure": "uniques",
            "interval": "day",
            "range": {"from": start, "to": end},
        }
    )
