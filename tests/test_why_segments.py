"""Why is this user here on grouped funnels, retention and sessions: the events that decided the segment.

The project and its hand-computed segments are described in ``why_segments_data``.
"""

from __future__ import annotations

import pytest

from tui.analytics.microscope import find_actor
from tui.analytics.microscope.why import segment_events, segment_property, why_here
from tui.analytics.point import with_session_span
from why_common import deciding, listed, users_of
from why_segments_data import build_sources, funnel_point, retention_point, sessions_point

ACCOUNTS = {"count_by": "group:account"}


@pytest.fixture
def project(tmp_path):
    with build_sources(tmp_path) as project:
        yield project


def test_funnel_segment_from_step_one(project):
    cursor = project.cursor()
    point = funnel_point(2, "ads")
    u1 = find_actor(cursor, "u1")
    assert segment_property(point) == "source"
    assert users_of(project, point) == {"u1"}

    assert listed(why_here(cursor, point, project, u1)) == [("03-01 10:00", "view"), ("03-01 12:00", "buy")]
    # The 11:00 view from mail is not the step-1 event of the kept conversion, so it decides nothing.
    assert deciding(segment_events(cursor, point, project, u1)) == [("03-01 10:00", "view", "ads")]


def test_funnel_dropped_segment(project):
    cursor = project.cursor()
    point = funnel_point(2, "mail", dropped=True)
    u2 = find_actor(cursor, "u2")
    assert users_of(project, point) == {"u2"}

    assert deciding(segment_events(cursor, point, project, u2)) == [("03-02 09:00", "view", "mail")]
    # u1 is in another segment, so nothing of theirs decides this one.
    assert segment_events(cursor, point, project, find_actor(cursor, "u1")).empty


def test_funnel_none_segment(project):
    cursor = project.cursor()
    point = funnel_point(2, "(none)")
    u3 = find_actor(cursor, "u3")
    assert users_of(project, point) == {"u3"}

    assert deciding(segment_events(cursor, point, project, u3)) == [("03-01 13:00", "view", None)]


def test_retention_segment_from_start(project):
    cursor = project.cursor()
    point = retention_point(1, "ads")
    u1 = find_actor(cursor, "u1")
    assert segment_property(point) == "source"
    assert users_of(project, point) == {"u1"}

    # The list contains the return event, and the first start event decided the cohort and segment.
    assert listed(why_here(cursor, point, project, u1)) == [("03-02 10:00", "buy")]
    assert deciding(segment_events(cursor, point, project, u1)) == [("03-01 10:00", "view", "ads")]


def test_retention_dropped_segment(project):
    cursor = project.cursor()
    point = retention_point(1, "ads", dropped=True)
    u4 = find_actor(cursor, "u4")
    assert users_of(project, point) == {"u4"}

    assert listed(why_here(cursor, point, project, u4)) == [("03-01 15:00", "view")]
    assert deciding(segment_events(cursor, point, project, u4)) == [("03-01 15:00", "view", "ads")]


def test_sessions_segment_from_first_event(project):
    cursor = project.cursor()
    point = with_session_span(cursor, sessions_point(0, "ads"))
    u1 = find_actor(cursor, "u1")
    assert segment_property(point) == "source"
    assert users_of(project, point) == {"u1", "u4"}

    assert listed(why_here(cursor, point, project, u1)) == [
        ("03-01 10:00", "view"), ("03-01 11:00", "view"), ("03-01 12:00", "buy")
    ]
    assert deciding(segment_events(cursor, point, project, u1)) == [("03-01 10:00", "view", "ads")]


def test_sessions_segment_of_two_sessions(project):
    cursor = project.cursor()
    point = with_session_span(cursor, sessions_point(0, "ads"))
    u4 = find_actor(cursor, "u4")

    assert deciding(segment_events(cursor, point, project, u4)) == [
        ("03-01 15:00", "view", "ads"), ("03-01 18:00", "view", "ads")
    ]


def test_sessions_none_segment(project):
    cursor = project.cursor()
    point = with_session_span(cursor, sessions_point(1, "(none)"))
    u1 = find_actor(cursor, "u1")
    assert users_of(project, point) == {"u1"}

    assert deciding(segment_events(cursor, point, project, u1)) == [("03-02 10:00", "buy", None)]


def test_sessions_without_span(project):
    # Without the project's session span the point finds its sessions by key, with the same result.
    cursor = project.cursor()
    point = sessions_point(0, "ads")
    u1 = find_actor(cursor, "u1")

    assert deciding(segment_events(cursor, point, project, u1)) == [("03-01 10:00", "view", "ads")]


def test_group_counted_lists_events_once(project):
    # u1's view and buy name accounts A and B, so each counts for both groups.
    cursor = project.cursor()
    u1 = find_actor(cursor, "u1")
    funnel = funnel_point(2, "ads", **ACCOUNTS)
    sessions = with_session_span(cursor, sessions_point(0, "ads", **ACCOUNTS))
    retention = retention_point(0, "ads", **ACCOUNTS)

    assert listed(why_here(cursor, funnel, project, u1)) == [("03-01 10:00", "view"), ("03-01 12:00", "buy")]
    assert listed(why_here(cursor, sessions, project, u1)) == [
        ("03-01 10:00", "view"), ("03-01 11:00", "view"), ("03-01 12:00", "buy")
    ]
    assert listed(why_here(cursor, retention, project, u1)) == [("03-01 12:00", "buy")]

    # Both groups' conversions, sessions and cohorts start with one event, listed once.
    for point in (funnel, sessions, retention):
        assert deciding(segment_events(cursor, point, project, u1)) == [("03-01 10:00", "view", "ads")]


def test_group_by_group_type_has_no_property(project):
    point = funnel_point(2, "A", group_by="group:account")

    assert segment_property(point) is None
    assert list(segment_events(project.cursor(), point, project, find_actor(project.cursor(), "u1")).columns) == [
        "seq", "event_time", "event_type", "segment_value"
    ]
