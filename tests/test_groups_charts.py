"""Retention and sessions charts counted by a group type, against counts worked out by hand.

Each test's events are listed in it. A group is counted when any member's
event names it, so two members of one account make one unit.
"""

from __future__ import annotations

import pandas as pd
import pytest

from builders import build_project
from groups_charts_helpers import event_rows, group_names, member_names
from groups_data import event
from tui.analytics.cohorts import create_cohort_from_point
from tui.analytics.definition import parse_chart
from tui.analytics.groups import point_group_count
from tui.analytics.point import Point, point_actor_count
from tui.analytics.retention import retention
from tui.analytics.sessions import series_names, sessions_chart

# Retention ---------------------------------------------------------------------

RETENTION_EVENTS = [
    event("Signup", "2024-03-01T09:00:00Z", "alice", company="Acme"),
    # bob, a second member of Acme, returns for it on day 1 of Acme's cohort.
    event("Use", "2024-03-02T10:00:00Z", "bob", company="Acme"),
    # Acme already started at 09:00; Globex starts here.
    event("Signup", "2024-03-01T12:00:00Z", "carol", company=["Globex", "Acme"]),
    # Before Globex's start, so no return of Globex.
    event("Use", "2024-03-01T08:00:00Z", "dan", company="Globex"),
    event("Use", "2024-03-03T09:00:00Z", "carol", company="Globex"),
    event("Signup", "2024-03-02T11:00:00Z", "erin", company="Initech"),
    # Names no company: not part of a chart counted by company.
    event("Use", "2024-03-02T12:00:00Z", "frank"),
    # A later start of Acme, which started on day 0.
    event("Signup", "2024-03-02T08:00:00Z", "bob", company="Acme"),
    event("Use", "2024-03-01T10:00:00Z", "alice", company="Acme"),
]


def retention_chart(**changes) -> dict:
    obj = {
        "type": "retention",
        "start": {"event": "Signup"},
        "return": {"event": "Use"},
        "range": {"from": "2024-03-01", "to": "2024-03-02"},
        "periods": 2,
        "count_by": "group:company",
    }
    obj.update(changes)
    return {key: value for key, value in obj.items() if value is not None}


def table(frame, column="retained") -> list[list[int]]:
    ordered = frame.sort_values(["bucket", "period"])
    return [group[column].tolist() for _, group in ordered.groupby("bucket")]


@pytest.fixture
def retention_project(tmp_path):
    project = build_project(tmp_path, RETENTION_EVENTS)
    yield project
    project.close()


def test_retention_cohorts_of_groups(retention_project):
    frame = retention(retention_project.cursor(), parse_chart(retention_chart()), retention_project)

    # Day 1: Acme (alice 09:00) and Globex (carol 12:00). Day 2: Initech; bob's Signup does not start Acme again.
    assert table(frame, "cohort_size") == [[2, 2, 2], [1, 1, 1]]
    # Acme: alice on day 0, bob on day 1. Globex: carol on day 2; dan's Use came before Globex started.
    assert table(frame) == [[1, 1, 1], [0, 0, 0]]
    # Day 2 of the 03-02 cohort begins on 03-04, after the last event (carol's Use on 03-03), so no group is not retained there.
    assert table(frame, "not_retained") == [[1, 1, 1], [1, 1, 0]]


def test_retention_groups_on_or_after(retention_project):
    frame = retention(retention_project.cursor(), parse_chart(retention_chart(mode="on_or_after")), retention_project)

    # Acme returned last on day 1 and Globex on day 2.
    assert table(frame) == [[2, 2, 1], [0, 0, 0]]


def test_retention_counted_by_users_differs(retention_project):
    frame = retention(retention_project.cursor(), parse_chart(retention_chart(count_by=None)), retention_project)

    # Users: alice and carol start on day 1, erin and bob on day 2. bob's Use at 10:00 follows his own Signup.
    assert table(frame, "cohort_size") == [[2, 2, 2], [2, 2, 2]]
    assert table(frame) == [[1, 0, 1], [1, 0, 0]]


def test_retention_second_member_returns(retention_project):
    point = Point(parse_chart(retention_chart()), bucket=0, period=1)

    assert group_names(retention_project, point) == ["Acme"]
    assert point_group_count(retention_project.cursor(), point, retention_project) == 1
    assert event_rows(retention_project, point) == [("Use", "2024-03-02T10:00:00", "bob", "Acme")]
    # bob made Acme retained although alice started it.
    assert member_names(retention_project, point, "Acme") == ["bob"]
    assert point_actor_count(retention_project.cursor(), point, retention_project) == 1


def test_retention_groups_not_retained(retention_project):
    point = Point(parse_chart(retention_chart()), bucket=0, period=1, dropped=True)

    assert group_names(retention_project, point) == ["Globex"]
    # carol's start names Acme too, but only Globex is not retained.
    assert event_rows(retention_project, point) == [("Signup", "2024-03-01T12:00:00", "carol", "Globex")]


