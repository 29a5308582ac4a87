"""Pathfinder in the app: opened from the command palette, an event picked, node counts, keys, dates, cancelling."""

from __future__ import annotations

from datetime import date

import pytest
from textual.command import CommandPalette

from builders import build_project
from ecom_app import endless_set
from microscope_app import error_messages, press, running, settle
from path_data import pathfinder_events
from tui.analytics.definition import DateRange
from tui.analytics.pathfinder import pathfinder
from tui.app.choice_screen import ChoiceScreen
from tui.app.home_screen import HomeScreen
from tui.app.microscope.paths_tree import PathsTree
from tui.app.pathfinder_screen import PathfinderScreen
from tui.app.range_dialog import RangeDialog
from tui.store.saved_charts import save_chart

# Daily users of View from March 1 to 5: the Pathfinder opens on this range.
VIEWS = {
    "type": "segmentation",
    "events": [{"event": "View"}],
    "measure": "uniques",
    "interval": "day",
    "range": {"from": "2024-03-01", "to": "2024-03-05"},
}


@pytest.fixture
def project_path(tmp_path):
    with build_project(tmp_path, pathfinder_events()) as project:
        save_chart(project.con, "Views", VIEWS)
        path = project.path
    return path


async def open_from_palette(app, pilot) -> PathfinderScreen:
    """Open the Pathfinder with ctrl+p and return it; its event picker is then on top."""
    await pilot.press("ctrl+p")
    await pilot.pause()
    assert isinstance(app.screen, CommandPalette)
    await pilot.press(*"pathf")
    await app.workers.wait_for_complete()
    await pilot.pause()
    await press(app, pilot, "enter")
    assert isinstance(app.screen, ChoiceScreen)
    return app.screen_stack[-2]


async def pick_event(app, pilot, name: str) -> None:
    """Filter the open event picker to ``name`` and choose it."""
    await press(app, pilot, "slash", *name, "enter")


def tree_rows(screen: PathfinderScreen) -> list[tuple]:
    """Return each tree node as (path, users, label text), parents before children."""
    return [(node.data.path, node.data.users, node.label.plain) for node in screen.query_one(PathsTree).nodes()]


def expected_rows(app, screen: PathfinderScreen, **options) -> list[tuple]:
    nodes = pathfinder(app.project.cursor(), screen.settings, screen.date_range, **options)
    return [(row.path, row.users) for row in nodes.itertuples()]


async def test_palette_opens_pathfinder_on_chart_range(project_path):
    async with running(project_path) as (app, pilot):
        screen = await open_from_palette(app, pilot)
        await pick_event(app, pilot, "View")

        assert app.screen is screen
        assert screen.date_range == DateRange(date(2024, 3, 1), date(2024, 3, 5))
        rows = tree_rows(screen)
        assert [row[:2] for row in rows[:5]] == [
            ("View", 6), ("View > Cart", 3), ("View > Buy", 1), ("View > Help", 1), ("View > Home", 1),
        ]
        assert rows[0][2].startswith("View  6 users")
        assert rows[1][2].startswith("Cart  3 users  50.0%")
        assert [row[:2] for row in rows] == expected_rows(app, screen, start="View")
        query = screen.query_one("#pathfinder-query").content.plain
        assert query.startswith("Paths after View · 2024-03-01 to 2024-03-05 (UTC)")
        status = screen.query_one("#paths-status").content.plain
        assert status == "6 users · Space open or close · e open all below"
        assert error_messages(app) == []


async def test_before_end_event_shows_start_nodes(project_path):
    async with running(project_path) as (app, pilot):
        screen = await open_from_palette(app, pilot)
        await press(app, pilot, "escape")
        assert app.screen is screen
        assert "Press a to pick a start event" in screen.query_one("#paths-status").content.plain

        await press(app, pilot, "b")
        await pick_event(app, pilot, "Buy")

        users = {path: count for path, count, _ in tree_rows(screen)}
        assert users["Buy"] == 5
        assert users["Buy > Cart"] == 3
        assert users["Buy > Start"] == 1
        assert screen.query_one("#pathfinder-query").content.plain.startswith("Paths before Buy")


async def test_keys_change_report(project_path):
    async with running(project_path) as (app, pilot):
        screen = await open_from_palette(app, pilot)
        await pick_event(app, pilot, "View")

        await press(app, pilot, "minus", "minus", "minus", "minus")
        assert screen.depth == 1
        await press(app, pilot, "left_square_bracket", "left_square_bracket", "left_square_bracket",
                    "left_square_bracket")
        assert screen.top == 1
        assert [row[:2] for row in tree_rows(screen)] == [("View", 6), ("View > Cart", 3), ("View > Other", 3)]
        assert tree_rows(screen)[2][2].startswith("Other (3 events, 3 users)")

        await press(app, pilot, "r")
        assert screen.keep_repeats
        assert [row[:2] for row in tree_rows(screen)] == expected_rows(
            app, screen, start="View", depth=1, top=1, keep_repeats=True
        )
        settings_line = screen.query_one("#paths-settings").content.plain
        assert settings_line == "Depth 1 (+ -) · top 1 ([ ]) · repeats kept (r)"


async def test_dates_key_changes_range(project_path):
    async with running(project_path) as (app, pilot):
        screen = await open_from_palette(app, pilot)
        await pick_event(app, pilot, "View")

        await press(app, pilot, "d")
        assert isinstance(app.screen, RangeDialog)
        await press(app, pilot, "ctrl+a", "ctrl+k", *"2024-03-06", "ctrl+s")
        assert app.screen.query_one("#form-error").content.plain == "To (2024-03-05) is before From (2024-03-06). Swap them."

        await press(app, pilot, "ctrl+a", "ctrl+k", *"2024-03-04", "enter", "ctrl+s")
        assert app.screen is screen
        assert screen.date_range == DateRange(date(2024, 3, 4), date(2024, 3, 5))
        assert tree_rows(screen) == []
        assert "nobody did View in this range" in screen.query_one("#paths-status").content.plain


class EndlessPathfinder(PathfinderScreen):
    """The Pathfinder screen with a report that runs until interrupted, so Escape finds it running."""

    def find_paths(self, cursor, settings, date_range, options):
        return cursor.execute(endless_set("View").events[0]).fetchall()


async def test_escape_cancels_then_goes_back(project_path):
    async with running(project_path) as (app, pilot):
        screen = EndlessPathfinder(app.project, app.settings, DateRange(date(2024, 3, 1), date(2024, 3, 5)))
        await app.push_screen(screen)
        await settle(app, pilot)
        assert isinstance(app.screen, ChoiceScreen)
        # Not ``press``: it would wait for the endless report.
        await pilot.press("slash", *"View", "enter")
        await pilot.pause()
        assert screen.report.running
        assert "Esc cancels" in screen.query_one("#paths-status").content.plain

        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is screen
        assert not screen.report.running
        assert screen.report.cancelled
        assert "Cancelled" in screen.query_one("#paths-status").content.plain
        assert error_messages(app) == []

        await press(app, pilot, "escape")
        assert isinstance(app.screen, HomeScreen)
        assert app.is_running


async def test_pathfinder_fits_80_by_24(project_path):
    async with running(project_path, size=(80, 24)) as (app, pilot):
        screen = await open_from_palette(app, pilot)
        await pick_event(app, pilot, "View")

        assert screen.query_one(PathsTree).region.height >= 10
        assert screen.query_one("#paths-settings").region.height == 1
        assert screen.query_one("#pathfinder-query").region.height == 1
