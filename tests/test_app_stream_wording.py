"""Streams in the app: session lines worded like profile headers, whole event names, the chart event's columns.

A session line counts the block's events out of session, and a block that began before the stream
gets its line above the stream's first event.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from builders import build_project
from microscope_app import error_messages, press, running, shown_line
from test_app_session_blocks import open_profile_at, user_lines
from tui.app.microscope.profile_screen import ProfileScreen
from tui.app.microscope.streams_screen import StreamsScreen
from tui.app.microscope.stream_rows import OUT_OF_SESSION_MARK
from tui.store.saved_charts import save_chart

DAY = datetime(2024, 3, 3, tzinfo=timezone.utc)

FAILED = {
    "type": "segmentation", "events": [{"event": "Payment Failed"}], "measure": "uniques", "interval": "day",
    "range": {"from": "2024-03-03", "to": "2024-03-03"},
}
REVENUE = {
    "type": "segmentation", "events": [{"event": "Purchase"}], "measure": "sum:revenue", "interval": "day",
    "range": {"from": "2024-03-03", "to": "2024-03-03"},
}

# Notes carry the properties most often set in every stream, as in the demo project.
NOTE = {"source": "web", "words": 120, "plan": "pro"}


def at(hour: int, minute: int, second: int = 0) -> datetime:
    return DAY + timedelta(hours=hour, minutes=minute, seconds=second)


def start_stamp(moment: datetime) -> str:
    """Return an Amplitude session id: the session's start in Unix milliseconds."""
    return str(int(moment.timestamp() * 1000))


def event(user: str, moment: datetime, name: str, session_id: str, **properties) -> dict:
    return {
        "user_id": user, "event_type": name, "event_time": moment.isoformat(),
        "session_id": session_id, "event_properties": properties,
    }


def demo_like_events() -> list[dict]:
    """Return the events of three users whose sessions are numbered by their start time, or named."""
    first, second = start_stamp(at(10, 0)), start_stamp(at(12, 0))
    return [
        # amp: two sessions with Amplitude ids, and a payment failure out of session (-1) in the second.
        event("amp", at(10, 0), "Edit Note", first, **NOTE),
        event("amp", at(10, 2), "Payment Failed", first, reason="card_declined"),
        event("amp", at(10, 5, 25), "Edit Note", first, **NOTE),
        event("amp", at(12, 0), "Edit Note", second, **NOTE),
        event("amp", at(12, 1), "Payment Failed", "-1", reason="expired", plan="pro"),
        event("amp", at(12, 3), "Edit Note", second, **NOTE),
        # named: a session id that is no time, so the line names it.
        event("named", at(9, 0), "Payment Failed", "checkout-7", reason="expired"),
        event("named", at(9, 1), "Edit Note", "checkout-7", **NOTE),
        # buyer: revenue is set on one purchase of two, less often than plan and source.
        event("buyer", at(8, 0), "Edit Note", "b1", **NOTE),
        event("buyer", at(8, 1), "Purchase", "b1", plan="pro", source="web", revenue=12),
        event("buyer", at(8, 2), "Edit Note", "b1", **NOTE),
        event("buyer", at(8, 3), "Purchase", "b1", plan="pro", source="web"),
        event("buyer", at(8, 4), "Edit Note", "b1", **NOTE),
    ]


def project_with(tmp_path, chart: dict, events: list[dict]):
    with build_project(tmp_path, events) as project:
        save_chart(project.con, "Chart", chart)
        path = project.path
    return path


@pytest.fixture
def failed_path(tmp_path):
    return project_with(tmp_path, FAILED, demo_like_events())


async def open_streams(app, pilot) -> StreamsScreen:
    await press(app, pilot, "enter", "s")
    assert isinstance(app.screen, StreamsScreen)
    return app.screen


def rule_labels(lines: list[str]) -> list[str]:
    return [line for line in lines if not line.startswith("2024-")]


