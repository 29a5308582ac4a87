"""Why is this user here on charts grouped by group name or by cohorts, and on charts counted by groups.

The project and its hand-computed segments are described in ``why_groups_data``.
"""

from __future__ import annotations

import pytest

from tui.analytics.microscope import find_actor, point_users
from tui.analytics.microscope.why import (
    counted_group_type,
    counted_groups,
    segment_cohorts,
    segment_events,
    segment_group_type,
    segment_property,
    why_here,
)
from tui.analytics.point import with_session_span
from why_common import DAILY_SESSIONS, deciding, listed, users_of
from why_groups_data import (
    BY_COHORTS,
    COUNTED_FUNNEL,
    SEGMENTATION,
    SESSIONS,
    build_accounts,
    bucket_point,
    funnel_point,
    retention_point,
)


@pytest.fixture
def project(tmp_path):
    with build_accounts(tmp_path) as project:
        yield project


def test_funnel_group_segment_from_step_one(project):
    cursor = project.cursor()
    point = funnel_point(2, "A")
    v1 = find_actor(cursor, "v1")
    assert segment_group_type(point) == "account"
    assert segment_property(point) is None
    assert users_of(project, point) == {"v1"}

    # The 10:30 view names B, but it starts no kept conversion, so v1 is not in segment B.
    assert deciding(segment_events(cursor, point, project, v1)) == [("03-01 10:00", "view", "A")]
    assert users_of(project, funnel_point(2, "B")) == {"v2"}
    assert segment_events(cursor, funnel_point(2, "B"), project, v1).empty


def test_funnel_none_group_segment(project):
    cursor = project.cursor()
    point = funnel_point(2, "(none)", dropped=True)
    v3 = find_actor(cursor, "v3")
    assert users_of(project, point) == {"v3"}

    assert deciding(segment_events(cursor, point, project, v3)) == [("03-01 14:00", "view", None)]


def test_segmentation_group_segment_per_event(project):
    cursor = project.cursor()
    v1 = find_actor(cursor, "v1")
    in_a = bucket_point(SEGMENTATION, 0, "A")
    in_b = bucket_point(SEGMENTATION, 0, "B")
    assert users_of(project, in_a) == {"v1"}
    assert users_of(project, in_b) == {"v1", "v2"}

    # Each view is in the segment of the account it names.
    assert listed(why_here(cursor, in_a, project, v1)) == [("03-01 10:00", "view")]
    assert deciding(segment_events(cursor, in_a, project, v1)) == [("03-01 10:00", "view", "A")]
    assert deciding(segment_events(cursor, in_b, project, v1)) == [("03-01 10:30", "view", "B")]


def test_sessions_group_segment_from_every_event(project):
    cursor = project.cursor()
    point = with_session_span(cursor, bucket_point(SESSIONS, 0, "A"))
    v1 = find_actor(cursor, "v1")
    assert users_of(project, point) == {"v1"}

    assert listed(why_here(cursor, point, project, v1)) == [
        ("03-01 10:00", "view"), ("03-01 10:30", "view"), ("03-01 11:00", "buy")
    ]
    # A session is in the segment of every account its events name, so each event decides, the buy twice.
    assert deciding(segment_events(cursor, point, project, v1)) == [
        ("03-01 10:00", "view", "A"),
        ("03-01 10:30", "view", "B"),
        ("03-01 11:00", "buy", "A"),
        ("03-01 11:00", "buy", "B"),
    ]


def test_sessions_counted_and_grouped_by_account(project):
    # Counted by the same type, a session's row for group A is in segment A, and only the events naming A decide it.
    cursor = project.cursor()
    point = with_session_span(cursor, bucket_point(dict(SESSIONS, count_by="group:account"), 0, "A"))
    v1 = find_actor(cursor, "v1")

    assert deciding(segment_events(cursor, point, project, v1)) == [
        ("03-01 10:00", "view", "A"), ("03-01 11:00", "buy", "A")
    ]


