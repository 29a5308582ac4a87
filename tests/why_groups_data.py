"""A small project for "why is this user here" on charts grouped by group name or by cohorts, or counted by groups.

Events (UTC), with the session id and the accounts each event names:

| user | time | event | session | accounts |
| --- | --- | --- | --- | --- |
| v1 | 03-01 10:00 | view | 1 | A |
| v1 | 03-01 10:30 | view | 1 | B |
| v1 | 03-01 11:00 | buy | 1 | A and B |
| v1 | 03-02 10:00 | buy | 2 | B |
| v2 | 03-01 12:00 | view | 3 | B |
| v2 | 03-01 12:30 | buy | 3 | |
| v3 | 03-01 14:00 | view | 4 | |

Saved cohorts of users: "Buyers" = v1 and v2, "Early" = v1.

- Funnel view → buy, window 1 day, by ``group:account``: v1's kept
  conversion starts at the 10:00 view, which names A only, so v1 is in
  segment A and not in B, though the 10:30 view names B. v2 converts in B,
  v3 drops off in (none).
- Funnel counted by ``group:account``: group A converts with v1's 10:00 view
  and 11:00 buy, group B with v1's 10:30 view and the same buy. So v1's
  events count for A, for B, and for both.
- Event segmentation of views by ``group:account`` on 03-01: A = v1 (the
  10:00 view), B = v1 (the 10:30 view) and v2, (none) = v3.
- Sessions by ``group:account`` on 03-01: session 1 names A and B through
  its events, so v1 is in both segments with all three events.
- Retention view then buy on a later day by ``group:account``: v1's first
  view (A) puts v1 in the cohort of 03-01 and segment A, and the buy of
  03-02 retains v1 on day 1.
- Event segmentation of views by ``cohorts`` on 03-01: Buyers = v1 and v2,
  Early = v1, (none) = v3.
"""

from __future__ import annotations

from pathlib import Path

from builders import build_project
from tui.analytics.definition import parse_chart
from tui.analytics.point import Point
from tui.store.cohorts import save_cohort
from tui.store.project import Project
from why_common import DAILY_SESSIONS, RANGE, VIEW_BUY_FUNNEL, VIEW_BUY_RETENTION

ACCOUNT = "group:account"
FUNNEL = dict(VIEW_BUY_FUNNEL, group_by=ACCOUNT)
COUNTED_FUNNEL = dict(VIEW_BUY_FUNNEL, count_by=ACCOUNT)
SEGMENTATION = {"type": "segmentation", "events": [{"event": "view"}], "interval": "day", "range": RANGE,
                "group_by": ACCOUNT}
SESSIONS = dict(DAILY_SESSIONS, group_by=ACCOUNT)
RETENTION = dict(VIEW_BUY_RETENTION, group_by=ACCOUNT)
BY_COHORTS = dict(SEGMENTATION, group_by="cohorts")


def event(user: str, when: str, event_type: str, session: int, accounts: list[str]) -> dict:
    row = {"event_type": event_type, "event_time": f"2024-{when}:00Z", "user_id": user, "session_id": session}
    if accounts:
        row["groups"] = {"account": accounts}
    return row


def account_events() -> list[dict]:
    return [
        event("v1", "03-01T10:00", "view", 1, ["A"]),
        event("v1", "03-01T10:30", "view", 1, ["B"]),
        event("v1", "03-01T11:00", "buy", 1, ["A", "B"]),
        event("v1", "03-02T10:00", "buy", 2, ["B"]),
        event("v2", "03-01T12:00", "view", 3, ["B"]),
        event("v2", "03-01T12:30", "buy", 3, []),
        event("v3", "03-01T14:00", "view", 4, []),
    ]


def build_accounts(tmp_path: Path) -> Project:
    """Build the project of this module's table, with its two cohorts, in ``tmp_path`` and return it open."""
    project = build_project(tmp_path, account_events())
    ids = dict(project.con.execute("SELECT user_id, actor_id FROM users").fetchall())
    save_cohort(project, "Buyers", ("SELECT unnest(?)", [[ids["v1"], ids["v2"]]]), None)
    save_cohort(project, "Early", ("SELECT unnest(?)", [[ids["v1"]]]), None)
    return project


def funnel_point(step: int, segment: str | None, dropped: bool = False, chart: dict = FUNNEL) -> Point:
    return Point(parse_chart(chart), segment=segment, step=step, dropped=dropped)


def retention_point(period: int, segment: str) -> Point:
    return Point(parse_chart(RETENTION), segment=segment, bucket=0, period=period)


def bucket_point(chart: dict, bucket: int, segment: str) -> Point:
    """Return the point of an event segmentation or sessions ``chart`` in ``bucket`` and ``segment``."""
    return Point(parse_chart(chart), segment=segment, bucket=bucket)
