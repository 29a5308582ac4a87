"""Streams and profiles in the app: an out-of-session event is marked on its row and splits no session by itself.

A session block's line in a stream reads like its header in a profile."""

from __future__ import annotations

import pytest

from builders import build_project
from microscope_app import error_messages, press, running
from test_session_blocks import ANY_EVENT, TIMELINES, timeline_events
from tui.app.microscope.profile_screen import ProfileScreen
from tui.app.microscope.stream_rows import OUT_OF_SESSION_MARK
from tui.app.microscope.streams_screen import StreamsScreen
from tui.store.saved_charts import save_chart

USERS = ("between", "late", "only_out")


@pytest.fixture
def project_path(tmp_path):
    timelines = {user: TIMELINES[user] for user in USERS}
    with build_project(tmp_path, timeline_events(timelines)) as project:
        save_chart(project.con, "Any event", ANY_EVENT)
        path = project.path
    return path


def user_lines(screen: StreamsScreen, user: str) -> list[str]:
    """Return the text of one user's stream rows after its header: a rule's label, or an event's time and name."""
    rows = screen.table.loaded_rows()
    start = next(index for index in screen.user_starts if rows[index].key.display_id == user)
    following = [index for index in screen.user_starts if index > start]
    end = following[0] if following else len(rows)
    return [row.plain()[0] if row.rule else " ".join(row.plain()[:2]) for row in rows[start + 1 : end]]


async def open_streams(app, pilot) -> StreamsScreen:
    await press(app, pilot, "enter", "s")
    assert isinstance(app.screen, StreamsScreen)
    return app.screen


async def test_stream_lines_around_out_of_session(project_path):
    async with running(project_path) as (app, pilot):
        screen = await open_streams(app, pilot)
        between = user_lines(screen, "between")
        late = user_lines(screen, "late")
        only_out = user_lines(screen, "only_out")
        status = screen.query_one("#streams-status").content.plain
        assert error_messages(app) == []

    # The line above a block reads like a profile's session header, and the id names the session.
    # Fail is out of session but stays in the block, so the header counts it apart.
    assert between == [
        "range start 2024-03-03 00:00:00",
        "Session s1 · started 2024-03-03 10:00:00 · 3 min 00 s · 4 events, 1 out of session",
        "2024-03-03 10:00:00 View",
        f"2024-03-03 10:01:00 Fail {OUT_OF_SESSION_MARK}",
        "2024-03-03 10:02:00 Cart",
        "2024-03-03 10:03:00 Buy",
        "range end 2024-03-04 00:00:00",
    ]
    # More than the 30-minute gap passed, so Fail starts a block of its own.
    assert late[1:] == [
        "Session s1 · started 2024-03-03 10:00:00 · 0 s · 1 event",
        "2024-03-03 10:00:00 View",
        "Out of session · started 2024-03-03 10:31:00 · 0 s · 1 event",
        f"2024-03-03 10:31:00 Fail {OUT_OF_SESSION_MARK}",
        "range end 2024-03-04 00:00:00",
    ]
    assert only_out[1:] == [
        "Out of session · started 2024-03-03 10:00:00 · 10 min 00 s · 3 events",
        f"2024-03-03 10:00:00 View {OUT_OF_SESSION_MARK}",
        f"2024-03-03 10:01:00 Fail {OUT_OF_SESSION_MARK}",
        f"2024-03-03 10:10:00 Cart {OUT_OF_SESSION_MARK}",
        "Out of session · started 2024-03-03 10:45:00 · 0 s · 1 event",
        f"2024-03-03 10:45:00 Buy {OUT_OF_SESSION_MARK}",
        "range end 2024-03-04 00:00:00",
    ]
    # The status line explains the mark, because the batch has events out of session.
    assert f" · {OUT_OF_SESSION_MARK} out of session · " in status


async def open_profile_at(app, pilot, streams: StreamsScreen, user: str) -> ProfileScreen:
    """Open the profile of ``user`` from the first event row of their stream."""
    rows = streams.table.loaded_rows()
    index = next(
        position for position, row in enumerate(rows) if not row.rule and row.key.display_id == user and row.key.seq
    )
    streams.table.move_cursor(index)
    await press(app, pilot, "enter")
    assert isinstance(app.screen, ProfileScreen)
    return app.screen


def activity_lines(profile: ProfileScreen) -> list[str]:
    return [row.plain()[0] if row.rule else " ".join(row.plain()[:2]) for row in profile.table.loaded_rows()]


async def test_profile_headers_around_out_of_session(project_path):
    async with running(project_path) as (app, pilot):
        streams = await open_streams(app, pilot)
        between = activity_lines(await open_profile_at(app, pilot, streams, "between"))
        await press(app, pilot, "escape")
        late = activity_lines(await open_profile_at(app, pilot, streams, "late"))
        await press(app, pilot, "escape")
        only_out = activity_lines(await open_profile_at(app, pilot, streams, "only_out"))
        assert error_messages(app) == []

    # One session of four events, newest first, with the out-of-session event inside it and counted as such.
    assert between == [
        "Session 1 (s1) · started 2024-03-03 10:00:00 · 3 min 00 s · 4 events, 1 out of session",
        "2024-03-03 10:03:00 Buy",
        "2024-03-03 10:02:00 Cart",
        "2024-03-03 10:01:00 Fail (out of session)",
        "2024-03-03 10:00:00 View",
    ]
    assert late == [
        "Out of session · started 2024-03-03 10:31:00 · 0 s · 1 event",
        "2024-03-03 10:31:00 Fail (out of session)",
        "Session 1 (s1) · started 2024-03-03 10:00:00 · 0 s · 1 event",
        "2024-03-03 10:00:00 View",
    ]
    assert only_out == [
        "Out of session · started 2024-03-03 10:45:00 · 0 s · 1 event",
        "2024-03-03 10:45:00 Buy (out of session)",
        "Out of session · started 2024-03-03 10:00:00 · 10 min 00 s · 3 events",
        "2024-03-03 10:10:00 Cart (out of session)",
        "2024-03-03 10:01:00 Fail (out of session)",
        "2024-03-03 10:00:00 View (out of session)",
    ]
