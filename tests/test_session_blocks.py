"""Session blocks in streams and profile activity: out-of-session events join the events around them."""

from __future__ import annotations

import pandas as pd
import pytest

from builders import build_project
from microscope_data import day_point, minutes_after
from test_paths_out_of_session import OUT, START, TIMELINES as PATH_TIMELINES, timeline_events
from tui.analytics.microscope import activity, find_actor, point_streams
from tui.store.session_gap import change_session_gap

# Any event on 2024-03-03, so every event of the timelines is in the point's range.
ANY_EVENT = {
    "type": "segmentation", "events": [{"event": "*"}], "measure": "uniques", "interval": "day",
    "range": {"from": "2024-03-03", "to": "2024-03-03"},
}
POINT = day_point(ANY_EVENT, 0)

# The timelines of the paths tests, and two more where the gap splits a session. Each user's events
# are (minute after START, event, session id), with the project's default gap of 30 minutes.
TIMELINES = {
    **PATH_TIMELINES,
    # The gap before Fail splits session s1 in two blocks.
    "back_to_s1": [(0, "View", "s1"), (40, "Fail", OUT), (41, "Cart", "s1")],
    # After the gap, Fail joins the next session, s2, as it would in a path starting at Fail.
    "late_then_s2": [(0, "View", "s1"), (40, "Fail", OUT), (41, "Cart", "s2")],
}

# Per user: the events that start a block, and each event's block session id (None for a block out of session).
EXPECTED = {
    "between": ([True, False, False, False], ["s1", "s1", "s1", "s1"]),
    "late": ([True, True], ["s1", None]),
    "at_gap": ([True, False], ["s1", "s1"]),
    "switch": ([True, False, True], ["s1", "s1", "s2"]),
    "only_out": ([True, False, False, True], [None, None, None, None]),
    "same_time": ([True, False, False], ["s1", "s1", "s1"]),
    "out_start": ([True, False, False, True], ["s1", "s1", "s1", "s2"]),
    "back_to_s1": ([True, True, False], ["s1", "s1", "s1"]),
    "late_then_s2": ([True, True, False], ["s1", "s2", "s2"]),
}


@pytest.fixture
def project(tmp_path):
    with build_project(tmp_path, timeline_events(TIMELINES)) as project:
        yield project


def optional(values) -> list:
    """Return ``values`` as a list with None for NULL (pandas gives NaN or NA)."""
    return [None if pd.isna(value) else value for value in values]


def stream_of(project, user: str):
    cursor = project.cursor()
    return point_streams(cursor, POINT, project, [find_actor(cursor, user)])


def activity_of(project, user: str):
    cursor = project.cursor()
    return activity(cursor, find_actor(cursor, user), limit=None, newest_first=False)


@pytest.mark.parametrize("user", list(TIMELINES))
def test_stream_blocks(project, user):
    stream = stream_of(project, user)
    breaks, session_ids = EXPECTED[user]

    assert stream["event_type"].tolist() == [event for _, event, _ in TIMELINES[user]]
    assert stream["session_break"].tolist() == breaks
    assert optional(stream["block_session_id"]) == session_ids


@pytest.mark.parametrize("user", list(TIMELINES))
def test_activity_blocks(project, user):
    events = activity_of(project, user)
    breaks, session_ids = EXPECTED[user]

    assert events["event_type"].tolist() == [event for _, event, _ in TIMELINES[user]]
    assert events["session_start"].tolist() == breaks
    assert optional(events["block_session_id"]) == session_ids


def test_stream_keeps_event_session(project):
    stream = stream_of(project, "between")

    # The event keeps its own session as imported, and the block columns name the block's session.
    assert stream["session_id"].tolist() == ["s1", "-1", "s1", "s1"]
    assert optional(stream["session_key"])[1] is None
    assert stream["block_session_key"].nunique() == 1
    assert stream["block_session_key"].notna().all()


def test_activity_numbers_only_sessions(project):
    late = activity_of(project, "late")
    back = activity_of(project, "back_to_s1")
    only_out = activity_of(project, "only_out")

    # A block out of session has no number, so the numbers count sessions.
    assert optional(late["session_number"]) == [1, None]
    assert optional(only_out["session_number"]) == [None] * 4
    # Session s1 split by the gap is two blocks, each numbered.
    assert back["session_number"].tolist() == [1, 2, 2]


def test_activity_newest_first_page(project):
    cursor = project.cursor()
    actor = find_actor(cursor, "out_start")

    page = activity(cursor, actor, offset=1, limit=2)

    # Newest first, the page contains Buy and Cart. Blocks come from the whole history, so neither starts one.
    assert page["event_type"].tolist() == ["Buy", "Cart"]
    assert page["session_start"].tolist() == [False, False]
    assert page["session_number"].tolist() == [1, 1]
    assert page["block_session_id"].tolist() == ["s1", "s1"]


def test_gap_comes_from_project_setting(project):
    change_session_gap(project, 45)

    # A 45-minute gap is longer than every gap here: 31, 40 and 35 minutes.
    assert stream_of(project, "late")["session_break"].tolist() == [True, False]
    assert stream_of(project, "back_to_s1")["session_break"].tolist() == [True, False, False]
    assert stream_of(project, "only_out")["session_break"].tolist() == [True, False, False, False]
    assert activity_of(project, "late")["session_start"].tolist() == [True, False]


def test_gap_sessions_without_session_ids(tmp_path):
    timelines = {"gaps": [(0, "View", None), (10, "Cart", None), (45, "Buy", None), (50, "Help", None)]}
    with build_project(tmp_path, timeline_events(timelines, with_session_ids=False)) as project:
        stream = stream_of(project, "gaps")
        events = activity_of(project, "gaps")

    # The import cut two sessions by the 30-minute gap. They have keys but no session id.
    assert stream["session_break"].tolist() == [True, False, True, False]
    assert stream["session_key"].notna().all()
    assert stream["block_session_key"].tolist() == stream["session_key"].tolist()
    assert optional(stream["block_session_id"]) == [None] * 4
    assert events["session_number"].tolist() == [1, 1, 2, 2]


def test_missing_session_id_is_out_of_session(tmp_path):
    # The file gives session ids, so an event without one is out of session, as with -1.
    events = [
        {"event_type": "View", "event_time": minutes_after(START, 0), "user_id": "u", "session_id": "s1"},
        {"event_type": "Fail", "event_time": minutes_after(START, 1), "user_id": "u", "session_id": None},
        {"event_type": "Late", "event_time": minutes_after(START, 40), "user_id": "u", "session_id": None},
    ]
    with build_project(tmp_path, events) as project:
        stream = stream_of(project, "u")

    assert optional(stream["session_key"])[1:] == [None, None]
    assert stream["session_break"].tolist() == [True, False, True]
    assert optional(stream["block_session_id"]) == ["s1", "s1", None]