def test_retention_group_segment_from_start(project):
    cursor = project.cursor()
    point = retention_point(1, "A")
    v1 = find_actor(cursor, "v1")
    assert users_of(project, point) == {"v1"}

    assert listed(why_here(cursor, point, project, v1)) == [("03-02 10:00", "buy")]
    assert deciding(segment_events(cursor, point, project, v1)) == [("03-01 10:00", "view", "A")]


def test_cohort_segment_names_user_cohorts(project):
    cursor = project.cursor()
    point = bucket_point(BY_COHORTS, 0, "Buyers")
    assert users_of(project, point) == {"v1", "v2"}
    assert segment_group_type(point) is None
    assert segment_property(point) is None

    # Cohorts are per user, so no event decides the segment.
    assert segment_events(cursor, point, project, find_actor(cursor, "v1")).empty
    assert segment_cohorts(cursor, point, find_actor(cursor, "v1")) == ["Buyers", "Early"]
    assert segment_cohorts(cursor, point, find_actor(cursor, "v2")) == ["Buyers"]
    assert segment_cohorts(cursor, bucket_point(BY_COHORTS, 0, "(none)"), find_actor(cursor, "v3")) == []


def test_cohorts_only_for_cohort_segments(project):
    cursor = project.cursor()

    assert segment_cohorts(cursor, bucket_point(SEGMENTATION, 0, "A"), find_actor(cursor, "v1")) == []


def test_counted_groups_per_event(project):
    cursor = project.cursor()
    point = funnel_point(2, None, chart=COUNTED_FUNNEL)
    v1 = find_actor(cursor, "v1")
    assert counted_group_type(point) == "account"
    assert set(point_users(cursor, point, project, limit=None)["user_id"]) == {"v1"}

    events = why_here(cursor, point, project, v1)
    assert listed(events) == [("03-01 10:00", "view"), ("03-01 10:30", "view"), ("03-01 11:00", "buy")]
    names = counted_groups(cursor, point, project, v1)
    by_seq = {}
    for seq, name in zip(names["seq"], names["group_name"]):
        by_seq.setdefault(int(seq), []).append(name)
    # Group A converts with the 10:00 view, group B with the 10:30 view, and both with the buy.
    assert [by_seq[int(seq)] for seq in events["seq"]] == [["A"], ["B"], ["A", "B"]]


def test_counted_groups_of_session_events(project):
    # A session counts for every account its events name, but an event shows only the accounts it names.
    cursor = project.cursor()
    point = with_session_span(cursor, bucket_point(dict(DAILY_SESSIONS, count_by="group:account"), 0, None))
    v2 = find_actor(cursor, "v2")

    events = why_here(cursor, point, project, v2)
    assert listed(events) == [("03-01 12:00", "view"), ("03-01 12:30", "buy")]
    names = counted_groups(cursor, point, project, v2)
    view_seq = int(events["seq"][0])
    assert [(int(seq), name) for seq, name in zip(names["seq"], names["group_name"])] == [(view_seq, "B")]


def test_counted_groups_empty_without_count_by(project):
    cursor = project.cursor()
    point = funnel_point(2, "A")

    assert counted_group_type(point) is None
    assert counted_groups(cursor, point, project, find_actor(cursor, "v1")).empty


def test_funnel_counted_and_grouped_by_account(project):
    # Counted by the same type, each group's conversion is in its own segment, decided by its own step-1 event.
    cursor = project.cursor()
    chart = dict(COUNTED_FUNNEL, group_by="group:account")
    v1 = find_actor(cursor, "v1")

    assert deciding(segment_events(cursor, funnel_point(2, "A", chart=chart), project, v1)) == [
        ("03-01 10:00", "view", "A")
    ]
    assert deciding(segment_events(cursor, funnel_point(2, "B", chart=chart), project, v1)) == [
        ("03-01 10:30", "view", "B")
    ]
