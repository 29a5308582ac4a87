"""Markup and escape sequences in event names, ids and properties show literally on every microscope screen."""

import pytest

from builders import build_project
from microscope_app import error_messages, facts_of, press, running, shown_line
from tui.app.microscope.menu import MicroscopeMenu
from tui.app.microscope.profile_screen import ProfileScreen
from tui.app.microscope.streams_screen import StreamsScreen
from tui.app.microscope.users_screen import UsersScreen
from tui.app.microscope.why_screen import WhyScreen
from tui.store.saved_charts import save_chart

MARKUP_EVENT = "[@click=app.quit]x[/]"
MARKUP_USER = "[@click=app.quit]u[/]"
MARKUP_NAME = "[red]k[/red]"
ESCAPE = "\x1b[2J"
SHOWN_ESCAPE = "\\x1b[2J"


@pytest.fixture
def hostile(tmp_path):
    """A project whose one user has a markup id and markup events carrying an escape sequence."""
    events = [
        {
            "event_type": MARKUP_EVENT,
            "event_time": f"2024-03-0{day}T12:00:00Z",
            "user_id": MARKUP_USER,
            "session_id": "[b]s[/b]",
            "event_properties": {"note": ESCAPE, MARKUP_NAME: "[i]v[/i]"},
            "user_properties": {"bio": ESCAPE},
        }
        for day in range(1, 4)
    ]
    project = build_project(tmp_path, events)
    chart = {
        "type": "segmentation",
        "events": [{"event": MARKUP_EVENT}],
        "measure": "uniques",
        "interval": "day",
        "range": {"from": "2024-03-01", "to": "2024-03-03"},
    }
    save_chart(project.con, "Hostile", chart)
    project.close()
    return tmp_path / "p.duckdb"


def assert_literal(text: str, *parts: str) -> None:
    for part in parts:
        assert part in text
    assert "\x1b" not in text


async def click_and_check(app, pilot, selector: str) -> None:
    """Click the widget; if its text were parsed as markup, the click would quit the app."""
    await pilot.click(selector)
    await pilot.pause()
    assert app.is_running


async def test_hostile_text_in_every_screen(hostile):
    async with running(hostile) as (app, pilot):
        await press(app, pilot, "enter")
        menu = app.screen
        assert isinstance(menu, MicroscopeMenu)
        assert_literal(menu.query_one("#point-header").plain(), MARKUP_EVENT)
        await click_and_check(app, pilot, "#point-header")

        await press(app, pilot, "u")
        users = app.screen
        assert isinstance(users, UsersScreen)
        assert users.table.row(0).plain()[0] == MARKUP_USER
        assert_literal(shown_line(users.table, 0), MARKUP_USER)
        await click_and_check(app, pilot, "#users-status")

        await press(app, pilot, "enter")
        profile = app.screen
        assert isinstance(profile, ProfileScreen)
        facts = facts_of(profile)
        assert facts["User id"] == MARKUP_USER
        assert facts["User properties"] == f"bio = {SHOWN_ESCAPE}"
        assert_literal(shown_line(profile.table, 1), MARKUP_EVENT, f"note={SHOWN_ESCAPE}", MARKUP_NAME)
        assert_literal(profile.table.row(0).plain()[0], "([b]s[/b])")
        await click_and_check(app, pilot, "#profile-facts-table")
        await click_and_check(app, pilot, "#activity")

        await press(app, pilot, "escape", "escape", "s")
        streams = app.screen
        assert isinstance(streams, StreamsScreen)
        assert sorted(streams.property_names) == sorted(["note", MARKUP_NAME])
        assert MARKUP_NAME in [column.title for column in streams.table.columns]
        event = next(index for index, row in enumerate(streams.table.loaded_rows()) if row.marked)
        assert_literal(shown_line(streams.table, event), MARKUP_EVENT, SHOWN_ESCAPE, "[i]v[/i]")
        assert_literal(streams.query_one("#streams-status").content.plain, MARKUP_USER)
        await click_and_check(app, pilot, "#streams")
        await click_and_check(app, pilot, "#streams-status")

        # The click moved the cursor onto an event, or opened the profile if the cursor was on it already.
        if isinstance(app.screen, ProfileScreen):
            await press(app, pilot, "escape")
        assert app.screen is streams
        await press(app, pilot, "w")
        why = app.screen
        assert isinstance(why, WhyScreen)
        rows = why.query_one("#why-table").loaded_rows()
        assert len(rows) == 1
        assert_literal(shown_line(why.query_one("#why-table"), 0), MARKUP_EVENT, f"note={SHOWN_ESCAPE}")
        assert_literal(why.query_one("#why-status").content.plain, MARKUP_USER)
        await click_and_check(app, pilot, "#why-status")
        await click_and_check(app, pilot, "#why-table")

        assert error_messages(app) == []
        assert app.is_running
