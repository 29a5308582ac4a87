"""Pathfinder: paths after a start event and before an end event, counted by hand on small projects."""

from __future__ import annotations

from datetime import date

import pytest

from builders import build_project
from path_data import pathfinder_events, session_events
from tui.analytics.definition import DateRange, DefinitionError, Filter
from tui.analytics.pathfinder import pathfinder, pathfinder_rows

MARCH_3 = DateRange(date(2024, 3, 3), date(2024, 3, 3))


@pytest.fixture
def project(tmp_path):
    with build_project(tmp_path, pathfinder_events()) as project:
        yield project


def users_by_path(project, date_range=MARCH_3, **options) -> dict[str, int]:
    nodes = pathfinder(project.cursor(), project, date_range, **options)
    return {row.path: row.users for row in nodes.itertuples()}


def test_after_start_counts_users(project):
    assert users_by_path(project, start="View") == {
        "View": 6,
        "View > Cart": 3, "View > Buy": 1, "View > Help": 1, "View > Home": 1,
        "View > Cart > Buy": 2, "View > Cart > End": 1,
        "View > Cart > Buy > End": 2,
        "View > Buy > End": 1, "View > Help > End": 1, "View > Home > End": 1,
    }


def test_after_start_tree_links(project):
    nodes = pathfinder(project.cursor(), project, MARCH_3, start="View")
    by_path = {row.path: row for row in nodes.itertuples()}

    assert by_path["View"].depth == 0
    assert by_path["View > Cart > Buy"].depth == 2
    assert by_path["View > Cart > Buy"].parent_id == by_path["View > Cart"].node_id
    assert by_path["View > Cart"].share_of_parent == pytest.approx(3 / 6)
    assert by_path["View > Cart > End"].kind == "end"
    assert by_path["View > Cart > End"].event == "End"


def test_after_start_keep_repeats(project):
    users = users_by_path(project, start="View", keep_repeats=True)

    # u2's "View View Cart" keeps both views.
    assert users["View > View > Cart > End"] == 1
    assert users["View > Cart"] == 2


def test_after_start_other_node(project):
    nodes = pathfinder(project.cursor(), project, MARCH_3, start="View", top=1)
    by_path = {row.path: row for row in nodes.itertuples()}

    assert by_path["View > Cart"].users == 3
    other = by_path["View > Other"]
    assert other.kind == "other"
    assert other.label == "Other (3 events, 3 users)"
    assert other.other_event_count == 3
    assert set(by_path) == {
        "View", "View > Cart", "View > Other", "View > Cart > Buy", "View > Cart > End", "View > Cart > Buy > End",
    }


def test_after_start_depth_cut(project):
    users = users_by_path(project, start="View", depth=1)

    # Every user has a next event, so no path ends before depth 1.
    assert users == {"View": 6, "View > Cart": 3, "View > Buy": 1, "View > Help": 1, "View > Home": 1}


def test_before_end_counts_users(project):
    nodes = pathfinder(project.cursor(), project, MARCH_3, end="Buy")
    users = {row.path: row.users for row in nodes.itertuples()}

    # u2's Buy opens its own session, so nothing comes before it.
    assert users == {
        "Buy": 5,
        "Buy > Cart": 3, "Buy > View": 1, "Buy > Start": 1,
        "Buy > Cart > View": 2, "Buy > Cart > Start": 1,
        "Buy > Cart > View > Start": 1, "Buy > Cart > View > Home": 1,
        "Buy > Cart > View > Home > Start": 1,
        "Buy > View > Cart": 1, "Buy > View > Cart > Start": 1,
    }
    start_nodes = nodes[nodes["kind"] == "end"]
    assert set(start_nodes["event"]) == {"Start"}
    assert set(start_nodes["label"]) == {"Start"}


