"""Cohorts in the app: create one from a point, filter a chart by it in the builder, list it, delete it."""

from datetime import date, timedelta

from textual.widgets import Button, DataTable

from builders import build_project
from ecom_app import (
    VIEWS_BY_PLATFORM, VIEWS_DAYS, csv_users, endless_set, line_values, messages, run_menu_action, with_chart,
)
from microscope_app import ecom, ecom_template, error_messages, press, readout, running, settle
from tui.app.builder_screen import BuilderScreen
from tui.app.choice_screen import ChoiceScreen
from tui.app.confirm import ConfirmScreen
from tui.app.home_screen import HomeScreen
from tui.app.microscope.cohort_dialog import CohortDialog
from tui.app.microscope.cohorts_screen import CohortsScreen
from tui.app.microscope.menu import MicroscopeMenu
from tui.app.microscope.selection import current_point
from tui.store.cohorts import list_cohorts, load_cohort, save_cohort
from tui.store.project import open_project

__all__ = ["ecom", "ecom_template"]

MARKUP_NAME = "[@click=app.quit]x[/]"


def next_day(day: str) -> str:
    return (date.fromisoformat(day) + timedelta(days=1)).isoformat()


def expected_cohort_chart(members: set[str]) -> dict[tuple[int, str], tuple[float, ...]]:
    """Return the daily users per (series, platform) of the views chart counting only ``members``, from the CSV."""
    expected = {}
    for series, event in enumerate(["product_view", "purchase"]):
        for platform in ("desktop", "mobile", "tablet"):
            values = tuple(
                float(len(csv_users(event, day, next_day(day), platform=platform) & members)) for day in VIEWS_DAYS
            )
            if any(values):
                expected[(series, platform)] = values
    return expected


async def create_cohort(app, pilot, name: str, description: str = "") -> CohortDialog:
    """Open Create cohort from the microscope menu, type ``name`` and ``description``, and save."""
    dialog = await run_menu_action(app, pilot, "c", CohortDialog)
    await press(app, pilot, *name, "tab", *description, "enter")
    return dialog


async def test_cohort_from_point_filters_chart(ecom):
    async with running(with_chart(ecom, VIEWS_BY_PLATFORM)) as (app, pilot):
        point = current_point(app)
        assert point.segment == "desktop"
        members = csv_users("product_view", "2024-03-16", "2024-03-17", platform="desktop")
        before = line_values(app)

        dialog = await run_menu_action(app, pilot, "c", CohortDialog)
        assert dialog.query_one("#form-note").content.plain.startswith(f"{len(members)} users will be saved")
        await press(app, pilot, *"Desktop viewers 16 March", "tab", *"from the views chart", "enter")
        assert isinstance(app.screen, MicroscopeMenu)
        assert f"Saved cohort 'Desktop viewers 16 March' with {len(members)} users." in messages(app)

        cohort = load_cohort(app.project, "Desktop viewers 16 March")
        assert cohort.size == len(members) == 10
        assert cohort.description == "from the views chart"
        assert cohort.definition["point"]["segment"] == "desktop"

        await press(app, pilot, "escape", "b")
        builder = app.screen
        assert isinstance(builder, BuilderScreen)
        builder.query_one("#cohort", Button).focus()
        await press(app, pilot, "enter")
        assert isinstance(app.screen, ChoiceScreen)
        await press(app, pilot, "down", "enter")
        assert builder.draft["cohort"] == "Desktop viewers 16 March"
        assert builder.query_one("#cohort", Button).label.plain == "Desktop viewers 16 March"
        await press(app, pilot, "ctrl+r")

        assert isinstance(app.screen, HomeScreen)
        assert app.definition.cohort == "Desktop viewers 16 March"
        after = line_values(app)
        assert after != before
        assert after == expected_cohort_chart(members)
        # Every member viewed a product on desktop that day, so that point keeps its value.
        assert after[(0, "desktop")][-1] == len(members)
        await press(app, pilot, "G")
        assert readout(app).endswith(f"· {len(members)} users")
        assert error_messages(app) == []


async def test_builder_clears_cohort_filter(ecom):
    chart = dict(VIEWS_BY_PLATFORM, cohort="Everyone")
    with open_project(ecom) as project:
        save_cohort(project, "Everyone", ("SELECT actor_id FROM users", []), None)
    async with running(with_chart(ecom, chart)) as (app, pilot):
        assert app.definition.cohort == "Everyone"
        await press(app, pilot, "b")
        builder = app.screen
        builder.query_one("#cohort", Button).focus()
        await press(app, pilot, "enter")
        assert isinstance(app.screen, ChoiceScreen)
        await press(app, pilot, "enter", "ctrl+r")

        assert app.definition.cohort is None
        assert "cohort" not in app.definition.to_json()


