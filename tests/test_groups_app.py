"""View groups and Download groups in the app, pushed directly on a small project with accounts."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from builders import build_project
from groups_data import ACCOUNT_EVENTS, HOUR, MARCH_1, UNICODE_COMPANY, chart, event
from microscope_app import error_messages, facts_of, press, running, settle, shown_line, table_rows
from tui.analytics.definition import parse_chart
from tui.analytics.point import Point
from tui.app.microscope.cohort_dialog import CohortDialog
from tui.app.microscope.download_dialog import GroupsDownloadDialog
from tui.app.microscope.groups_screen import GroupsScreen
from tui.app.microscope.paged_list import SEARCH_DELAY
from tui.app.microscope.profile_screen import ProfileScreen
from tui.app.microscope.users_screen import UsersScreen
from tui.store.cohorts import cohort_groups, load_cohort
from tui.store.project import open_project
from tui.store.saved_charts import save_chart

# A group name that would quit the app when clicked, if it were read as markup.
MARKUP_COMPANY = "[@click=app.quit]q[/]"
CHART = chart()


@pytest.fixture
def accounts(tmp_path):
    """The accounts project plus eve's purchase for a company with a markup name, and the chart saved."""
    events = [*ACCOUNT_EVENTS, event("Buy", "2024-03-01T11:00:00Z", "eve", price=3, company=MARKUP_COMPANY)]
    with build_project(tmp_path, events) as project:
        save_chart(project.con, "Buyers by company", CHART)
        path = project.path
    return path


def first_day() -> Point:
    return Point(parse_chart(CHART), series=0, segment=None, bucket=0)


async def open_groups(app, pilot) -> GroupsScreen:
    screen = GroupsScreen(app.project, first_day(), app.settings)
    await app.push_screen(screen)
    await settle(app, pilot)
    return screen


def read_csv(path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


async def test_groups_table_rows_and_banner(accounts):
    async with running(accounts) as (app, pilot):
        screen = await open_groups(app, pilot)

        rows = [row.plain() for row in table_rows(screen.table)]
        # Sorted by events in the point: Acme has two, the other three one each, then by group id.
        assert [row[0] for row in rows] == ["Acme", "Globex", UNICODE_COMPANY, MARKUP_COMPANY]
        assert rows[0][2:] == ("2024-03-01 09:00:00", "alice", "2", "2")
        assert rows[2][2:] == ("2024-03-01 08:00:00", "dora", "1", "1")
        assert MARKUP_COMPANY in shown_line(screen.table, 3)
        assert "point = 4 groups, list = 4 groups" in screen.query_one("#point-header").plain()
        assert "4 groups" in screen.query_one("#groups-status").content.plain
        assert error_messages(app) == []


async def test_groups_search_and_sort(accounts):
    async with running(accounts) as (app, pilot):
        screen = await open_groups(app, pilot)

        await press(app, pilot, "slash")
        await pilot.press(*"ünï")
        # The search runs once typing pauses.
        await pilot.pause(SEARCH_DELAY * 3)
        await settle(app, pilot)
        assert [row.plain()[0] for row in table_rows(screen.table)] == [UNICODE_COMPANY]
        assert "1 of 4 groups match" in screen.query_one("#groups-status").content.plain

        await press(app, pilot, "ctrl+a", "ctrl+k", "enter")
        await press(app, pilot, "o", "o")
        assert screen.sort == "group_name"
        assert [row.plain()[0] for row in table_rows(screen.table)] == sorted(
            ["Acme", "Globex", UNICODE_COMPANY, MARKUP_COMPANY]
        )


async def test_group_opens_users_then_profile(accounts):
    async with running(accounts) as (app, pilot):
        await open_groups(app, pilot)

        await press(app, pilot, "enter")
        users = app.screen
        assert isinstance(users, UsersScreen)
        assert sorted(row.plain()[0] for row in table_rows(users.table)) == ["alice", "bob"]
        assert "group Acme" in users.query_one("#point-header").plain()

        first_user = users.table.row(0).plain()[0]
        await press(app, pilot, "g", "enter")
        assert isinstance(app.screen, ProfileScreen)
        assert facts_of(app.screen)["User id"] == first_user


async def test_download_groups_dialog_writes_csv(accounts, tmp_path):
    out = tmp_path / "groups.csv"
    async with running(accounts) as (app, pilot):
        await open_groups(app, pilot)

        await press(app, pilot, "d")
        dialog = app.screen
        assert isinstance(dialog, GroupsDownloadDialog)
        assert Path(dialog.query_one("#download-path").value).name.startswith("loupe-groups-")
        note = dialog.query_one("#form-note").content.plain
        assert note.endswith("4 groups will be written (export cap 1,000,000).")
        assert "point = 4 groups, list = 4 groups" in dialog.query_one("#point-header").plain()
        dialog.query_one("#download-path").value = str(out)
        await press(app, pilot, "enter")

        assert isinstance(app.screen, GroupsScreen)
        assert error_messages(app) == []

    rows = read_csv(out)
    assert rows[0] == ["group_id", "group_name", "first_time", "creator_id"]
    assert {row[1]: row[2:] for row in rows[1:]} == {
        "Acme": [str(MARCH_1 + 9 * HOUR), "alice"],
        "Globex": [str(MARCH_1 + 9 * HOUR), "bob"],
        UNICODE_COMPANY: [str(MARCH_1 + 8 * HOUR), "dora"],
        MARKUP_COMPANY: [str(MARCH_1 + 11 * HOUR), "eve"],
    }


async def test_cohort_from_groups_screen(accounts):
    async with running(accounts) as (app, pilot):
        await open_groups(app, pilot)

        await press(app, pilot, "c")
        dialog = app.screen
        assert isinstance(dialog, CohortDialog)
        assert dialog.query_one("#form-note").content.plain == "4 groups will be saved, as they are now (a static cohort)."
        assert "point = 4 groups, list = 4 groups" in dialog.query_one("#point-header").plain()
        dialog.query_one("#cohort-name").value = "Day one accounts"
        await press(app, pilot, "enter")
        assert isinstance(app.screen, GroupsScreen)

    with open_project(accounts) as project:
        assert load_cohort(project, "Day one accounts").member_kind == "groups:company"
        assert len(cohort_groups(project, "Day one accounts")) == 4
