"""Why a user is in a point, and comparing two points: counts, parts as actor sets."""

from __future__ import annotations

import pytest

from builders import build_project
from microscope_data import chart_json, day_point
from tui.analytics.microscope import (
    MicroscopeError,
    actor_count,
    compare_actors_sql,
    compare_points,
    find_actor,
    path_rows,
    point_users,
    user_stream,
    why_here,
)

CHART = chart_json("Buy", where=[{"property": "plan", "op": "=", "value": "pro"}])
MARCH_2, MARCH_3 = day_point(CHART, 1), day_point(CHART, 2)

# (user, day, event, plan); Buy counts only with plan "pro".
EVENTS = [
    ("a", "02", "Buy", "pro"), ("a", "03", "Buy", "pro"),
    ("b", "02", "Buy", "pro"), ("b", "03", "Buy", "free"),
    ("c", "03", "Buy", "pro"),
    ("d", "02", "Buy", "pro"), ("d", "03", "Buy", "pro"), ("d", "03", "View", None),
    ("e", "03", "View", None),
]


@pytest.fixture
def project(tmp_path):
    events = []
    for minute, (user, day, event_type, plan) in enumerate(EVENTS):
        events.append({
            "event_type": event_type, "event_time": f"2024-03-{day}T10:{minute:02d}:00+00:00", "user_id": user,
            "session_id": f"{user}-{day}", "event_properties": {"plan": plan} if plan else {"n": minute},
        })
    with build_project(tmp_path, events) as project:
        yield project


def users_of(project, target) -> set[str]:
    return set(point_users(project.cursor(), target, project, limit=None)["user_id"])


def test_why_here_lists_counted_events(project):
    cursor = project.cursor()
    b = find_actor(cursor, "b")

    first = why_here(cursor, MARCH_2, project, b)
    second = why_here(cursor, MARCH_3, project, b)

    assert first["event_type"].tolist() == ["Buy"]
    assert first["event_properties"].tolist() == ['{"plan":"pro"}']
    assert str(first["event_time"].iloc[0]) == "2024-03-02 10:02:00+00:00"
    # b bought on March 3 too, but with plan "free", which the chart's where item leaves out.
    assert second.empty


def test_compare_counts_add_up(project):
    counts = compare_points(project.cursor(), MARCH_2, MARCH_3, project)

    assert counts == {"first": 3, "second": 3, "both": 2, "only_first": 1, "only_second": 1}
    assert counts["both"] + counts["only_first"] == counts["first"]
    assert counts["both"] + counts["only_second"] == counts["second"]


def test_compare_parts_are_actor_sets(project):
    parts = {part: compare_actors_sql(MARCH_2, MARCH_3, project, part) for part in ("both", "only_first", "only_second")}

    assert users_of(project, parts["both"]) == {"a", "d"}
    assert users_of(project, parts["only_first"]) == {"b"}
    assert users_of(project, parts["only_second"]) == {"c"}
    assert actor_count(project.cursor(), parts["both"], project) == 2
    assert "only in Buy, [2024-03-02 00:00, 2024-03-03 00:00) UTC" in parts["only_first"].label


def test_compare_both_counts_events_of_both_points(project):
    both = compare_actors_sql(MARCH_2, MARCH_3, project, "both")

    users = point_users(project.cursor(), both, project).set_index("user_id")

    assert users.loc["a", "events_in_point"] == 2
    assert users.loc["d", "events_in_point"] == 2


def test_compare_same_point_counts_events_once(project):
    both = compare_actors_sql(MARCH_3, MARCH_3, project, "both")

    users = point_users(project.cursor(), both, project).set_index("user_id")

    assert users.loc["d", "events_in_point"] == 1


def test_compare_part_streams_and_paths(project):
    cursor = project.cursor()
    both = compare_actors_sql(MARCH_2, MARCH_3, project, "both")

    stream = user_stream(cursor, both, project, find_actor(cursor, "d"))
    paths = path_rows(cursor, both, project)

    assert stream["event_type"].tolist() == ["Buy", "Buy", "View"]
    assert stream["counted"].tolist() == [True, True, False]
    assert set(stream["position"]) == {"in"}
    # Each path starts at the user's first counted event; d's March 2 session ends there.
    assert paths.to_dict("records") == [{"path": "Buy > End", "users": 2}]


def test_compare_rejects_unknown_part(project):
    with pytest.raises(MicroscopeError, match="part: 'either'"):
        compare_actors_sql(MARCH_2, MARCH_3, project, "either")
