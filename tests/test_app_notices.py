"""Notifications: a rejected key explains why, a repeated one does not stack copies, and lists of 1 use the singular.

The lists come from the accounts project of ``groups_data``, where dora's
Open on March 2 (company Initech) is the only Open event of that day.
"""

from __future__ import annotations

from builders import build_project
from funnel_app import make_shop
from groups_data import ACCOUNT_EVENTS
from microscope_app import error_messages, press, running
from tui.app.microscope.compare import CompareScreen
from tui.app.microscope.groups_screen import GroupsScreen
from tui.app.microscope.users_screen import UsersScreen
from tui.store.saved_charts import save_chart

MARKED = "Marked. Open the microscope on another point with Enter to compare the two."
UNMARKED = "The point is no longer marked."
OPENS = {
    "type": "segmentation",
    "events": [{"event": "Open"}],
    "range": {"from": "2024-03-01", "to": "2024-03-02"},
}


def messages(app) -> list[str]:
    return [note.message for note in app._notifications]


def accounts_with(tmp_path, chart: dict):
    with build_project(tmp_path, ACCOUNT_EVENTS) as project:
        save_chart(project.con, "Opens", chart)
        return project.path


async def test_rejected_streams_key_explains(tmp_path):
    async with running(make_shop(tmp_path), size=(100, 30)) as (app, pilot):
        # Step 2 converted is marked, step 3 converted is compared with it, and b lists the users in both.
        await press(app, pilot, "l", "m", "l", "enter", "C")
        assert isinstance(app.screen, CompareScreen)
        await press(app, pilot, "b")
        users = app.screen
        assert isinstance(users, UsersScreen)
        # Greyed out in the footer and the keys dialog, as before.
        assert users.check_action("streams", ()) is None

        await press(app, pilot, "s")
        assert app.screen is users
        assert messages(app)[-1] == (
            "View user streams: only event segmentation charts have them, "
            "and these users come from a funnel chart."
        )
        warnings = [note for note in app._notifications if note.severity == "warning"]
        assert len(warnings) == 1


async def test_repeated_key_shows_one_notification(tmp_path):
    async with running(accounts_with(tmp_path, OPENS)) as (app, pilot):
        await press(app, pilot, *["m"] * 7)
        # Marking and unmarking alternate: four marks and three unmarks, each shown once while on screen.
        assert messages(app).count(MARKED) == 1
        assert messages(app).count(UNMARKED) == 1
        assert app.marked_point is not None

        # Once the toast is gone, the same message shows again.
        app.clear_notifications()
        await press(app, pilot, "m", "m")
        assert messages(app) == [UNMARKED, MARKED]


async def test_one_user_list_is_singular(tmp_path):
    async with running(accounts_with(tmp_path, OPENS)) as (app, pilot):
        # The cursor starts on March 2, where only dora opened.
        await press(app, pilot, "enter", "u")
        users = app.screen
        assert isinstance(users, UsersScreen)
        status = users.query_one("#users-status").content.plain
        assert status.startswith("1 user · Sorted by events in point")
        assert "point = 1, list = 1" in users.query_one("#point-header").plain()

        await press(app, pilot, "slash", *"dor")
        await pilot.pause(0.5)
        await press(app, pilot)
        status = users.query_one("#users-status").content.plain
        assert status.startswith("1 of 1 user matches “dor”")
        assert error_messages(app) == []


async def test_one_group_list_is_singular(tmp_path):
    async with running(accounts_with(tmp_path, {**OPENS, "count_by": "group:company"})) as (app, pilot):
        # March 2: Initech alone.
        await press(app, pilot, "enter", "o")
        groups = app.screen
        assert isinstance(groups, GroupsScreen)
        assert groups.query_one("#groups-status").content.plain.startswith("1 group · Sorted by")
        assert "point = 1 group, list = 1 group" in groups.query_one("#point-header").plain()

        await press(app, pilot, "enter")
        users = app.screen
        assert isinstance(users, UsersScreen)
        assert users.query_one("#users-status").content.plain.startswith("1 user · ")
        assert error_messages(app) == []
