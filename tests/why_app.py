"""Helpers for the app tests of "why is this user here": open the Why screen and read its table and segment line."""

from __future__ import annotations

from funnel_app import open_users
from microscope_app import press, table_rows
from tui.app.microscope.why_screen import WhyScreen


async def open_why(app, pilot, user_id: str = "", *keys: str) -> WhyScreen:
    """Move the chart cursor with ``keys``, open the point's user ``user_id`` (default: its only one), press ``w``."""
    users = await open_users(app, pilot, *keys)
    ids = [row.plain()[0] for row in table_rows(users.table)]
    if not user_id:
        assert len(ids) == 1
        user_id = ids[0]
    users.table.move_cursor(ids.index(user_id))
    await press(app, pilot, "w")
    assert isinstance(app.screen, WhyScreen)
    return app.screen


def column_titles(why: WhyScreen) -> list[str]:
    return [column.title for column in why.query_one("#why-table").columns]


def why_rows(why: WhyScreen, width: int = 3) -> list[tuple[str, ...]]:
    """Return the first ``width`` cells of each loaded row of the events table, as plain text."""
    return [row.plain()[:width] for row in why.query_one("#why-table").loaded_rows()]


def segment_line(why: WhyScreen) -> str:
    return why.query_one("#why-segment").content.plain
