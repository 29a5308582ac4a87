"""Retention charts with a group-by, against tables and point lists worked out by hand.

Each test's events are listed in it. A unit (an actor, or a group counted by
``count_by``) takes the segments of the start event that decides its cohort.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from builders import build_project
from groups_charts_helpers import event_rows
from groups_data import event as group_event
from tui.analytics.definition import DefinitionError, parse_chart
from tui.analytics.groups import point_group_count
from tui.analytics.point import Point, point_actor_count
from tui.analytics.retention import retention, retention_point_events_sql, retention_summary

ZONE = "America/New_York"


def event(event_type, time, user, **properties) -> dict:
    row = {"event_type": event_type, "event_time": time, "user_id": user}
    if properties:
        row["event_properties"] = properties
    return row


def chart(first="2024-03-01", last="2024-03-02", **changes) -> dict:
    obj = {
        "type": "retention",
        "start": {"event": "Visit"},
        "return": {"event": "Use"},
        "range": {"from": first, "to": last},
        "periods": 1,
    }
    obj.update(changes)
    return obj


def run(project, obj) -> pd.DataFrame:
    return retention(project.cursor(), parse_chart(obj), project)


def segments(frame) -> list:
    return list(dict.fromkeys(frame["segment"].tolist()))


def table(frame, segment, column="retained") -> list[list]:
    """Return ``column`` of one segment as one list per cohort bucket, in period order."""
    rows = frame[frame["segment"] == segment].sort_values(["bucket", "period"])
    return [group[column].tolist() for _, group in rows.groupby("bucket")]


def point_users(project, obj, segment, bucket, period, dropped=False) -> list[tuple[str, str, str]]:
    """Return the point's events as (event type, UTC time, user id), sorted."""
    sql, params = retention_point_events_sql(parse_chart(obj), project, bucket, period, dropped, segment)
    rows = project.cursor().execute(
        "SELECT event_type, strftime(event_time AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S'), user_id "
        f"FROM ({sql}) ORDER BY ALL",
        params,
    ).fetchall()
    return [tuple(row) for row in rows]


# By a property, in New York (UTC-5 before 10 March) ---------------------------

PLAN_EVENTS = [
    # 29 February 22:00 in New York: before the range, so it decides nothing.
    event("Visit", "2024-03-01T03:00:00Z", "a", plan="free"),
    # a's first start in the range: the 1 March cohort, segment pro.
    event("Visit", "2024-03-01T15:00:00Z", "a", plan="pro"),
    # A later start with another value, which leaves a in pro.
    event("Visit", "2024-03-02T15:00:00Z", "a", plan="free"),
    event("Use", "2024-03-02T16:00:00Z", "a"),
    # 1 March 23:00 in New York, though 2 March in UTC.
    event("Visit", "2024-03-02T04:00:00Z", "b", plan="free"),
    event("Use", "2024-03-02T06:00:00Z", "b"),
    # No plan: (none).
    event("Visit", "2024-03-02T14:00:00Z", "c"),
    event("Use", "2024-03-03T14:00:00Z", "c"),  # the project's last event, 3 March 09:00 in New York
    event("Visit", "2024-03-02T20:00:00Z", "d", plan="pro"),
]


@pytest.fixture
def plan_project(tmp_path):
    project = build_project(tmp_path, PLAN_EVENTS, timezone=ZONE)
    yield project
    project.close()


def test_first_start_decides_segment(plan_project):
    frame = run(plan_project, chart(group_by="plan"))

    assert segments(frame) == ["pro", "free", "(none)"]
    assert table(frame, "pro", "cohort_size") == [[1, 1], [1, 1]]
    assert table(frame, "pro") == [[0, 1], [0, 0]]
    assert table(frame, "free", "cohort_size") == [[1, 1], [0, 0]]
    assert table(frame, "free") == [[0, 1], [0, 0]]
    assert table(frame, "(none)", "cohort_size") == [[0, 0], [1, 1]]
    assert table(frame, "(none)") == [[0, 0], [0, 1]]


def test_segment_point_lists(plan_project):
    obj = chart(group_by="plan")

    assert point_users(plan_project, obj, "pro", 0, 1) == [("Use", "2024-03-02T16:00:00", "a")]
    assert point_users(plan_project, obj, "free", 0, 1) == [("Use", "2024-03-02T06:00:00", "b")]
    assert point_users(plan_project, obj, "pro", 1, 1, dropped=True) == [("Visit", "2024-03-02T20:00:00", "d")]
    assert point_users(plan_project, obj, "(none)", 1, 1) == [("Use", "2024-03-03T14:00:00", "c")]
    # A label the chart does not have selects no events.
    assert point_users(plan_project, obj, "enterprise", 0, 1) == []