def test_before_end_rows_in_time_order(project):
    rows = pathfinder_rows(project.cursor(), project, MARCH_3, end="Buy")

    assert rows.to_dict("records") == [
        {"path": "Start > Buy", "users": 1},
        {"path": "Start > Cart > Buy", "users": 1},
        {"path": "Start > Cart > View > Buy", "users": 1},
        {"path": "Start > Home > View > Cart > Buy", "users": 1},
        {"path": "Start > View > Cart > Buy", "users": 1},
    ]


def test_before_end_keep_repeats(project):
    users = users_by_path(project, end="Buy", keep_repeats=True)

    assert users["Buy > Cart > Cart > Start"] == 1
    assert "Buy > Cart > Start" not in users
    assert users["Buy > Cart"] == 3


def test_before_end_depth_and_other(project):
    users = users_by_path(project, end="Buy", depth=2, top=1)

    assert users == {
        "Buy": 5,
        "Buy > Cart": 3, "Buy > Other": 1, "Buy > Start": 1,
        "Buy > Cart > View": 2, "Buy > Cart > Start": 1,
    }


def test_after_start_rows(project):
    rows = pathfinder_rows(project.cursor(), project, MARCH_3, start="View", depth=2)

    assert rows.to_dict("records") == [
        {"path": "View > Cart > Buy", "users": 2},
        {"path": "View > Buy > End", "users": 1},
        {"path": "View > Cart > End", "users": 1},
        {"path": "View > Help > End", "users": 1},
        {"path": "View > Home > End", "users": 1},
    ]


def test_any_event_starts_at_first_event(project):
    users = users_by_path(project, start="*", depth=1)

    assert {path: count for path, count in users.items() if " > " not in path} == {"View": 4, "Home": 1, "Cart": 2}
    assert users["Cart > Buy"] == 1  # u7's repeated Cart collapses
    assert users["Cart > View"] == 1


def test_first_occurrence_and_where(tmp_path):
    events = session_events("w1", "View Cart | View Help")
    events[0]["platform"], events[2]["platform"] = "Android", "iOS"
    events += session_events("w2", "~View Cart", platform="iOS")
    with build_project(tmp_path, events) as project:
        every_view = users_by_path(project, start="View")
        on_ios = users_by_path(project, start="View", where=(Filter("platform", "=", "iOS"),))

    # w1's first View starts the path. w2's View is out of session, and Cart a minute later stays on its path.
    assert every_view == {"View": 2, "View > Cart": 2, "View > Cart > End": 2}
    # The filter picks w1's second View, and the path's other events need not match it.
    assert on_ios == {"View": 2, "View > Help": 1, "View > Help > End": 1, "View > Cart": 1, "View > Cart > End": 1}


def test_same_timestamp_follows_file_order(tmp_path):
    events = [
        {"event_type": name, "event_time": "2024-03-03T10:00:00Z", "user_id": "s", "session_id": "s-1"}
        for name in ("Cart", "View", "Buy")
    ]
    with build_project(tmp_path, events) as project:
        after = users_by_path(project, start="View")
        before = users_by_path(project, end="View")

    assert after == {"View": 1, "View > Buy": 1, "View > Buy > End": 1}
    assert before == {"View": 1, "View > Cart": 1, "View > Cart > Start": 1}


def test_anonymous_events_join_their_user(tmp_path):
    events = [
        {"event_type": "View", "event_time": "2024-03-03T10:00:00Z", "device_id": "d9", "session_id": "d9-1"},
        {"event_type": "Cart", "event_time": "2024-03-03T10:01:00Z", "user_id": "u11", "device_id": "d9",
         "session_id": "d9-1"},
    ]
    with build_project(tmp_path, events) as project:
        users = users_by_path(project, start="View")

    assert users == {"View": 1, "View > Cart": 1, "View > Cart > End": 1}


