"""A profile opened at a user's oldest event reads one page from that event, not every newer event first."""

from datetime import datetime, timedelta, timezone

from builders import build_project
from microscope_app import error_messages, press, running
from tui.app.microscope import profile_screen
from tui.app.microscope.profile_screen import ProfileScreen
from tui.app.microscope.streams_screen import StreamsScreen
from tui.store.saved_charts import save_chart

TICKS = 4_997
# The Start event, then three Ticks at the same moment (imported after it, so newer), then Ticks a minute apart.
SAME_TIME_TICKS = 3
STARTS = {
    "type": "segmentation",
    "events": [{"event": "Start"}],
    "measure": "uniques",
    "interval": "day",
    "range": {"from": "2024-01-01", "to": "2024-01-05"},
}


def long_history(tmp_path):
    start = datetime(2024, 1, 1, 12, tzinfo=timezone.utc)
    events = [{"event_type": "Start", "event_time": start.isoformat(), "user_id": "ü"}]
    events += [{"event_type": "Tick", "event_time": start.isoformat(), "user_id": "ü"}] * SAME_TIME_TICKS
    for minute in range(1, TICKS - SAME_TIME_TICKS + 1):
        moment = start + timedelta(minutes=minute)
        events.append({"event_type": "Tick", "event_time": moment.isoformat(), "user_id": "ü", "n": minute})
    project = build_project(tmp_path, events)
    save_chart(project.con, "Starts", STARTS)
    path = project.path
    project.close()
    return path


async def open_profile_at_start(app, pilot) -> ProfileScreen:
    """Open the stream of the Start point (the first day) and the profile at its marked Start event."""
    await press(app, pilot, "g", "enter", "s")
    streams = app.screen
    assert isinstance(streams, StreamsScreen)
    rows = streams.table.loaded_rows()
    index = next(position for position, row in enumerate(rows) if row.marked)
    streams.table.move_cursor(index)
    await press(app, pilot, "enter")
    profile = app.screen
    assert isinstance(profile, ProfileScreen)
    return profile


async def test_profile_opens_at_oldest_event(tmp_path):
    async with running(long_history(tmp_path)) as (app, pilot):
        profile = await open_profile_at_start(app, pilot)
        assert profile.profile.event_count == TICKS + 1
        assert profile.activity_queries == 1

        # The Start event is the oldest. The page contains it and the 20 newer events above it.
        assert profile.first_offset == TICKS - profile_screen.NEWER_CONTEXT
        assert len(profile.events) == profile_screen.NEWER_CONTEXT + 1
        chosen = profile.table.cursor_value
        assert chosen.key == profile.focus_seq
        assert chosen.plain()[:2] == ("2024-01-01 12:00:00", "Start")

        # The event is on screen, and the events above it include the Ticks of the same moment.
        table = profile.table
        top = round(table.scroll_offset.y)
        assert top <= table.cursor_row < top + table.scrollable_content_region.height - 1
        rows = table.loaded_rows()
        above = [row.plain()[:2] for row in rows[table.cursor_row - SAME_TIME_TICKS : table.cursor_row]]
        assert above == [("2024-01-01 12:00:00", "Tick")] * SAME_TIME_TICKS

        # A row at the top states how many newer events are not loaded.
        assert rows[0].rule
        newer = TICKS - profile_screen.NEWER_CONTEXT
        assert rows[0].plain()[0] == f"{newer:,} newer events above: move up to load them"
        status = profile.query_one("#profile-status").content.plain
        assert f"events {TICKS - profile_screen.NEWER_CONTEXT + 1:,} to {TICKS + 1:,} of {TICKS + 1:,}" in status
        assert error_messages(app) == []


async def test_profile_loads_newer_events_at_top(tmp_path):
    async with running(long_history(tmp_path)) as (app, pilot):
        profile = await open_profile_at_start(app, pilot)
        loaded = len(profile.events)

        await press(app, pilot, "g")
        assert profile.activity_queries == 2
        assert len(profile.events) == loaded + profile_screen.CHUNK
        assert profile.first_offset == TICKS - profile_screen.NEWER_CONTEXT - profile_screen.CHUNK
        # The newly loaded events join the old ones without a gap or a repeat.
        seqs = list(profile.events["seq"])
        assert len(set(seqs)) == len(seqs)
        minutes = [row.plain()[0] for row in profile.table.loaded_rows() if not row.rule]
        assert minutes == sorted(minutes, reverse=True)

        # Up to the newest event: every event is then loaded once.
        for _ in range(TICKS // profile_screen.CHUNK + 1):
            await press(app, pilot, "g")
        assert profile.first_offset == 0
        assert len(profile.events) == TICKS + 1
        assert not profile.table.loaded_rows()[0].plain()[0].endswith("move up to load them")
        assert error_messages(app) == []