async def test_stream_session_lines_like_profile(failed_path):
    async with running(failed_path) as (app, pilot):
        streams = await open_streams(app, pilot)
        amp = rule_labels(user_lines(streams, "amp"))
        named = rule_labels(user_lines(streams, "named"))
        profile = await open_profile_at(app, pilot, streams, "amp")
        assert isinstance(app.screen, ProfileScreen)
        headers = [row.plain()[0] for row in profile.table.loaded_rows() if row.rule]
        assert error_messages(app) == []

    # An id that is the session's start in milliseconds repeats the start time, so it is left out.
    # The second session keeps the payment failure out of session (-1) and counts it apart.
    assert amp == [
        "range start 2024-03-03 00:00:00",
        "Session · started 2024-03-03 10:00:00 · 5 min 25 s · 3 events",
        "Session · started 2024-03-03 12:00:00 · 3 min 00 s · 3 events, 1 out of session",
        "range end 2024-03-04 00:00:00",
    ]
    assert headers == [
        "Session 2 · started 2024-03-03 12:00:00 · 3 min 00 s · 3 events, 1 out of session",
        "Session 1 · started 2024-03-03 10:00:00 · 5 min 25 s · 3 events",
    ]
    assert named == [
        "range start 2024-03-03 00:00:00",
        "Session checkout-7 · started 2024-03-03 09:00:00 · 1 min 00 s · 2 events",
        "range end 2024-03-04 00:00:00",
    ]


async def test_stream_event_name_whole(failed_path):
    async with running(failed_path, size=(80, 24)) as (app, pilot):
        streams = await open_streams(app, pilot)
        rows = streams.table.loaded_rows()
        out = next(
            index for index, row in enumerate(rows)
            if not row.rule and row.plain()[1] == f"Payment Failed {OUT_OF_SESSION_MARK}"
        )
        line = shown_line(streams.table, out)
        status = streams.query_one("#streams-status").content.plain
        assert error_messages(app) == []

    # The time, then the name and its mark whole, then the columns.
    assert line[2:].startswith(f"2024-03-03 12:01:00 Payment Failed {OUT_OF_SESSION_MARK} ")
    assert "…" not in line[:40]
    assert f" · {OUT_OF_SESSION_MARK} out of session · " in status


async def test_stream_columns_of_chart_event(failed_path):
    async with running(failed_path) as (app, pilot):
        streams = await open_streams(app, pilot)
        names = streams.property_names
        titles = [column.title for column in streams.table.columns][2:]
        assert error_messages(app) == []

    # Payment Failed events set reason on all three and plan on one, whatever the notes around them set.
    assert names == ["reason", "plan"]
    assert titles == names


async def test_stream_columns_summed_property_first(tmp_path):
    path = project_with(tmp_path, REVENUE, demo_like_events())
    async with running(path) as (app, pilot):
        streams = await open_streams(app, pilot)
        names = streams.property_names
        event_row = next(row for row in streams.table.loaded_rows() if not row.rule and row.plain()[1] == "Purchase")
        assert error_messages(app) == []

    assert names == ["revenue", "plan", "source"]
    assert event_row.plain()[2:] == ("12", "pro", "web")


async def busy_rule_labels(tmp_path, events: list[dict]) -> list[str]:
    """Open the streams of a project of ``events`` and return the rule lines of user busy's stream."""
    path = project_with(tmp_path, FAILED, events)
    async with running(path) as (app, pilot):
        streams = await open_streams(app, pilot)
        labels = rule_labels(user_lines(streams, "busy"))
        assert error_messages(app) == []
    return labels


async def test_stream_last_session_may_go_on(tmp_path):
    # Sixty events in the range: the stream shows them and no later one, so the last session may go on.
    session = start_stamp(at(9, 0))
    events = [event("busy", at(9, minute), "Edit Note", session, **NOTE) for minute in range(59)]
    events.append(event("busy", at(9, 59), "Payment Failed", session, reason="expired"))
    labels = await busy_rule_labels(tmp_path, events)

    assert labels == [
        "range start 2024-03-03 00:00:00",
        "Session · started 2024-03-03 09:00:00 · 60 events shown before the stream ends",
        "range end 2024-03-04 00:00:00",
    ]