def test_range_edges_in_project_zone(tmp_path):
    # 2024-03-10 in New York runs from 05:00 UTC (EST) to 04:00 UTC the next day (EDT): 23 hours.
    events = (
        session_events("early", "View Cart", start="2024-03-10T04:59")  # View at 23:59 on the 9th
        + session_events("first", "View Cart", start="2024-03-10T05:00")  # View at midnight
        + session_events("last", "View Buy", start="2024-03-11T03:59")  # Buy at midnight on the 11th
        + session_events("late", "View", start="2024-03-11T04:00")
    )
    sunday = DateRange(date(2024, 3, 10), date(2024, 3, 10))
    with build_project(tmp_path, events, timezone="America/New_York") as project:
        users = users_by_path(project, sunday, start="View")
        in_utc = pathfinder(project.cursor(), {"timezone": "UTC"}, sunday, start="View")

    # first's View at midnight counts, and last's path ends where the day does.
    assert users == {"View": 2, "View > Cart": 1, "View > Cart > End": 1, "View > End": 1}
    # Cut in UTC instead, the day contains early's and first's Views and neither of last's events.
    assert dict(zip(in_utc["path"], in_utc["users"])) == {"View": 2, "View > Cart": 2, "View > Cart > End": 2}


def test_unicode_and_markup_names(tmp_path):
    events = session_events("ユーザー", "Ansicht👀 café [bold]x[/] 購入")
    with build_project(tmp_path, events) as project:
        after = pathfinder_rows(project.cursor(), project, MARCH_3, start="Ansicht👀")
        before = pathfinder_rows(project.cursor(), project, MARCH_3, end="購入")

    assert after.to_dict("records") == [{"path": "Ansicht👀 > café > [bold]x[/] > 購入 > End", "users": 1}]
    assert before.to_dict("records") == [{"path": "Start > Ansicht👀 > café > [bold]x[/] > 購入", "users": 1}]


def test_no_users_gives_empty_tree(project):
    nodes = pathfinder(project.cursor(), project, MARCH_3, start="Never done")

    assert nodes.empty
    assert pathfinder_rows(project.cursor(), project, MARCH_3, start="Never done").empty


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "start, end: give exactly one"),
        ({"start": "View", "end": "Buy"}, "start, end: give exactly one"),
        ({"start": ""}, "start: '' is not an event type"),
        ({"end": "Buy", "depth": 0}, "depth: 0 is not a positive whole number"),
        ({"start": "View", "top": -1}, "top: -1 is not a positive whole number"),
    ],
)
def test_rejects_bad_options(project, options, message):
    with pytest.raises(DefinitionError, match=message):
        pathfinder(project.cursor(), project, MARCH_3, **options)


def test_rejects_reversed_range(project):
    backwards = DateRange(date(2024, 3, 5), date(2024, 3, 3))
    with pytest.raises(DefinitionError, match=r"range: 'to' \(2024-03-03\) is before 'from' \(2024-03-05\)"):
        pathfinder(project.cursor(), project, backwards, start="View")


def test_interleaved_session_ends_path(tmp_path):
    events = session_events("i", "View Help Cart")
    events[1]["session_id"] = "other"
    events += session_events("o", "Cart ~Buy")
    with build_project(tmp_path, events) as project:
        after = users_by_path(project, start="View")
        before_cart = users_by_path(project, end="Cart")
        before_buy = users_by_path(project, end="Buy")

    # Help's other session ends i's path, though Cart comes back to View's session.
    assert after == {"View": 1, "View > End": 1}
    assert before_cart == {"Cart": 2, "Cart > Start": 2}
    # o's Buy is out of session, so it takes the session of Cart, a minute before it.
    assert before_buy == {"Buy": 1, "Buy > Cart": 1, "Buy > Cart > Start": 1}


def test_out_of_session_first_start(tmp_path):
    # The first View is out of session, and its path goes on in the session of Cart, a minute later.
    events = session_events("x", "~View Cart View")
    with build_project(tmp_path, events) as project:
        after = users_by_path(project, start="View")

    assert after == {"View": 1, "View > Cart": 1, "View > Cart > View": 1, "View > Cart > View > End": 1}
