"""A small project for "why is this user here" on charts grouped by the ``source`` of an event.

Events (UTC), with the session id and the ``source`` event property:

| user | time | event | session | source | groups |
| --- | --- | --- | --- | --- | --- |
| u1 | 03-01 10:00 | view | 1 | ads | account A and B |
| u1 | 03-01 11:00 | view | 1 | mail | |
| u1 | 03-01 12:00 | buy | 1 | | account A and B |
| u1 | 03-02 10:00 | buy | 2 | | |
| u2 | 03-02 09:00 | view | 3 | mail | |
| u3 | 03-01 13:00 | view | 4 | | |
| u3 | 03-01 13:30 | buy | 4 | | |
| u4 | 03-01 15:00 | view | 5 | ads | |
| u4 | 03-01 18:00 | view | 6 | ads | |

- Funnel view → buy, window 1 day, by source: u1's kept conversion starts at
  the 10:00 view (ads), so its 11:00 view from mail does not move u1. Steps:
  ads u1 u4 (u1 converts), mail u2 (drops off), (none) u3 (converts).
- Retention view then buy on a later day: u1's first view (ads) decides the
  cohort of 03-01 and segment ads, and the buy of 03-02 retains u1 on day 1.
- Sessions by day: session 1 (u1) starts with the ads view, so it is in ads
  with all three events. u4 has two sessions on 03-01, both in ads. u3's
  session 4 and u1's session 2 have no source on their first event.
"""

from __future__ import annotations

from pathlib import Path

from builders import build_project
from tui.analytics.definition import parse_chart
from tui.analytics.point import Point
from tui.store.project import Project
from why_common import DAILY_SESSIONS, VIEW_BUY_FUNNEL, VIEW_BUY_RETENTION

FUNNEL = dict(VIEW_BUY_FUNNEL, group_by="source")
RETENTION = dict(VIEW_BUY_RETENTION, group_by="source")
SESSIONS = dict(DAILY_SESSIONS, group_by="source")


def event(user: str, when: str, event_type: str, session: int, source: str | None = None, groups=None) -> dict:
    row = {"event_type": event_type, "event_time": f"2024-{when}:00Z", "user_id": user, "session_id": session}
    if source is not None:
        row["event_properties"] = {"source": source}
    if groups is not None:
        row["groups"] = groups
    return row


def source_events() -> list[dict]:
    both = {"account": ["A", "B"]}
    return [
        event("u1", "03-01T10:00", "view", 1, "ads", both),
        event("u1", "03-01T11:00", "view", 1, "mail"),
        event("u1", "03-01T12:00", "buy", 1, groups=both),
        event("u1", "03-02T10:00", "buy", 2),
        event("u2", "03-02T09:00", "view", 3, "mail"),
        event("u3", "03-01T13:00", "view", 4),
        event("u3", "03-01T13:30", "buy", 4),
        event("u4", "03-01T15:00", "view", 5, "ads"),
        event("u4", "03-01T18:00", "view", 6, "ads"),
    ]


def build_sources(tmp_path: Path) -> Project:
    """Build the project of this module's table in ``tmp_path`` and return it open."""
    return build_project(tmp_path, source_events())


def funnel_point(step: int, segment: str, dropped: bool = False, **keys) -> Point:
    return Point(parse_chart(dict(FUNNEL, **keys)), segment=segment, step=step, dropped=dropped)


def retention_point(period: int, segment: str, dropped: bool = False, **keys) -> Point:
    return Point(parse_chart(dict(RETENTION, **keys)), segment=segment, bucket=0, period=period, dropped=dropped)


def sessions_point(bucket: int, segment: str, **keys) -> Point:
    return Point(parse_chart(dict(SESSIONS, **keys)), segment=segment, bucket=bucket)
