"""View users on the e-commerce project: the count against the chart, paging, sorting and searching."""

from microscope_app import (
    MAY,
    catalog_users,
    ecom,
    ecom_template,
    error_messages,
    open_on_may,
    press,
    readout,
    running,
    scroll_through,
    table_rows,
)
from tui.app.microscope.users_screen import UsersScreen

__all__ = ["ecom", "ecom_template"]


async def open_users(app, pilot) -> UsersScreen:
    screen = await open_on_may(app, pilot, "u")
    assert isinstance(screen, UsersScreen)
    return screen


def first_rows(screen: UsersScreen, count: int, column: int) -> list[str]:
    return [screen.table.row(index).plain()[column] for index in range(count)]


async def test_users_total_equals_readout(ecom):
    expected = catalog_users(MAY)
    async with running(ecom) as (app, pilot):
        await press(app, pilot, "h")
        assert readout(app).endswith(f"· {len(expected)} users")

        await press(app, pilot, "enter", "u")
        screen = app.screen
        assert isinstance(screen, UsersScreen)
        assert screen.total == len(expected) == 437
        assert screen.table.row_count == 437
        assert "point = 437, list = 437" in screen.query_one("#point-header").plain()
        assert error_messages(app) == []


async def test_users_pages_load_to_end(ecom):
    expected = catalog_users(MAY)
    async with running(ecom) as (app, pilot):
        screen = await open_users(app, pilot)
        table = screen.table
        # Only the pages near the top are fetched at first.
        assert table.row(table.row_count - 1) is None

        await press(app, pilot, "G")
        assert table.cursor_row == 436
        last = table.row(436)
        assert last is not None
        # Sorted by events in the point, most first: the last row has the fewest.
        assert int(last.plain()[3]) == min(expected.values())

        await scroll_through(app, pilot, table)
        listed = {row.plain()[0]: int(row.plain()[3]) for row in table_rows(table)}
        assert listed == expected


async def test_users_sort_cycles_and_reverses(ecom):
    expected = catalog_users(MAY)
    async with running(ecom) as (app, pilot):
        screen = await open_users(app, pilot)
        counts = [int(text) for text in first_rows(screen, 20, 3)]
        assert counts == sorted(expected.values(), reverse=True)[:20]

        await press(app, pilot, "o")
        assert screen.sort == "user_id"
        assert first_rows(screen, 20, 0) == sorted(expected)[:20]

        await press(app, pilot, "O")
        assert first_rows(screen, 20, 0) == sorted(expected, reverse=True)[:20]
        assert screen.table.row_count == len(expected)

        # The next column starts in its own direction: first seen, oldest first.
        await press(app, pilot, "o")
        assert screen.sort == "first_seen"
        assert not screen.descending
        first_seen = first_rows(screen, 50, 1)
        assert first_seen == sorted(first_seen)


async def test_users_search_keeps_matches(ecom):
    expected = catalog_users(MAY)
    matching = sorted(user for user in expected if "user_01" in user)
    async with running(ecom) as (app, pilot):
        screen = await open_users(app, pilot)
        await press(app, pilot, "slash", *"USER_01", "enter")
        assert screen.search == "USER_01"
        assert screen.total == len(matching)
        assert sorted(row.plain()[0] for row in table_rows(screen.table)) == matching
        # The header keeps the whole list's count; the status line shows how many match.
        assert "list = 437" in screen.query_one("#point-header").plain()
        assert f"{len(matching)} of 437 users match" in screen.query_one("#users-status").content.plain

        await press(app, pilot, "slash", "ctrl+u", "enter")
        assert screen.search is None
        assert screen.total == 437


async def test_users_search_without_matches(ecom):
    async with running(ecom) as (app, pilot):
        screen = await open_users(app, pilot)
        await press(app, pilot, "slash", *"nobody%", "escape")
        assert screen.total == 0
        assert screen.table.row_count == 0
        # Escape left the search box, not the screen; Enter on an empty list opens nothing.
        assert app.screen is screen
        await press(app, pilot, "enter")
        assert app.screen is screen
        assert error_messages(app) == []