def test_retention_group_cohort_from_point(retention_project):
    point = Point(parse_chart(retention_chart(mode="on_or_after")), bucket=0, period=1)
    cursor = retention_project.cursor()

    create_cohort_from_point(retention_project, "Returning accounts", None, point)
    filtered = retention(cursor, parse_chart(retention_chart(cohort="Returning accounts")), retention_project)

    # The cohort contains Acme and Globex, which both started on day 1. Initech is not in it.
    assert table(filtered, "cohort_size") == [[2, 2, 2], [0, 0, 0]]


# Sessions ----------------------------------------------------------------------

SESSION_EVENTS = [
    # alice's session: 20 minutes, names Acme.
    event("Open", "2024-03-01T10:00:00Z", "alice", session_id="a1", company="Acme"),
    event("Buy", "2024-03-01T10:20:00Z", "alice", session_id="a1"),
    # bob's session: 5 minutes. Its first event names no company, and its second names Acme and Globex.
    event("Open", "2024-03-01T11:00:00Z", "bob", session_id="b1"),
    event("Buy", "2024-03-01T11:05:00Z", "bob", session_id="b1", company=["Acme", "Globex"]),
    # carol's session names no company, so it is not counted by company.
    event("Open", "2024-03-01T12:00:00Z", "carol", session_id="c1"),
    event("Open", "2024-03-02T09:00:00Z", "alice", session_id="a2", company="Acme"),
]


def sessions_definition(**changes) -> dict:
    obj = {
        "type": "sessions",
        "range": {"from": "2024-03-01", "to": "2024-03-02"},
        "count_by": "group:company",
    }
    obj.update(changes)
    return {key: value for key, value in obj.items() if value is not None}


def values(frame, series=0) -> list[float]:
    return frame[frame["series"] == series].sort_values("bucket")["value"].tolist()


@pytest.fixture
def sessions_project(tmp_path):
    project = build_project(tmp_path, SESSION_EVENTS)
    yield project
    project.close()


def run_sessions(project, obj) -> pd.DataFrame:
    return sessions_chart(project.cursor(), parse_chart(obj), project)


def test_sessions_of_two_members(sessions_project):
    # Day 1: alice's and bob's sessions; carol's names no company.
    assert values(run_sessions(sessions_project, sessions_definition())) == [2, 1]
    assert values(run_sessions(sessions_project, sessions_definition(measure="avg_length"))) == [(1200 + 300) / 2, 0]
    # (session, company) pairs: alice-Acme, bob-Acme, bob-Globex over Acme and Globex.
    assert values(run_sessions(sessions_project, sessions_definition(measure="per_user"))) == [1.5, 1]
    assert values(run_sessions(sessions_project, sessions_definition(count_by=None))) == [3, 1]


def test_sessions_length_buckets_of_groups(sessions_project):
    frame = run_sessions(sessions_project, sessions_definition(measure="length"))

    # alice's 20 minutes are in [15m, 30m), bob's 5 minutes in [5m, 15m), alice's day-2 session in [0s, 10s).
    assert values(frame, 4) == [1, 0]
    assert values(frame, 3) == [1, 0]
    assert values(frame, 0) == [0, 1]
    assert frame["value"].sum() == 3


def test_sessions_point_groups_and_members(sessions_project):
    point = Point(parse_chart(sessions_definition()), series=0, bucket=0)

    assert group_names(sessions_project, point) == ["Acme", "Globex"]
    assert member_names(sessions_project, point, "Acme") == ["alice", "bob"]
    assert member_names(sessions_project, point, "Globex") == ["bob"]
    # Every event of a session, once per company of the session, bob's Open included.
    assert event_rows(sessions_project, point) == [
        ("Buy", "2024-03-01T10:20:00", "alice", "Acme"),
        ("Buy", "2024-03-01T11:05:00", "bob", "Acme"),
        ("Buy", "2024-03-01T11:05:00", "bob", "Globex"),
        ("Open", "2024-03-01T10:00:00", "alice", "Acme"),
        ("Open", "2024-03-01T11:00:00", "bob", "Acme"),
        ("Open", "2024-03-01T11:00:00", "bob", "Globex"),
    ]


def test_sessions_per_group_name(sessions_project):
    assert series_names(parse_chart(sessions_definition(measure="per_user"))) == ["Sessions per group"]
    assert series_names(parse_chart(sessions_definition(measure="per_user", count_by=None))) == ["Sessions per user"]


def test_sessions_property_segments_of_groups(sessions_project):
    frame = run_sessions(sessions_project, sessions_definition(group_by="event_type"))

    # A session's segment is its first event's type; carol's Open session names no company.
    opened = frame[frame["segment"] == "Open"].sort_values("bucket")["value"].tolist()
    assert opened == [2, 1]
    assert set(frame["segment"]) == {"Open"}
