"""A user's profile from the user list and from a stream: ids, first seen, sessions, paging of activity."""

import duckdb

from microscope_app import (
    ECOM_CSV,
    ecom,
    ecom_template,
    error_messages,
    facts_of,
    first_seen,
    open_on_may,
    press,
    running,
)
from tui.app.microscope import profile_screen
from tui.app.microscope.menu import MicroscopeMenu
from tui.app.microscope.profile_screen import ProfileScreen
from tui.app.microscope.streams_screen import StreamsScreen

__all__ = ["ecom", "ecom_template"]


def latest_session(user_id: str) -> tuple[str, str, str, int]:
    """Return the user's latest session in the CSV: id, first and last event time, event count."""
    return duckdb.connect().execute(
        "SELECT session_id, strftime(min(timestamp), '%Y-%m-%d %H:%M:%S'), strftime(max(timestamp), '%Y-%m-%d %H:%M:%S'), "
        "count(*) FROM read_csv(?) WHERE user_id = ? GROUP BY session_id ORDER BY min(timestamp) DESC LIMIT 1",
        [str(ECOM_CSV), user_id],
    ).fetchall()[0]


async def open_profile_from_users(app, pilot, row: int = 0) -> ProfileScreen:
    await open_on_may(app, pilot, "u")
    await press(app, pilot, *["down"] * row)
    await press(app, pilot, "enter")
    assert isinstance(app.screen, ProfileScreen)
    return app.screen


async def test_profile_from_users_row(ecom):
    async with running(ecom) as (app, pilot):
        users = await open_on_may(app, pilot, "u")
        await press(app, pilot, "down", "down")
        user_id = users.table.cursor_value.plain()[0]

        await press(app, pilot, "enter")
        profile = app.screen
        assert isinstance(profile, ProfileScreen)
        assert profile.profile.user_id == user_id
        facts = facts_of(profile)
        assert facts["User id"] == user_id
        assert facts["First seen"] == f"{first_seen(user_id)} UTC"
        assert "point = 437, list = 437" in profile.query_one("#point-header").plain()

        await press(app, pilot, "escape")
        assert app.screen is users
        await press(app, pilot, "escape")
        assert isinstance(app.screen, MicroscopeMenu)


async def test_profile_session_header(ecom):
    async with running(ecom) as (app, pilot):
        profile = await open_profile_from_users(app, pilot)
        user_id = profile.profile.user_id
        session_id, first, last, count = latest_session(user_id)

        rows = profile.table.loaded_rows()
        header = rows[0]
        assert header.rule
        label = header.plain()[0]
        assert f"({session_id}) · started {first} · " in label
        assert label.endswith(f" · {count} events")
        # The session's events follow its header, newest first.
        times = [row.plain()[0] for row in rows[1 : count + 1]]
        assert times[0] == last
        assert times[-1] == first
        assert times == sorted(times, reverse=True)
        assert rows[count + 1].rule


async def test_profile_loads_older_events(ecom, monkeypatch):
    monkeypatch.setattr(profile_screen, "CHUNK", 20)
    async with running(ecom) as (app, pilot):
        profile = await open_profile_from_users(app, pilot)
        total = profile.profile.event_count
        assert total > 60
        # The first chunk fills the screen, and the view asked for one more near its end.
        assert len(profile.events) < total
        assert len(profile.events) % 20 == 0
        # The oldest session loaded goes on in older events unless its first event is loaded.
        headers = [row.plain()[0] for row in profile.table.loaded_rows() if row.rule]
        oldest_starts_session = bool(profile.events.iloc[-1]["session_start"])
        assert ("older events below" in headers[-1]) == (not oldest_starts_session)

        for _ in range(total // 20 + 1):
            await press(app, pilot, "G")
        assert len(profile.events) == total
        seqs = [row.key for row in profile.table.loaded_rows() if not row.rule]
        assert len(seqs) == len(set(seqs)) == total
        assert profile.table.more is False
        assert error_messages(app) == []


async def test_profile_opens_at_stream_event(ecom):
    async with running(ecom) as (app, pilot):
        streams = await open_on_may(app, pilot, "s")
        assert isinstance(streams, StreamsScreen)
        rows = streams.table.loaded_rows()
        index = next(position for position, row in enumerate(rows) if row.marked)
        event = rows[index]
        streams.table.move_cursor(index)

        await press(app, pilot, "enter")
        profile = app.screen
        assert isinstance(profile, ProfileScreen)
        assert profile.actor_id == event.key.actor_id
        chosen = profile.table.cursor_value
        assert chosen.key == event.key.seq
        assert chosen.plain()[:2] == event.plain()[:2]