def began_before_events() -> list[dict]:
    """Return two users whose blocks began more than ``BEFORE`` events before the range, so streams open inside them.

    Each has 30 events a minute apart from 2024-03-02 23:30, of which the
    stream shows the last 25, then a payment failure in the range.
    """
    evening = [DAY - timedelta(minutes=30 - minute) for minute in range(30)]
    # early: session e1 with one payment failure out of session among the shown events, then session e2.
    early = [event("early", moment, "Edit Note", "e1", **NOTE) for moment in evening]
    early[25] = event("early", evening[25], "Payment Failed", "-1", reason="expired")
    early += [
        event("early", at(0, 0), "Edit Note", "e1", **NOTE),
        event("early", at(0, 1), "Payment Failed", "e1", reason="card_declined"),
        event("early", at(0, 2), "Edit Note", "e1", **NOTE),
        event("early", at(2, 0), "Edit Note", "e2", **NOTE),
    ]
    # early_out: every event out of session and less than the session gap apart, so one block out of session.
    early_out = [event("early_out", moment, "Edit Note", "-1", **NOTE) for moment in evening]
    early_out.append(event("early_out", at(0, 0), "Payment Failed", "-1", reason="expired"))
    return early + early_out


async def test_stream_opens_inside_block(tmp_path):
    path = project_with(tmp_path, FAILED, began_before_events())
    async with running(path) as (app, pilot):
        streams = await open_streams(app, pilot)
        early = user_lines(streams, "early")
        early_out = user_lines(streams, "early_out")
        rows = streams.table.loaded_rows()
        header = next(index for index, row in enumerate(rows) if row.rule and "began before" in row.plain()[0])
        drawn = shown_line(streams.table, header)
        assert error_messages(app) == []

    # The block's line comes first and counts the 25 events before the range and the 3 in it.
    assert early[:3] == [
        "Session e1 · began before the stream · 28 events shown, 1 out of session",
        "2024-03-02 23:35:00 Edit Note",
        "2024-03-02 23:36:00 Edit Note",
    ]
    assert f"2024-03-02 23:55:00 Payment Failed {OUT_OF_SESSION_MARK}" in early
    assert rule_labels(early) == [
        "Session e1 · began before the stream · 28 events shown, 1 out of session",
        "range start 2024-03-03 00:00:00",
        "Session e2 · started 2024-03-03 02:00:00 · 0 s · 1 event",
        "range end 2024-03-04 00:00:00",
    ]
    # A block out of session has no count apart, because all its events are out of session.
    assert early_out[:2] == [
        "Out of session · began before the stream · 26 events shown",
        f"2024-03-02 23:35:00 Edit Note {OUT_OF_SESSION_MARK}",
    ]
    assert rule_labels(early_out) == [
        "Out of session · began before the stream · 26 events shown",
        "range start 2024-03-03 00:00:00",
        "range end 2024-03-04 00:00:00",
    ]
    assert "Session e1 · began before the stream · 28 events shown, 1 out of session" in drawn


async def test_stream_inside_block_may_go_on(tmp_path):
    # 25 events before the range and 60 in it, all of session busy: the stream may cut the block at both ends.
    events = [event("busy", DAY - timedelta(minutes=40 - minute), "Edit Note", "busy", **NOTE) for minute in range(40)]
    events += [event("busy", at(0, minute), "Edit Note", "busy", **NOTE) for minute in range(59)]
    events.append(event("busy", at(0, 59), "Payment Failed", "-1", reason="expired"))
    labels = await busy_rule_labels(tmp_path, events)

    assert labels == [
        "Session busy · began before the stream · 85 events shown before the stream ends, 1 out of session",
        "range start 2024-03-03 00:00:00",
        "range end 2024-03-04 00:00:00",
    ]


async def test_profile_partial_block_counts_out(tmp_path):
    # 520 events of session l1 a minute apart up to 00:09 in the range, with Edit Note at 23:50 out of session.
    start = DAY - timedelta(hours=8, minutes=30)
    events = [event("long", start + timedelta(minutes=minute), "Edit Note", "l1", **NOTE) for minute in range(520)]
    events[500] = event("long", start + timedelta(minutes=500), "Edit Note", "-1", **NOTE)
    events[515] = event("long", start + timedelta(minutes=515), "Payment Failed", "l1", reason="expired")
    path = project_with(tmp_path, FAILED, events)
    async with running(path) as (app, pilot):
        streams = await open_streams(app, pilot)
        profile = await open_profile_at(app, pilot, streams, "long")
        headers = [row.plain()[0] for row in profile.table.loaded_rows() if row.rule]
        assert error_messages(app) == []

    # The profile opens 20 events above the stream's first one (23:35), so the 500 loaded run from 15:36 to 00:05.
    assert headers == [
        "14 newer events above: move up to load them",
        "Session 1 (l1) · started before 2024-03-02 15:36:00, older events below"
        " · 500 events so far, 1 out of session",
    ]
