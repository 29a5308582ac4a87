"""Paths across out-of-session events, which join the path of the events around them unless the session gap passes."""

from __future__ import annotations

from datetime import date

import pytest

from builders import build_project
from microscope_data import minutes_after
from tui.analytics.definition import DateRange, parse_chart
from tui.analytics.microscope import path_rows
from tui.analytics.pathfinder import pathfinder_rows
from tui.analytics.point import Point
from tui.store.session_gap import change_session_gap

MARCH_3 = DateRange(date(2024, 3, 3), date(2024, 3, 3))
START = "2024-03-03T10:00"
OUT = "-1"

# Each user's events as (minute after START, event, session id). OUT is Amplitude's "out of session".
# The project's session gap is its default, 30 minutes.
TIMELINES = {
    # An out-of-session event between two events of one session.
    "between": [(0, "View", "s1"), (1, "Fail", OUT), (2, "Cart", "s1"), (3, "Buy", "s1")],
    # 31 minutes pass before the out-of-session event, more than the gap.
    "late": [(0, "View", "s1"), (31, "Fail", OUT)],
    # Exactly the gap: a session by the gap also keeps events 30 minutes apart.
    "at_gap": [(0, "View", "s1"), (30, "Fail", OUT)],
    # The session changes after the out-of-session event.
    "switch": [(0, "View", "s1"), (1, "Fail", OUT), (2, "Cart", "s2")],
    # No event in a session: only the gap splits.
    "only_out": [(0, "View", OUT), (1, "Fail", OUT), (10, "Cart", OUT), (45, "Buy", OUT)],
    # One timestamp for all three, kept in file order.
    "same_time": [(0, "View", "s1"), (0, "Fail", OUT), (0, "Cart", "s1")],
    # An out-of-session start takes the session of the next event in a session.
    "out_start": [(0, "View", OUT), (1, "Cart", "s1"), (2, "Buy", "s1"), (3, "Help", "s2")],
}


def timeline_events(timelines: dict, with_session_ids: bool = True) -> list[dict]:
    """Return the events of ``timelines`` for the JSON-lines import, in order within each user.

    Without ``with_session_ids`` the events have no ``session_id`` key, so
    the import cuts sessions by the gap.
    """
    events = []
    for user, timeline in timelines.items():
        for minute, event, session in timeline:
            row = {"event_type": event, "event_time": minutes_after(START, minute), "user_id": user}
            if with_session_ids:
                row["session_id"] = session
            events.append(row)
    return events


@pytest.fixture
def project(tmp_path):
    with build_project(tmp_path, timeline_events(TIMELINES)) as project:
        yield project


def rows_by_path(rows) -> dict[str, int]:
    return dict(zip(rows["path"], rows["users"]))


def test_after_start_joins_out_of_session(project):
    rows = pathfinder_rows(project.cursor(), project, MARCH_3, start="View")

    assert rows_by_path(rows) == {
        "View > Fail > Cart > End": 2,  # only_out (Buy came 35 minutes after Cart), same_time
        "View > Fail > End": 2,  # at_gap, switch (Cart is in another session)
        "View > Fail > Cart > Buy > End": 1,  # between
        "View > Cart > Buy > End": 1,  # out_start (Help is in another session)
        "View > End": 1,  # late
    }


def test_before_end_joins_out_of_session(project):
    rows = pathfinder_rows(project.cursor(), project, MARCH_3, end="Cart")

    assert rows_by_path(rows) == {
        "Start > View > Fail > Cart": 3,  # between, only_out, same_time
        "Start > Fail > Cart": 1,  # switch: View is in the session before
        "Start > View > Cart": 1,  # out_start
    }


def test_out_of_session_anchor_borrows_session(project):
    after = pathfinder_rows(project.cursor(), project, MARCH_3, start="Fail")
    before = pathfinder_rows(project.cursor(), project, MARCH_3, end="Fail")

    # Going forward, Fail takes the session of the next event in one, and going backward, of the previous one.
    assert rows_by_path(after) == {
        "Fail > Cart > End": 3,  # switch, only_out, same_time
        "Fail > End": 2,  # late, at_gap
        "Fail > Cart > Buy > End": 1,  # between
    }
    assert rows_by_path(before) == {
        "Start > View > Fail": 5,
        "Start > Fail": 1,  # late
    }


def test_gap_comes_from_project_setting(tmp_path):
    timelines = {"late": TIMELINES["late"], "only_out": TIMELINES["only_out"]}
    with build_project(tmp_path, timeline_events(timelines)) as project:
        default_gap = pathfinder_rows(project.cursor(), project, MARCH_3, start="View")
        change_session_gap(project, 40)
        longer_gap = pathfinder_rows(project.cursor(), project, MARCH_3, start="View")

    assert rows_by_path(default_gap) == {"View > End": 1, "View > Fail > Cart > End": 1}
    assert rows_by_path(longer_gap) == {"View > Fail > End": 1, "View > Fail > Cart > Buy > End": 1}


def test_funnel_drop_off_keeps_failure(tmp_path):
    timelines = {
        "failed": [(0, "View Pricing", "s1"), (1, "Start Checkout", "s1"), (2, "Payment Failed", OUT)],
        "retried": [(0, "View Pricing", "s1"), (1, "Start Checkout", "s1"), (2, "Payment Failed", OUT),
                    (3, "Start Checkout", "s1"), (4, "Purchase", "s1")],
        "left": [(0, "View Pricing", "s1"), (1, "Start Checkout", "s1")],
    }
    funnel = parse_chart({
        "type": "funnel", "window": "1d", "interval": "day", "range": {"from": "2024-03-03", "to": "2024-03-03"},
        "steps": [{"event": "View Pricing"}, {"event": "Start Checkout"}, {"event": "Purchase"}],
    })
    with build_project(tmp_path, timeline_events(timelines)) as project:
        dropped = path_rows(project.cursor(), Point(funnel, step=3, dropped=True), project)
        converted = path_rows(project.cursor(), Point(funnel, step=3), project)

    # The paths start at each user's last step reached, Start Checkout for a drop-off.
    assert rows_by_path(dropped) == {"Start Checkout > Payment Failed > End": 1, "Start Checkout > End": 1}
    assert rows_by_path(converted) == {"Purchase > End": 1}