def test_segment_point_counts_equal_table(plan_project):
    definition = parse_chart(chart(group_by="plan", mode="on_or_after"))
    frame = retention(plan_project.cursor(), definition, plan_project)

    for cell in frame.itertuples():
        for dropped, expected in ((False, cell.retained), (True, cell.not_retained)):
            point = Point(definition, segment=cell.segment, bucket=cell.bucket, period=cell.period, dropped=dropped)
            assert point_actor_count(plan_project.cursor(), point, plan_project) == expected, cell


def test_started_and_summary_per_segment(plan_project):
    frame = run(plan_project, chart(group_by="plan", periods=2))

    # Period 2 of the 2 March cohort begins 4 March 00:00 in New York, after the last event.
    assert table(frame, "pro", "started") == [[True, True, True], [True, True, False]]
    assert table(frame, "pro", "complete") == [[True, True, False], [True, False, False]]
    summary = retention_summary(frame)
    pro = summary[summary["segment"] == "pro"]
    assert pro["period"].tolist() == [0, 1, 2]
    assert pro["cohorts"].tolist() == [2, 1, 0]
    assert pro["cohort_size"].tolist() == [2, 1, 0]
    assert pro["retained"].tolist() == [0, 1, 0]
    assert pro["rate"].iloc[:2].tolist() == [0.0, 1.0]
    assert math.isnan(pro["rate"].iloc[2])
    assert summary["segment"].drop_duplicates().tolist() == ["pro", "free", "(none)"]


def test_ungrouped_table_unchanged(plan_project):
    frame = run(plan_project, chart())

    labelled = frame.assign(segment="all")
    assert frame["segment"].isna().all()
    assert table(labelled, "all", "cohort_size") == [[2, 2], [2, 2]]
    assert table(labelled, "all") == [[0, 2], [0, 1]]


def test_segments_key_hides_segments(plan_project):
    frame = run(plan_project, chart(group_by="plan", segments={"drop": ["(none)"]}))

    assert segments(frame) == ["pro", "free"]
    assert table(frame, "pro") == [[0, 1], [0, 0]]


# By a group type ---------------------------------------------------------------


def test_users_in_each_group_of_first_start(tmp_path):
    project = build_project(tmp_path, [
        group_event("Visit", "2024-03-01T09:00:00Z", "alice", company=["Acme", "Globex"]),
        group_event("Use", "2024-03-02T09:00:00Z", "alice"),
        group_event("Visit", "2024-03-01T10:00:00Z", "bob", company="Acme"),
        # bob's later start names another company, which gives bob no segment.
        group_event("Visit", "2024-03-02T10:00:00Z", "bob", company="Initech"),
        group_event("Visit", "2024-03-01T11:00:00Z", "carol"),
        group_event("Use", "2024-03-02T11:00:00Z", "carol", company="Acme"),
    ])
    obj = chart(last="2024-03-01", group_by="group:company")
    frame = run(project, obj)

    assert segments(frame) == ["Acme", "Globex", "(none)"]
    assert table(frame, "Acme", "cohort_size") == [[2, 2]]
    assert table(frame, "Acme") == [[0, 1]]
    assert table(frame, "Globex") == [[0, 1]]
    assert table(frame, "(none)") == [[0, 1]]
    assert point_users(project, obj, "Acme", 0, 1) == [("Use", "2024-03-02T09:00:00", "alice")]
    assert point_users(project, obj, "Acme", 0, 1, dropped=True) == [("Visit", "2024-03-01T10:00:00", "bob")]
    project.close()


