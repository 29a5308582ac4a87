"""User paths of a point: node counts, Other and End, collapsed repeats, session splits, depth, range limit, anchors."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest

from builders import build_project
from microscope_data import chart_json, day_point
from path_data import session_events
from tui.analytics.microscope import ActorSet, MicroscopeError, path_rows, point_paths
from tui.analytics.definition import parse_chart
from tui.analytics.microscope.actor_set import events_actor_set
from tui.analytics.microscope.paths import PathRangeError
from tui.analytics.point import Point

CHART = chart_json("Start")
POINT = day_point(CHART, 2)  # 2024-03-03

# Each user's events in the bucket, one minute apart; "|" starts a new session, "~" is out of session.
PATHS = {
    "u1": "Start A A B",
    "u2": "Start A B C",
    "u3": "Start | A",
    "u4": "~Start A",
    "u5": "Start A D",
    "u6": "Start F",
    "u7": "Start G A",
    "u8": "Start Start A",
    "u9": "A Start B",
}


@pytest.fixture
def project(tmp_path):
    events = [event for user, text in PATHS.items() for event in session_events(user, text)]
    # Outside the bucket: u8's next-day event and u9's Start the day before end or start no path.
    events.append({"event_type": "B", "event_time": "2024-03-04T10:00:00+00:00", "user_id": "u8", "session_id": "u8-1"})
    events.append({"event_type": "Start", "event_time": "2024-03-02T10:00:00+00:00", "user_id": "u9",
                   "session_id": "u9-0"})
    with build_project(tmp_path, events) as project:
        yield project


def nodes_by_path(project, **options) -> dict:
    nodes = point_paths(project.cursor(), POINT, project, **options)
    return {row.path: row for row in nodes.itertuples()}


def test_paths_count_users_per_node(project):
    nodes = nodes_by_path(project)

    users = {path: row.users for path, row in nodes.items()}
    assert users == {
        "Start": 9,
        "Start > A": 5, "Start > End": 1, "Start > B": 1, "Start > F": 1, "Start > G": 1,
        "Start > A > B": 2, "Start > A > D": 1, "Start > A > End": 2,
        "Start > A > B > End": 1, "Start > A > B > C": 1, "Start > A > B > C > End": 1,
        "Start > A > D > End": 1, "Start > B > End": 1, "Start > F > End": 1,
        "Start > G > A": 1, "Start > G > A > End": 1,
    }


def test_paths_tree_links(project):
    nodes = nodes_by_path(project)

    assert pd.isna(nodes["Start"].parent_id)
    assert nodes["Start"].depth == 0
    assert nodes["Start > A"].parent_id == nodes["Start"].node_id
    assert nodes["Start > A > B"].parent_id == nodes["Start > A"].node_id
    assert nodes["Start > A > B"].depth == 2
    assert nodes["Start > A"].share_of_parent == pytest.approx(5 / 9)
    assert nodes["Start > A > B"].share_of_parent == pytest.approx(2 / 5)


def test_paths_other_node(project):
    nodes = nodes_by_path(project, top=2)

    other = nodes["Start > Other"]
    assert other.kind == "other"
    assert other.users == 2
    assert other.other_event_count == 2
    assert other.label == "Other (2 events, 2 users)"
    # Ties at one user go by event name: B stays, F and G merge; Other nodes are not split further.
    assert "Start > B" in nodes
    assert not any(path.startswith("Start > Other >") for path in nodes)
    assert {path for path in nodes if path.startswith("Start > A >") and path.count(">") == 2} == {
        "Start > A > B", "Start > A > D", "Start > A > End"
    }


def test_paths_other_cuts_second_level(project):
    nodes = nodes_by_path(project, top=1)

    assert nodes["Start > A"].users == 5
    assert nodes["Start > Other"].users == 3
    assert nodes["Start > Other"].other_event_count == 3
    assert nodes["Start > End"].users == 1
    assert nodes["Start > A > B"].users == 2
    assert nodes["Start > A > Other"].users == 1
    assert nodes["Start > A > End"].users == 2


def test_paths_end_nodes(project):
    nodes = nodes_by_path(project)

    ends = {path: row.users for path, row in nodes.items() if row.kind == "end"}
    assert ends["Start > End"] == 1  # u3's session changed
    # u4's out-of-session Start has A a minute later, and u8's next event was outside the bucket.
    assert ends["Start > A > End"] == 2
    assert all(row.event == "End" for row in nodes.values() if row.kind == "end")


def test_paths_keep_repeats(project):
    nodes = nodes_by_path(project, keep_repeats=True)

    assert nodes["Start > A > A > B > End"].users == 1
    assert nodes["Start > Start > A > End"].users == 1
    assert nodes["Start > A"].users == 4


def test_paths_depth_cuts_without_end(project):
    nodes = nodes_by_path(project, depth=2)

    assert max(row.depth for row in nodes.values()) == 2
    assert nodes["Start > A > B"].users == 2
    assert "Start > A > B > End" not in nodes
    assert nodes["Start > A > End"].users == 2


def test_path_rows_cover_every_user(project):
    rows = path_rows(project.cursor(), POINT, project, depth=3)

    assert list(rows.columns) == ["path", "users"]
    assert rows["users"].sum() == 9
    assert rows.iloc[0].tolist() == ["Start > A > End", 2]
    assert "Start > A > B > C" in rows["path"].tolist()
    assert rows["users"].is_monotonic_decreasing


def test_paths_reject_long_range(tmp_path):
    monthly = day_point(chart_json("Start", "2024-03-01", "2024-03-31", interval="month"), 0)
    with build_project(tmp_path, session_events("u1", "Start A")) as project:
        cursor = project.cursor()
        with pytest.raises(PathRangeError, match=r"31 days.*--path-max-days") as refused:
            point_paths(cursor, monthly, project)
        with pytest.raises(PathRangeError, match=r"more than the limit of 20 days\. The point covers 31 days"):
            point_paths(cursor, monthly, project, max_days=20)

        raised = path_rows(cursor, monthly, project, max_days=31)
        project.set_setting("path_max_days", 40)
        from_setting = path_rows(cursor, monthly, project)

    assert isinstance(refused.value, MicroscopeError)
    assert refused.value.days == 31
    assert refused.value.limit == 30
    assert raised.to_dict("records") == [{"path": "Start > A > End", "users": 1}]
    assert from_setting.equals(raised)


def test_paths_range_names_window_hours(tmp_path):
    funnel = parse_chart({"type": "funnel", "steps": [{"event": "Start"}, {"event": "A"}], "window": "12h",
                          "interval": "day", "range": {"from": "2024-03-01", "to": "2024-03-30"}})
    with build_project(tmp_path, session_events("u1", "Start A")) as project:
        with pytest.raises(PathRangeError) as refused:
            point_paths(project.cursor(), Point(funnel, step=2), project)

    message = str(refused.value)
    assert message.startswith("This report would read 30.5 days of events, more than the project's limit of 30 days")
    assert "The point covers 30 days, [2024-03-01 00:00, 2024-03-31 00:00) UTC, and its paths read 0.5 days more" in message
    assert "for the funnel's 12h conversion window" in message
    assert refused.value.days == 30.5


def test_paths_reject_bad_depth(project):
    with pytest.raises(MicroscopeError, match="depth"):
        point_paths(project.cursor(), POINT, project, depth=0)



# Steps of a funnel: the set contains each user's S and A events, as the steps a drop-off reached.
ANCHOR_PATHS = {
    "x": "S A S B",
    "y": "S A C",
    "z": "A S | C",
    "w": "S ~S C",
}


@pytest.fixture
def anchor_project(tmp_path):
    events = [event for user, text in ANCHOR_PATHS.items() for event in session_events(user, text)]
    with build_project(tmp_path, events) as project:
        yield project


def steps_set(anchor: str) -> ActorSet:
    start = datetime(2024, 3, 3, tzinfo=timezone.utc)
    events = ("SELECT * EXCLUDE (dedupe_key) FROM events WHERE event_type IN ('S', 'A')", [])
    actor_set = events_actor_set("S or A", events, start, start + timedelta(days=1))
    return replace(actor_set, anchor=anchor)


def test_paths_anchor_first(anchor_project):
    rows = path_rows(anchor_project.cursor(), steps_set("first"), anchor_project)

    assert rows.to_dict("records") == [
        {"path": "A > S > End", "users": 1},
        {"path": "S > A > C > End", "users": 1},
        {"path": "S > A > S > B > End", "users": 1},
        {"path": "S > C > End", "users": 1},  # w's out-of-session S collapses into the S before it
    ]


def test_paths_anchor_last(anchor_project):
    rows = path_rows(anchor_project.cursor(), steps_set("last"), anchor_project)

    # x's last S, y's A. z's last step S ends its session, so C is not on its path. w's last S is out
    # of session, and C, a minute later, is on its path.
    assert rows.to_dict("records") == [
        {"path": "A > C > End", "users": 1},
        {"path": "S > B > End", "users": 1},
        {"path": "S > C > End", "users": 1},
        {"path": "S > End", "users": 1},
    ]


def test_paths_reject_bad_anchor(anchor_project):
    with pytest.raises(MicroscopeError, match="anchor: invalid value 'middle'"):
        point_paths(anchor_project.cursor(), steps_set("middle"), anchor_project)
