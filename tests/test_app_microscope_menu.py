"""The microscope menu on the e-commerce project: its actions and keys, reasons, errors and cancelling."""

from textual.command import CommandPalette

from microscope_app import (
    ecom,
    ecom_template,
    error_messages,
    open_menu_on_may,
    press,
    running,
    settle,
)
from tui.analytics.microscope.actor_set import ActorSet
from tui.app.help_screen import HelpScreen
from tui.app.home_screen import HomeScreen
from tui.app.microscope.actions import ACTIONS
from tui.app.microscope.menu import MicroscopeMenu
from tui.app.microscope.users_screen import UsersScreen
from tui.store.project import open_project

__all__ = ["ecom", "ecom_template"]

# Every actor, counted over ten million copies of the events table: a query that runs until interrupted.
SLOW_ACTORS = (
    "SELECT actor_id, count(*) AS events_in_point, min(event_time) AS first_in_point, "
    "max(event_time) AS last_in_point FROM events, range(10000000) GROUP BY actor_id"
)


def option_texts(menu: MicroscopeMenu) -> list[str]:
    options = menu.query_one("#microscope-actions")
    return [options.get_option_at_index(index).prompt.plain for index in range(options.option_count)]


async def test_menu_lists_every_action(ecom):
    async with running(ecom) as (app, pilot):
        await open_menu_on_may(app, pilot)
        menu = app.screen
        assert isinstance(menu, MicroscopeMenu)
        texts = option_texts(menu)
        assert [text.split("  ")[0] for text in texts] == [action.key for action in ACTIONS.values()]
        assert texts[0] == "u  View users"
        header = menu.query_one("#point-header").plain()
        assert header.startswith("catalog · [2024-05-01 00:00, 2024-06-01 00:00) UTC\npoint = 437, list = 437")

        await press(app, pilot, "escape")
        assert isinstance(app.screen, HomeScreen)


async def test_menu_gives_reasons(ecom):
    project = open_project(ecom)
    project.set_member("ada", "viewer")
    project.set_setting("current_member", "ada")
    project.close()
    async with running(ecom) as (app, pilot):
        await open_menu_on_may(app, pilot)
        menu = app.screen
        reasons = menu.reasons
        assert reasons["annotation"].startswith("Add annotation: needs manager or admin; ada is viewer.")
        assert reasons["release"].startswith("Create release: needs member")
        # One series without a group-by: nothing to filter or exclude.
        assert reasons["filter"].startswith("Filter to series: ")
        assert reasons["exclude"].startswith("Exclude series: ")
        assert reasons["users"] is None
        assert reasons["zoom"] is None
        assert f"a  {reasons['annotation']}" in option_texts(menu)

        await press(app, pilot, "a")
        assert app.screen is menu
        warnings = [note.message for note in app._notifications if note.severity == "warning"]
        assert warnings[-1] == reasons["annotation"]


async def test_menu_keys_in_help_and_palette(ecom):
    async with running(ecom) as (app, pilot):
        await open_menu_on_may(app, pilot)
        await press(app, pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        listed = {entry.description: entry.keys for entry in app.screen.entries}
        for action in ACTIONS.values():
            assert listed[action.label] == [action.key]
        await press(app, pilot, "escape")

        await press(app, pilot, "ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await press(app, pilot, *"view users")
        await press(app, pilot, "enter")
        assert isinstance(app.screen, UsersScreen)


async def test_menu_enter_runs_highlighted_action(ecom):
    async with running(ecom) as (app, pilot):
        await open_menu_on_may(app, pilot)
        await press(app, pilot, "down", "enter")
        assert type(app.screen).__name__ == "StreamsScreen"


async def test_failed_query_shows_error(ecom):
    async with running(ecom) as (app, pilot):
        start, end = app.points.bucket_starts[4], app.points.bucket_ends[4]
        missing = ("SELECT * FROM ghosts", [])
        app.push_screen(UsersScreen(app.project, ActorSet("ghosts", missing, missing, start, end), app.settings))
        await settle(app, pilot)

        errors = error_messages(app)
        assert len(errors) == 1
        assert "ghosts" in errors[0]
        screen = app.screen
        assert "could not be loaded" in screen.table.message
        await press(app, pilot, "escape")
        assert isinstance(app.screen, HomeScreen)
        assert app.is_running


async def test_escape_interrupts_users_query(ecom):
    async with running(ecom) as (app, pilot):
        start, end = app.points.bucket_starts[4], app.points.bucket_ends[4]
        slow = ActorSet("slow", ("SELECT * EXCLUDE (dedupe_key) FROM events", []), (SLOW_ACTORS, []), start, end)
        screen = UsersScreen(app.project, slow, app.settings)
        app.push_screen(screen)
        await pilot.pause()
        job = screen.jobs[0]
        while job.query.progress() < 0:
            await pilot.pause()

        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert job.cancelled
        assert isinstance(app.screen, HomeScreen)
        assert error_messages(app) == []
        assert app.is_running


async def test_menu_fits_small_terminal(ecom):
    async with running(ecom, size=(80, 24)) as (app, pilot):
        await open_menu_on_may(app, pilot)
        options = app.screen.query_one("#microscope-actions")
        # Every entry fits on screen at once, wrapped reasons included.
        assert options.region.height >= options.option_count
        assert options.region.bottom <= 24
        await press(app, pilot, "u")
        table = app.screen.table
        assert table.region.height >= 10
        assert table.row(0) is not None
