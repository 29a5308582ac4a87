"""Charts and frame readers that the "why is this user here" analytics tests share.

``why_segments_data`` groups these charts by the ``source`` event property,
``why_groups_data`` by ``group:account``. The charts cover 2024-03-01 to
2024-03-02, the days of both projects' events.
"""

from __future__ import annotations

from tui.analytics.microscope import point_users

RANGE = {"from": "2024-03-01", "to": "2024-03-02"}
# Chart definitions without a group-by. Each data module adds the one it tests.
VIEW_BUY_FUNNEL = {"type": "funnel", "steps": [{"event": "view"}, {"event": "buy"}], "window": "1d", "range": RANGE}
VIEW_BUY_RETENTION = {
    "type": "retention",
    "start": {"event": "view"},
    "return": {"event": "buy"},
    "period": "day",
    "periods": 2,
    "interval": "day",
    "range": RANGE,
}
DAILY_SESSIONS = {"type": "sessions", "measure": "sessions", "interval": "day", "range": RANGE}


def listed(frame) -> list[tuple[str, str]]:
    """Return the frame's rows as (UTC time ``MM-DD HH:MM``, event type)."""
    return [(moment.strftime("%m-%d %H:%M"), kind) for moment, kind in zip(frame["event_time"], frame["event_type"])]


def deciding(frame) -> list[tuple[str, str, str | None]]:
    """Return ``segment_events``'s rows as (UTC time ``MM-DD HH:MM``, event type, segment value)."""
    values = [None if value is None else str(value) for value in frame["segment_value"]]
    return [(when, kind, value) for (when, kind), value in zip(listed(frame), values)]


def users_of(project, point) -> set[str]:
    return set(point_users(project.cursor(), point, project, limit=None)["user_id"])
