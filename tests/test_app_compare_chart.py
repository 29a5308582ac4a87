"""The comparison screen and each part's user list name the chart the two points are on."""

from microscope_app import ecom, ecom_template, press, running
from tui.app.microscope.compare import CompareScreen
from tui.app.microscope.users_screen import UsersScreen

__all__ = ["ecom", "ecom_template"]

CHART = "Catalog by month · catalog · Unique users · Monthly"


async def test_compare_names_chart(ecom):
    async with running(ecom) as (app, pilot):
        await press(app, pilot, "h", "m", "l", "enter", "C")
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        points = screen.query_one("#compare-points").content.plain
        assert points.splitlines()[2].startswith(f"Chart: {CHART}")

        for key in ("1", "b", "2"):
            await press(app, pilot, key)
            listed = app.screen
            assert isinstance(listed, UsersScreen)
            header = listed.query_one("#point-header").plain()
            assert f" users · {CHART} · " in header.splitlines()[1]
            await press(app, pilot, "escape")


async def test_compare_across_zoom_names_both_charts(ecom):
    async with running(ecom) as (app, pilot):
        # Mark May on the monthly chart, zoom into June, and compare a June week with May.
        await press(app, pilot, "h", "m", "l", "enter", "z")
        assert app.definition.interval == "week"
        await press(app, pilot, "enter", "C")
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        chart_line = screen.query_one("#compare-points").content.plain.splitlines()[2]
        # The marked point's chart is no longer shown, but the history still has its name.
        assert chart_line.startswith(f"Chart: first point on {CHART}")
        assert ", second point on catalog · Unique users · Weekly" in chart_line

        await press(app, pilot, "b")
        header = app.screen.query_one("#point-header").plain()
        assert f"first point on {CHART}" in header
