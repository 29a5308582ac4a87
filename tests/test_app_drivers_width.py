"""The drivers table in an 80-column terminal: event names get the width an empty property column would take."""

from funnel_app import make_shop, shop_events
from microscope_app import press, running
from test_app_funnel_drivers import open_drivers
from tui.app.microscope.drivers_screen import DriversScreen

# 31 and 29 cells: longer than the event column had at 80 columns with the property column shown.
HELP = "Opened the help centre article"
COUPON = "Applied a seasonal coupon code"


def long_name_events() -> list[dict]:
    """The shop funnel's events with the two drivers (help, coupon) renamed to long event names."""
    renamed = {"help": HELP, "coupon": COUPON}
    return [dict(row, event_type=renamed.get(row["event_type"], row["event_type"])) for row in shop_events()]


def screen_lines(screen: DriversScreen) -> list[str]:
    """Return the drivers table's lines as drawn: the header, then one line per row."""
    table = screen.table
    return ["".join(segment.text for segment in table.render_line(y)).rstrip() for y in range(table.row_count + 1)]


async def test_names_whole_at_80_columns(tmp_path):
    async with running(make_shop(tmp_path, events=long_name_events()), size=(80, 24)) as (app, pilot):
        screen = await open_drivers(app, pilot, "l", "l", "k")
        header, *rows = screen_lines(screen)

        assert "Property value" not in header
        assert header.split() == ["Event", "Converted", "Dropped", "Phi", "Odds", "ratio", "p", "q"]
        assert len(rows) == 2
        assert rows[0].startswith(HELP + " ")
        assert rows[1].startswith(COUPON + " ")
        # Each number column is as wide as its title or widest cell: 9, 9, 5, 10, 5 and 5 cells.
        assert rows[0].endswith(" 0 · 0.0% 2 · 66.7% -0.67       0.22 0.400 0.800")
        assert all(len(line) <= 80 for line in [header, *rows])


async def test_property_column_returns_with_values(tmp_path):
    async with running(make_shop(tmp_path, events=long_name_events()), size=(80, 24)) as (app, pilot):
        screen = await open_drivers(app, pilot, "l", "l", "k")
        # The coupon is the second driver; add the values of its only property, code.
        await press(app, pilot, "down", "e", "enter")
        header, *rows = screen_lines(screen)

        assert "Property value" in header
        assert len(rows) == 4
        assert "code = SPRING" in rows[1]
        assert [row.plain() for row in screen.table.loaded_rows()][0][:2] == (HELP, "")
