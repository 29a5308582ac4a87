"""Compare two points on the e-commerce project: marking, the three counts, and each part's user list."""

from microscope_app import (
    JUNE,
    MAY,
    catalog_users,
    ecom,
    ecom_template,
    error_messages,
    press,
    readout,
    running,
    scroll_through,
    table_rows,
)
from tui.app.microscope.compare import CompareScreen
from tui.app.microscope.menu import MicroscopeMenu
from tui.app.microscope.streams_screen import StreamsScreen
from tui.app.microscope.users_screen import UsersScreen

__all__ = ["ecom", "ecom_template"]


async def open_comparison(app, pilot) -> CompareScreen:
    """Mark May, move to June, and compare the two from June's microscope."""
    await press(app, pilot, "h", "m", "l", "enter", "C")
    assert isinstance(app.screen, CompareScreen)
    return app.screen


async def test_mark_shows_in_readout(ecom):
    async with running(ecom) as (app, pilot):
        await press(app, pilot, "h", "m")
        assert app.marked_point is not None
        assert readout(app).endswith("\nmarked: catalog · [2024-05-01 00:00, 2024-06-01 00:00) UTC")

        await press(app, pilot, "l")
        assert "marked: catalog · [2024-05-01 00:00" in readout(app)

        # m on the marked point again unmarks it.
        await press(app, pilot, "h", "m")
        assert app.marked_point is None
        assert "marked" not in readout(app)


async def test_compare_counts_add_up(ecom):
    may, june = set(catalog_users(MAY)), set(catalog_users(JUNE))
    async with running(ecom) as (app, pilot):
        screen = await open_comparison(app, pilot)
        counts = screen.counts
        assert counts["first"] == len(may) == 437
        assert counts["second"] == len(june)
        assert counts["both"] + counts["only_first"] == counts["first"]
        assert counts["both"] + counts["only_second"] == counts["second"]
        assert counts["both"] == len(may & june)
        assert counts["only_first"] == len(may - june)
        assert counts["only_second"] == len(june - may)
        assert f"first = {len(may)} users" in screen.query_one("#compare-sums").content.plain


async def test_compare_parts_open_user_lists(ecom):
    may, june = set(catalog_users(MAY)), set(catalog_users(JUNE))
    expected = {"1": may - june, "b": may & june, "2": june - may}
    async with running(ecom) as (app, pilot):
        screen = await open_comparison(app, pilot)
        for key, users in expected.items():
            await press(app, pilot, key)
            listed = app.screen
            assert isinstance(listed, UsersScreen)
            assert listed.total == len(users)
            await scroll_through(app, pilot, listed.table)
            assert {row.plain()[0] for row in table_rows(listed.table)} == users
            assert f"list = {len(users)} users" in listed.query_one("#point-header").plain()
            await press(app, pilot, "escape")
            assert app.screen is screen
        assert error_messages(app) == []


async def test_compare_part_offers_streams(ecom):
    async with running(ecom) as (app, pilot):
        await open_comparison(app, pilot)
        await press(app, pilot, "b", "s")
        streams = app.screen
        assert isinstance(streams, StreamsScreen)
        header = streams.table.loaded_rows()[0].plain()[0]
        assert header.startswith(f"User 1 of {streams.batch.total}")
        # Both points' catalog events count: May's and June's.
        counted = {row.plain()[0][:7] for row in streams.table.loaded_rows() if row.marked}
        assert counted == {"2024-05", "2024-06"}


async def test_compare_part_offers_other_actions(ecom):
    async with running(ecom) as (app, pilot):
        await open_comparison(app, pilot)
        await press(app, pilot, "2")
        listed = app.screen
        for key, screen_name in (("p", "PathsScreen"), ("d", "DownloadDialog"), ("c", "CohortDialog")):
            await press(app, pilot, key)
            assert type(app.screen).__name__ == screen_name
            assert app.screen.target is listed.target
            await press(app, pilot, "escape")
            assert app.screen is listed
        assert error_messages(app) == []


async def test_compare_needs_a_marked_point(ecom):
    async with running(ecom) as (app, pilot):
        await press(app, pilot, "enter")
        menu = app.screen
        assert isinstance(menu, MicroscopeMenu)
        assert menu.reasons["compare"] == "Compare with marked point: press m on a point first"
        await press(app, pilot, "C")
        assert app.screen is menu

        await press(app, pilot, "escape", "m", "enter")
        assert "this is the marked point" in app.screen.reasons["compare"]
