"""Cohorts of groups name their unit, and microscope texts use the builder's words on one line each.

The app runs on the accounts project of ``groups_data`` (group type
``company``), where the chart of Buy events counted by company has 3
companies on March 1st, and on the Berlin retention project of
``test_app_retention``.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from textual.widgets import DataTable, OptionList

from builders import build_project
from funnel_app import open_users
from groups_data import ACCOUNT_EVENTS, chart
from microscope_app import error_messages, press, running, settle
from test_app_builder_types import open_builder
from test_app_retention import signups, signups_template  # noqa: F401 (fixtures)
from test_groups_app import first_day
from tui.analytics.cohorts import create_cohort_from_point
from tui.app.choice_screen import ChoiceScreen
from tui.app.microscope.cohort_dialog import CohortDialog
from tui.app.microscope.cohorts_screen import CohortsScreen
from tui.app.microscope.download_dialog import DownloadDialog, default_file_name
from tui.app.microscope.menu import MicroscopeMenu
from tui.cli import main
from tui.store.cohorts import save_cohort
from tui.store.project import open_project
from tui.store.saved_charts import save_chart

DAY = date(2024, 3, 5)
CHART = chart()
SMALL_TERMINAL = (80, 24)


@pytest.fixture
def accounts(tmp_path):
    """The accounts project with the company chart saved and the cohort "Day one accounts" of its 3 companies."""
    with build_project(tmp_path, ACCOUNT_EVENTS) as project:
        project.set_member("ana", "admin")
        project.set_setting("current_member", "ana")
        save_chart(project.con, "Buyers by company", CHART)
        create_cohort_from_point(project, "Day one accounts", None, first_day())
        path = project.path
    return path


def add_user_cohort(path) -> None:
    with open_project(path) as project:
        save_cohort(project, "Everyone", ("SELECT actor_id FROM users", []), None)


def footer_keys(screen) -> dict[str, str]:
    """Return the footer's keys as ``{key: description}``."""
    return {binding.key: binding.description for _, binding, _, _ in screen.active_bindings.values() if binding.show}


# Cohort sizes with their unit ---------------------------------------------------------------


async def test_cohorts_screen_size_unit(accounts):
    add_user_cohort(accounts)
    async with running(accounts) as (app, pilot):
        await press(app, pilot, "c")
        screen = app.screen
        assert isinstance(screen, CohortsScreen)
        table = screen.query_one(DataTable)

        titles = [column.label.plain for column in table.columns.values()]
        assert titles[:2] == ["Name", "Size"]
        sizes = {table.get_row_at(row)[0].plain: table.get_row_at(row)[1].plain for row in range(table.row_count)}
        assert sizes["Day one accounts"] == "3 groups"
        assert sizes["Everyone"].endswith(" users")
        assert error_messages(app) == []


def test_cli_cohort_list_unit(accounts, capsys):
    add_user_cohort(accounts)

    assert main(["cohort", "list", "--project", str(accounts), "--format", "csv"]) == 0

    listed = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(row["name"], row["size"], row["unit"]) for row in listed][0] == ("Day one accounts", "3", "groups")
    assert listed[1]["name"] == "Everyone"
    assert listed[1]["unit"] == "users"


# "Saved cohorts" only when a cohort of users exists -----------------------------------------


async def group_by_values(app, pilot) -> list[str | None]:
    await open_builder(app, pilot)
    await pilot.click("#group-by")
    await settle(app, pilot)
    picker = app.screen
    assert isinstance(picker, ChoiceScreen)
    return [choice.value.name for choice in picker.choices]


async def test_group_by_hides_cohorts_of_groups(accounts):
    async with running(accounts, size=(120, 40)) as (app, pilot):
        values = await group_by_values(app, pilot)
        # The only cohort contains groups, and grouping users by it would draw one "(none)" line.
        assert "cohorts" not in values
        assert "group:company" in values


async def test_group_by_offers_user_cohorts(accounts):
    add_user_cohort(accounts)
    async with running(accounts, size=(120, 40)) as (app, pilot):
        values = await group_by_values(app, pilot)
        assert values[:2] == [None, "cohorts"]


# Microscope reasons in the builder's words, one line each -----------------------------------


async def test_menu_reasons_one_line_small(accounts):
    with open_project(accounts) as project:
        users_chart = chart(count_by=None)
        save_chart(project.con, "Buyers", users_chart)
    async with running(accounts, size=SMALL_TERMINAL) as (app, pilot):
        await press(app, pilot, "o", "slash", *"Buyers", "enter")
        await settle(app, pilot)
        assert app.chart_name == "Buyers"
        await press(app, pilot, "enter")
        menu = app.screen
        assert isinstance(menu, MicroscopeMenu)

        assert menu.reasons["groups"] == "View groups: set Count by to a group type in the builder"
        assert menu.reasons["download_groups"] == "Download groups: set Count by to a group type in the builder"
        assert menu.reasons["drivers"] == "Explore conversion drivers: only funnel charts have them"
        options = menu.query_one(OptionList)
        # Every action takes one line, so none is pushed further down by a long reason.
        assert options.virtual_size.height == options.option_count
        assert error_messages(app) == []


async def test_title_says_counting_companies(accounts):
    async with running(accounts) as (app, pilot):
        await press(app, pilot, "enter")
        header = app.screen.query_one("#point-header").plain()
        assert header.endswith("counting companies")
        assert "group:company" not in header


# Cohorts of groups, the download dialog's key and its file name -----------------------------


async def test_cohort_dialog_counts_groups(accounts):
    async with running(accounts) as (app, pilot):
        # g moves to March 1st, the first day.
        await press(app, pilot, "g", "enter", "c")
        dialog = app.screen
        assert isinstance(dialog, CohortDialog)
        await settle(app, pilot)
        assert "point = 3 groups, list = 3 groups" in dialog.query_one("#point-header").plain()
        assert footer_keys(dialog)["ctrl+s"] == "Create"


async def test_download_key_matches_button(accounts):
    async with running(accounts) as (app, pilot):
        await press(app, pilot, "enter", "d")
        dialog = app.screen
        assert isinstance(dialog, DownloadDialog)
        assert str(dialog.query_one("#form-submit").label) == "Download"
        assert footer_keys(dialog)["ctrl+s"] == "Download"


def test_default_file_name_free(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    assert default_file_name(DAY) == "~/loupe-users-2024-03-05.csv"

    (tmp_path / "loupe-users-2024-03-05.csv").write_text("user_id\n", encoding="utf-8")
    assert default_file_name(DAY) == "~/loupe-users-2024-03-05-2.csv"

    (tmp_path / "loupe-users-2024-03-05-2.csv").write_text("user_id\n", encoding="utf-8")
    assert default_file_name(DAY) == "~/loupe-users-2024-03-05-3.csv"
    # The groups download has its own name, so the users files above do not change it.
    assert default_file_name(DAY, noun="groups") == "~/loupe-groups-2024-03-05.csv"


# The events column of a retention point's users --------------------------------------------


def column_titles(users) -> list[str]:
    return [column.title for column in users.query_one("#users-table").columns]


async def test_retention_users_events_column(signups):  # noqa: F811 (fixture)
    async with running(signups) as (app, pilot):
        users = await open_users(app, pilot)
        # Retained users: their return events in the period.
        assert column_titles(users)[3] == "Return events ▼"
        assert "sorted by return events" in users.query_one("#users-status").content.plain.lower()

        await press(app, pilot, "escape", "escape")
        users = await open_users(app, pilot, "t")
        # Users not retained: the one start event that put each in the cohort.
        assert column_titles(users)[3] == "Start event ▼"
        assert error_messages(app) == []
