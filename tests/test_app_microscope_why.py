"""Why is this user here, on the e-commerce project: the user's counted events, from the list and the streams."""

import duckdb

from microscope_app import ECOM_CSV, MAY, ecom, ecom_template, error_messages, open_on_may, press, running
from tui.app.microscope.profile_screen import ProfileScreen
from tui.app.microscope.why_screen import WhyScreen

__all__ = ["ecom", "ecom_template"]


def catalog_times(user_id: str, month: tuple[str, str]) -> list[str]:
    """Return the times of the user's catalog events in ``month``, from the CSV, oldest first."""
    rows = duckdb.connect().execute(
        "SELECT strftime(timestamp, '%Y-%m-%d %H:%M:%S') FROM read_csv(?) WHERE user_id = ? AND event = 'catalog' "
        "AND timestamp >= CAST(? AS TIMESTAMP) AND timestamp < CAST(? AS TIMESTAMP) ORDER BY timestamp",
        [str(ECOM_CSV), user_id, month[0], month[1]],
    ).fetchall()
    return [time for (time,) in rows]


async def test_why_lists_counted_events(ecom):
    async with running(ecom) as (app, pilot):
        users = await open_on_may(app, pilot, "u")
        await press(app, pilot, "down")
        user_id, _, _, events_in_point = users.table.cursor_value.plain()

        await press(app, pilot, "w")
        screen = app.screen
        assert isinstance(screen, WhyScreen)
        rows = screen.query_one("#why-table").loaded_rows()
        assert len(rows) == int(events_in_point)
        assert [row.plain()[0] for row in rows] == catalog_times(user_id, MAY)
        assert {row.plain()[1] for row in rows} == {"catalog"}
        status = screen.query_one("#why-status").content.plain
        assert status.startswith(f"{user_id} is here because of these {events_in_point} events")
        assert "point = 437, list = 437" in screen.query_one("#point-header").plain()
        # The chart has no group-by, so no segment value is shown.
        assert [column.title for column in screen.query_one("#why-table").columns] == [
            "Time", "Event", "Session", "Event properties"
        ]
        assert not screen.query("#why-segment")

        # Enter opens the profile at that event.
        await press(app, pilot, "down", "enter")
        assert isinstance(app.screen, ProfileScreen)
        assert app.screen.table.cursor_value.plain()[0] == rows[1].plain()[0]
        assert error_messages(app) == []


async def test_why_from_stream_row(ecom):
    async with running(ecom) as (app, pilot):
        streams = await open_on_may(app, pilot, "s")
        await press(app, pilot, "n")
        user = streams.table.cursor_value.key

        await press(app, pilot, "w")
        screen = app.screen
        assert isinstance(screen, WhyScreen)
        assert screen.actor_id == user.actor_id
        rows = screen.query_one("#why-table").loaded_rows()
        assert [row.plain()[0] for row in rows] == catalog_times(user.display_id, MAY)