async def test_cohorts_screen_lists_and_deletes(ecom):
    async with running(with_chart(ecom, VIEWS_BY_PLATFORM)) as (app, pilot):
        await create_cohort(app, pilot, "Viewers", "desktop on the 16th")
        await press(app, pilot, "escape")
        assert isinstance(app.screen, HomeScreen)

        await press(app, pilot, "c")
        screen = app.screen
        assert isinstance(screen, CohortsScreen)
        table = screen.query_one(DataTable)
        cohort = load_cohort(app.project, "Viewers")
        assert table.row_count == 1
        assert [cell.plain for cell in table.get_row_at(0)] == [
            "Viewers", "10 users", cohort.as_of.strftime("%Y-%m-%d %H:%M"), app.project.current_member(), "desktop on the 16th",
        ]

        await press(app, pilot, "d")
        assert isinstance(app.screen, ConfirmScreen)
        assert "Delete the cohort 'Viewers' of 10 users?" in app.screen.question
        await press(app, pilot, "n")
        assert [found.name for found in list_cohorts(app.project)] == ["Viewers"]

        await press(app, pilot, "d", "y")
        assert app.screen is screen
        assert list_cohorts(app.project) == []
        assert table.row_count == 0
        assert "No cohorts yet" in screen.query_one("#list-status").content.plain
        assert "Deleted cohort 'Viewers'." in messages(app)


async def test_cohort_duplicate_name_shown_inline(ecom):
    async with running(with_chart(ecom, VIEWS_BY_PLATFORM)) as (app, pilot):
        await create_cohort(app, pilot, "Viewers")
        await press(app, pilot, "escape", "right")
        dialog = await create_cohort(app, pilot, "Viewers")

        assert app.screen is dialog
        error = dialog.query_one("#form-error").content.plain
        assert error == "A cohort called 'Viewers' already exists: choose another name, or delete that cohort first."
        assert not dialog.query_one("#form-submit", Button).disabled
        assert len(list_cohorts(app.project)) == 1


async def test_cohort_refused_for_viewer(ecom):
    with open_project(ecom) as project:
        project.set_member("v", "viewer")
        project.set_setting("current_member", "v")
    async with running(with_chart(ecom, VIEWS_BY_PLATFORM)) as (app, pilot):
        await app.push_screen(CohortDialog(app.project, current_point(app), app.settings))
        await settle(app, pilot)
        dialog = app.screen

        error = dialog.query_one("#form-error").content.plain
        assert error.startswith("Create cohort: needs member or higher; v is viewer.")
        assert dialog.query_one("#form-submit", Button).disabled
        await press(app, pilot, *"Mine", "enter")
        assert app.screen is dialog
        assert list_cohorts(app.project) == []


async def test_cohort_markup_name_literal(tmp_path):
    events = [{"event_type": "Buy", "event_time": "2024-03-03T10:00:00Z", "user_id": f"u{user}"} for user in range(3)]
    build_project(tmp_path, events).close()
    chart = {"type": "segmentation", "events": [{"event": "Buy"}], "measure": "uniques",
             "interval": "day", "range": {"from": "2024-03-01", "to": "2024-03-03"}}
    async with running(with_chart(tmp_path / "p.duckdb", chart)) as (app, pilot):
        dialog = await run_menu_action(app, pilot, "c", CohortDialog)
        # Pasted text can hold an escape character, which no key press types.
        dialog.query_one("#cohort-name").value = MARKUP_NAME
        dialog.query_one("#cohort-description").value = "\x1b[2J"
        await press(app, pilot, "ctrl+s")
        assert f"Saved cohort '{MARKUP_NAME}' with 3 users." in messages(app)
        await press(app, pilot, "escape", "c")

        table = app.screen.query_one(DataTable)
        cells = [cell.plain for cell in table.get_row_at(0)]
        assert cells[0] == MARKUP_NAME
        assert cells[4] == "\\x1b[2J"
        await pilot.click(table, offset=(3, 1))
        await pilot.click(table, offset=(40, 1))
        await settle(app, pilot)
        assert app.is_running
        assert isinstance(app.screen, CohortsScreen)


async def test_cohorts_and_markers_in_help_and_palette(ecom):
    async with running(with_chart(ecom, VIEWS_BY_PLATFORM)) as (app, pilot):
        await press(app, pilot, "question_mark")
        listed = {entry.description: entry.keys for entry in app.screen.entries}
        assert listed["List and delete cohorts"] == ["c"]
        assert listed["List and delete annotations and releases"] == ["a"]
        await press(app, pilot, "escape", "ctrl+p", *"delete cohorts")
        await press(app, pilot, "enter")
        assert isinstance(app.screen, CohortsScreen)


async def test_cohort_save_cancelled_by_escape(ecom):
    async with running(with_chart(ecom, VIEWS_BY_PLATFORM)) as (app, pilot):
        dialog = CohortDialog(app.project, endless_set(), app.settings)
        await app.push_screen(dialog)
        # Set, not typed: key presses are slow while the endless count keeps both cores busy.
        dialog.query_one("#cohort-name").value = "Never saved"
        await pilot.press("enter")
        await pilot.pause()
        assert dialog.save_job.running

        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        assert dialog.save_job.cancelled
        assert list_cohorts(app.project) == []
        assert error_messages(app) == []
        assert app.is_running