def test_two_member_account_counted_by_group(tmp_path):
    project = build_project(tmp_path, [
        group_event("Visit", "2024-03-01T09:00:00Z", "alice", company="Acme"),
        # bob, Acme's second member, returns for it.
        group_event("Use", "2024-03-02T10:00:00Z", "bob", company="Acme"),
        group_event("Visit", "2024-03-01T12:00:00Z", "carol", company="Globex"),
    ])
    obj = chart(last="2024-03-01", group_by="group:company", count_by="group:company")
    frame = run(project, obj)

    assert segments(frame) == ["Acme", "Globex"]
    assert table(frame, "Acme", "cohort_size") == [[1, 1]]
    assert table(frame, "Acme") == [[0, 1]]
    assert table(frame, "Globex") == [[0, 0]]
    point = Point(parse_chart(obj), segment="Acme", bucket=0, period=1)
    assert point_group_count(project.cursor(), point, project) == 1
    assert event_rows(project, point) == [("Use", "2024-03-02T10:00:00", "bob", "Acme")]
    assert point_actor_count(project.cursor(), point, project) == 1
    project.close()


def test_group_takes_property_of_first_start(tmp_path):
    project = build_project(tmp_path, [
        group_event("Visit", "2024-03-01T09:00:00Z", "alice", company="Acme") | {"event_properties": {"plan": "pro"}},
        group_event("Visit", "2024-03-01T10:00:00Z", "bob", company="Acme") | {"event_properties": {"plan": "free"}},
        group_event("Use", "2024-03-02T10:00:00Z", "bob", company="Acme"),
    ])
    obj = chart(last="2024-03-01", group_by="plan", count_by="group:company")
    frame = run(project, obj)

    assert segments(frame) == ["pro"]
    assert table(frame, "pro") == [[0, 1]]
    project.close()


def test_top_ten_then_other_once(tmp_path):
    events = []
    for index in range(10):
        # Two users for each of ten companies, so they outrank the rest.
        for user in ("x", "y"):
            events.append(group_event("Visit", "2024-03-01T09:00:00Z", f"{user}{index}", company=f"c{index:02}"))
    # One start naming two companies outside the top ten: (other) once.
    events.append(group_event("Visit", "2024-03-01T10:00:00Z", "zoe", company=["c10", "c11"]))
    events.append(group_event("Use", "2024-03-02T10:00:00Z", "zoe"))
    project = build_project(tmp_path, events)
    obj = chart(last="2024-03-01", group_by="group:company")
    frame = run(project, obj)

    assert segments(frame) == [f"c{index:02}" for index in range(10)] + ["(other)"]
    assert table(frame, "(other)", "cohort_size") == [[1, 1]]
    assert table(frame, "(other)") == [[0, 1]]
    assert point_users(project, obj, "(other)", 0, 1) == [("Use", "2024-03-02T10:00:00", "zoe")]
    project.close()


# Edges and errors -------------------------------------------------------------


def test_grouped_chart_without_starts_has_no_rows(tmp_path):
    project = build_project(tmp_path, [event("Use", "2024-03-01T10:00:00Z", "a")])
    frame = run(project, chart(group_by="plan"))

    assert len(frame) == 0
    assert list(frame.columns)[:2] == ["segment", "bucket"]
    assert len(retention_summary(frame)) == 0
    project.close()


def test_point_segment_checked(plan_project):
    grouped = parse_chart(chart(group_by="plan"))
    plain = parse_chart(chart())

    with pytest.raises(DefinitionError, match="segment: this chart is grouped by 'plan'"):
        retention_point_events_sql(grouped, plan_project, 0, 1, False)
    with pytest.raises(DefinitionError, match="segment: 'pro' given, but this chart has no group_by"):
        retention_point_events_sql(plain, plan_project, 0, 1, False, "pro")


def test_rolling_periods_started(tmp_path):
    project = build_project(tmp_path, [
        event("Visit", "2024-03-01T10:00:00Z", "a"),
        event("Use", "2024-03-02T05:00:00Z", "b"),  # the project's last event
    ])
    frame = run(project, chart(last="2024-03-01", periods=2, rolling=True))

    # Rolling day N can begin N days after the cohort's midnight at the earliest.
    assert frame["started"].tolist() == [True, True, False]
    assert frame["complete"].tolist() == [False, False, False]
    project.close()


def test_markup_and_unicode_segment_kept_exact(tmp_path):
    label = "[b]Prö 🚀[/b]"
    project = build_project(tmp_path, [
        event("Visit", "2024-03-01T10:00:00Z", "a", plan=label),
        event("Use", "2024-03-02T10:00:00Z", "a"),
    ])
    obj = chart(last="2024-03-01", group_by="plan")

    assert segments(run(project, obj)) == [label]
    assert point_users(project, obj, label, 0, 1) == [("Use", "2024-03-02T10:00:00", "a")]
    project.close()
