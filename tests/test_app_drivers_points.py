"""Conversion drivers in the app from a funnel counted by groups and from a point of conversion over time.

The group funnel's data and counts are those of ``test_drivers_groups``; the
shop's entry buckets are described in ``test_app_funnel_over_time``.
"""

from funnel_app import make_shop, user_ids
from microscope_app import error_messages, press, running, table_rows
from test_app_funnel_drivers import driver_rows, open_driver_users, open_drivers, summary
from test_drivers_groups import COMPANY_EVENTS, by_company
from tui.app.choice_screen import ChoiceScreen
from tui.app.microscope.groups_screen import GroupsScreen
from tui.app.microscope.menu import MicroscopeMenu
from tui.app.microscope.users_screen import UsersScreen


async def test_group_funnel_dropped_point_drivers(tmp_path):
    async with running(make_shop(tmp_path, by_company(), COMPANY_EVENTS)) as (app, pilot):
        screen = await open_drivers(app, pilot, "l", "k")

        assert summary(screen).startswith(
            "Step 1 Signup → step 2 Purchase · 4 groups reached step 1: 2 converted, 2 dropped off · "
            "window 1d, this order\nLeft out: events that every one of these groups did"
        )
        # Help [[1, 1], [2, 0]]: phi = -2 / sqrt(12), odds ratio 1/3, p = 1. Chat [[1, 1], [1, 1]].
        assert driver_rows(screen) == [
            ("Help", "1 · 50.0%", "2 · 100.0%", "-0.58", "0.33", "1.000", "1.000"),
            ("Chat", "1 · 50.0%", "1 · 50.0%", "+0.00", "1.00", "1.000", "1.000"),
        ]
        assert "point = 2 groups" in screen.query_one("#point-header").plain()
        assert error_messages(app) == []


async def open_driver_groups(app, pilot, row: int, choice: int) -> GroupsScreen:
    """Open the groups of driver ``row`` of a funnel counted by groups: ``choice`` 0 converted, 1 dropped off, 2 both."""
    await press(app, pilot, "g", *["down"] * row, "enter")
    assert isinstance(app.screen, ChoiceScreen)
    await press(app, pilot, *["down"] * choice, "enter")
    assert isinstance(app.screen, GroupsScreen)
    return app.screen


def group_names(screen: GroupsScreen) -> list[str]:
    return [row.plain()[0] for row in table_rows(screen.table)]


async def test_group_driver_opens_groups(tmp_path):
    async with running(make_shop(tmp_path, by_company(), COMPANY_EVENTS)) as (app, pilot):
        drivers = await open_drivers(app, pilot, "l", "k")
        help_driver, chat_driver = (row.key for row in drivers.table.loaded_rows())

        # Help, dropped off: Initech (carol's request names it) and Hooli (frank's, at the window's end).
        groups = await open_driver_groups(app, pilot, row=0, choice=1)
        assert help_driver.count("dropped") == 2
        assert groups.total == 2
        assert sorted(group_names(groups)) == ["Hooli", "Initech"]
        assert groups.query_one("#point-header").plain().startswith(
            "Groups that did Help between step 1 and step 2, dropped off\nlist = 2 groups"
        )

        # A group opens the users whose Help made it count, typed as funnel users.
        await press(app, pilot, "g", *["down"] * group_names(groups).index("Initech"), "enter")
        users = app.screen
        assert isinstance(users, UsersScreen)
        assert user_ids(users) == {"carol"}
        assert users.target.chart_types == ("funnel",)
        assert users.check_action("streams", ()) is None

        await press(app, pilot, "escape", "escape")
        assert app.screen is drivers
        # Chat, converted: Acme, through bob's chat before his purchase.
        groups = await open_driver_groups(app, pilot, row=1, choice=0)
        assert chat_driver.count("converted") == groups.total == 1
        assert group_names(groups) == ["Acme"]
        await press(app, pilot, "enter")
        assert user_ids(app.screen) == {"bob"}

        await press(app, pilot, "escape", "escape")
        # Both parts of Help: Globex converted, Initech and Hooli dropped off.
        groups = await open_driver_groups(app, pilot, row=0, choice=2)
        assert help_driver.count("all") == groups.total == 3
        assert sorted(group_names(groups)) == ["Globex", "Hooli", "Initech"]
        assert error_messages(app) == []


async def test_group_funnel_menu_offers_drivers(tmp_path):
    async with running(make_shop(tmp_path, by_company(), COMPANY_EVENTS)) as (app, pilot):
        await press(app, pilot, "l", "enter")

        assert isinstance(app.screen, MicroscopeMenu)
        assert app.screen.reasons["drivers"] is None


async def test_over_time_point_drivers(tmp_path):
    # March 3's entries: u5 buys, u9 drops off at the buy step after asking for help.
    async with running(make_shop(tmp_path), size=(100, 30)) as (app, pilot):
        await press(app, pilot, "T")
        point = app.points.point()
        screen = await open_drivers(app, pilot)

        result = screen.result
        assert (result.converted, result.dropped) == (point.converted, point.dropped)
        assert (result.converted, result.dropped) == (1, 1)
        assert summary(screen).startswith(
            "Step 2 cart → step 3 buy · 2 users that entered in the bucket reached step 2: "
            "1 converted, 1 dropped off"
        )
        # help [[0, 1], [1, 0]]: phi = -1, odds ratio = 1*1 / (2*2), p = 1.
        assert driver_rows(screen) == [("help", "0 · 0.0%", "1 · 100.0%", "-1.00", "0.25", "1.000", "1.000")]
        header = screen.query_one("#point-header").plain()
        assert "[2024-03-03 00:00, 2024-03-04 00:00) UTC" in header

        users = await open_driver_users(app, pilot, row=0, choice=2)
        assert user_ids(users) == {"u9"}
        assert error_messages(app) == []
