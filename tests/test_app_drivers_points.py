"""Conversion drivers in the app from a funnel counted by groups and from a point of conversion over time.

The group funnel's data and counts are those of ``test_drivers_groups``; the
shop's entry buckets are described in ``test_app_funnel_over_time``.
"""

from funnel_app import make_shop, user_ids
from microscope_app import error_messages, press, running
from test_app_funnel_drivers import driver_rows, open_driver_users, open_drivers, summary
from test_drivers_groups import COMPANY_EVENTS, by_company
from tui.app.microscope.menu import MicroscopeMenu


async def test_group_funnel_dropped_point_drivers(tmp_path):
    async with running(make_shop(tmp_path, by_company(), COMPANY_EVENTS)) as (app, pilot):
        screen = await open_drivers(app, pilot, "l", "k")

        assert summary(screen).startswith(
            "Step 1 Signup → step 2 Purchase · 4 groups reached step 1: 2 converted, 2 dropped off · "
            "window 1d, this order\nLeft out: events that every one of these groups did"
        )
        # Help [[1, 1], [2, 0]]: phi = -2 / sqrt(12), odds ratio 1/3, p = 1. Chat [[1, 1], [1, 1]].
        assert driver_rows(screen) == [
            ("Help", "1 · 50.0%", "2 · 100.0%", "-0.58", "0.33", "1.000"),
            ("Chat", "1 · 50.0%", "1 · 50.0%", "+0.00", "1.00", "1.000"),
        ]
        assert "point = 2 groups" in screen.query_one("#point-header").plain()
        assert error_messages(app) == []


async def test_group_driver_opens_member_users(tmp_path):
    async with running(make_shop(tmp_path, by_company(), COMPANY_EVENTS)) as (app, pilot):
        await open_drivers(app, pilot, "l", "k")

        # Initech's and Hooli's help came from carol and frank.
        users = await open_driver_users(app, pilot, row=0, choice=1)
        assert user_ids(users) == {"carol", "frank"}
        assert users.query_one("#point-header").plain().startswith(
            "Users behind the 2 groups that did Help between step 1 and step 2, dropped off\nlist = 2 users"
        )
        await press(app, pilot, "escape")
        # bob chatted for Acme, which converted through him.
        users = await open_driver_users(app, pilot, row=1, choice=0)
        assert user_ids(users) == {"bob"}


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
        assert driver_rows(screen) == [("help", "0 · 0.0%", "1 · 100.0%", "-1.00", "0.25", "1.000")]
        header = screen.query_one("#point-header").plain()
        assert "[2024-03-03 00:00, 2024-03-04 00:00) UTC" in header

        users = await open_driver_users(app, pilot, row=0, choice=2)
        assert user_ids(users) == {"u9"}
        assert error_messages(app) == []
