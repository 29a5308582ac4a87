"""Conversion drivers of a point of a funnel's conversion over time: the actors who entered in one bucket.

The funnel is view → buy, window 1 day, daily buckets from 2024-03-01 to
2024-03-02 (UTC). Each actor, by the day of their view:

- March 1: a1 views at 10:00, asks for help, buys (converted); a2 views at
  12:00 and asks for help (dropped); a6 views at 23:30 and does nothing else
  (dropped).
- March 2: a3 views at 09:00, chats, buys (converted); a4 views at 11:00,
  asks for help and chats (dropped); a5 views at 13:00 (dropped).

Whole range: 6 actors, 2 converted; help 1 converted and 2 dropped, chat 1 and 1.
March 1: 3 actors, 1 converted; help 1 and 1; nobody chats.
March 2: 3 actors, 1 converted; help 0 and 1; chat 1 and 1.
"""

from __future__ import annotations

import pytest

from builders import build_project
from tui.analytics.definition import DefinitionError, parse_chart
from tui.analytics.drivers import drivers, point_driver_events_sql, point_drivers
from tui.analytics.funnel import funnel_over_time
from tui.analytics.point import Point, point_actor_count

FUNNEL = {
    "type": "funnel",
    "steps": [{"event": "view"}, {"event": "buy"}],
    "window": "1d",
    "interval": "day",
    "range": {"from": "2024-03-01", "to": "2024-03-02"},
}


def event(event_type: str, when: str, user: str) -> dict:
    return {"event_type": event_type, "event_time": when, "user_id": user}


ENTRY_EVENTS = [
    event("view", "2024-03-01T10:00:00Z", "a1"),
    event("help", "2024-03-01T10:10:00Z", "a1"),
    event("buy", "2024-03-01T11:00:00Z", "a1"),
    event("view", "2024-03-01T12:00:00Z", "a2"),
    event("help", "2024-03-01T12:30:00Z", "a2"),
    event("view", "2024-03-01T23:30:00Z", "a6"),
    event("view", "2024-03-02T09:00:00Z", "a3"),
    event("chat", "2024-03-02T09:30:00Z", "a3"),
    event("buy", "2024-03-02T10:00:00Z", "a3"),
    event("view", "2024-03-02T11:00:00Z", "a4"),
    event("help", "2024-03-02T11:30:00Z", "a4"),
    event("chat", "2024-03-02T11:40:00Z", "a4"),
    event("view", "2024-03-02T13:00:00Z", "a5"),
]


@pytest.fixture
def project(tmp_path):
    project = build_project(tmp_path, ENTRY_EVENTS)
    yield project
    project.close()


def entry_point(obj: dict, bucket: int, dropped: bool = False) -> Point:
    return Point(parse_chart(obj), step=2, dropped=dropped, bucket=bucket, over_time=True)


def counts(result, event_type: str) -> tuple[int, int]:
    found = result.frame[result.frame["event"] == event_type]
    assert len(found) == 1, result.frame["event"].tolist()
    return int(found.iloc[0]["converted_users"]), int(found.iloc[0]["dropped_users"])


def listed_users(project, point: Point, event_type: str, part: str) -> list[str]:
    sql, params = point_driver_events_sql(point, project, event_type, part=part)
    rows = project.cursor().execute(f"SELECT DISTINCT user_id FROM ({sql}) ORDER BY 1", params).fetchall()
    return [user for (user,) in rows]


def test_totals_equal_point_counts(project):
    over_time = funnel_over_time(project.cursor(), parse_chart(FUNNEL), project)
    last_step = over_time[over_time["step"] == 2].reset_index(drop=True)

    for bucket in (0, 1):
        result = point_drivers(project.cursor(), entry_point(FUNNEL, bucket), project)
        converted = point_actor_count(project.cursor(), entry_point(FUNNEL, bucket), project)
        dropped = point_actor_count(project.cursor(), entry_point(FUNNEL, bucket, dropped=True), project)
        assert (result.converted, result.dropped) == (converted, dropped), bucket
        assert (result.converted, result.dropped) == (last_step["converted"][bucket], last_step["dropped"][bucket])
        assert result.population == converted + dropped


def test_entry_bucket_counts(project):
    whole = drivers(project.cursor(), parse_chart(FUNNEL), project, 2)
    march_1 = point_drivers(project.cursor(), entry_point(FUNNEL, 0), project)
    march_2 = point_drivers(project.cursor(), entry_point(FUNNEL, 1, dropped=True), project)

    assert (whole.population, whole.converted) == (6, 2)
    assert (counts(whole, "help"), counts(whole, "chat")) == ((1, 2), (1, 1))
    assert (march_1.population, march_1.converted) == (3, 1)
    assert march_1.frame["event"].tolist() == ["help"]
    assert counts(march_1, "help") == (1, 1)
    assert (march_2.population, march_2.converted) == (3, 1)
    assert (counts(march_2, "help"), counts(march_2, "chat")) == ((0, 1), (1, 1))


def test_entry_bucket_lists(project):
    point = entry_point(FUNNEL, 1)

    assert listed_users(project, point, "chat", "all") == ["a3", "a4"]
    assert listed_users(project, point, "help", "all") == ["a4"]
    assert listed_users(project, entry_point(FUNNEL, 0), "help", "dropped") == ["a2"]


def test_entry_bucket_follows_chart_timezone(project):
    # In Berlin (UTC+1 in early March) a6's view at 23:30 UTC falls on March 2.
    berlin = dict(FUNNEL, timezone="Europe/Berlin")
    march_1 = point_drivers(project.cursor(), entry_point(berlin, 0), project)
    march_2 = point_drivers(project.cursor(), entry_point(berlin, 1), project)

    assert (march_1.population, march_1.converted, march_1.dropped) == (2, 1, 1)
    assert (march_2.population, march_2.converted, march_2.dropped) == (4, 1, 3)


def test_whole_range_point_keeps_every_actor(project):
    result = point_drivers(project.cursor(), Point(parse_chart(FUNNEL), step=2), project)

    assert (result.population, result.converted, result.dropped) == (6, 2, 4)


def test_unknown_bucket_rejected(project):
    with pytest.raises(DefinitionError, match="bucket: no bucket 2"):
        drivers(project.cursor(), parse_chart(FUNNEL), project, 2, bucket=2)
