"""Explore conversion drivers in the app: the table on the small shop, each driver's users, property values, skew, and the e-commerce walk-through."""

import duckdb

from ecom_app import run_menu_action, with_chart
from funnel_app import SHOP_FUNNEL, STEP_USERS, event, make_shop, readout, user_ids
from microscope_app import ECOM_CSV, ecom, ecom_template, error_messages, press, running, scroll_through
from tui.app.choice_screen import ChoiceScreen
from tui.app.microscope.drivers_screen import DriversScreen
from tui.app.microscope.menu import MicroscopeMenu
from tui.app.microscope.paths_screen import PathsScreen
from tui.app.microscope.users_screen import UsersScreen

__all__ = ["ecom", "ecom_template"]

# Product views to purchase over the whole of the e-commerce data (January to June 2024).
PURCHASE_FUNNEL = {
    "type": "funnel",
    "steps": [{"event": "product_view"}, {"event": "add_to_cart"}, {"event": "payment_details"}, {"event": "purchase"}],
    "window": "1d",
    "range": {"from": "2024-01-01", "to": "2024-06-30"},
}


def driver_rows(screen: DriversScreen) -> list[tuple[str, ...]]:
    return [row.plain() for row in screen.table.loaded_rows()]


def summary(screen: DriversScreen) -> str:
    return screen.query_one("#drivers-summary").content.plain


async def open_drivers(app, pilot, *keys: str) -> DriversScreen:
    """Move the chart cursor with ``keys``, open the microscope there and its drivers."""
    await press(app, pilot, *keys)
    return await run_menu_action(app, pilot, "v", DriversScreen)


async def open_driver_users(app, pilot, row: int, choice: int) -> UsersScreen:
    """Open the users of driver ``row``: ``choice`` 0 converted, 1 dropped off, 2 both."""
    await press(app, pilot, "g", *["down"] * row, "enter")
    assert isinstance(app.screen, ChoiceScreen)
    await press(app, pilot, *["down"] * choice, "enter")
    assert isinstance(app.screen, UsersScreen)
    return app.screen


# Step 3 of the shop compares the 5 users who reached the cart: u1 and u5 bought, u2, u8 and u9 did not.
# In between, u1 (converted) and u2 (dropped) used a coupon, u8 and u9 (dropped) asked for help.
# With a = converted who did it, b = converted who did not, c and d the same for dropped:
# help: a b c d = 0 2 2 1, phi = (0*1 - 2*2) / sqrt(2*3*2*3) = -0.67, odds ratio = 1*2 / (3*3) = 0.22;
# coupon: 1 1 1 2, phi = (1*2 - 1*1) / 6 = +0.17, odds ratio = 2*3 / (2*2) = 1.50.
# Fisher: 2 of the 5 users did it, so a is 0, 1 or 2 with chances 0.3, 0.6 and 0.1; p(help) = 0.3 + 0.1
# = 0.4, p(coupon) = 1. Benjamini-Hochberg over 2 tests: q(help) = 0.4 * 2 / 1 = 0.8, q(coupon) = 1.
# No driver is a property value yet, so the table leaves out the property value column.
SHOP_DRIVERS = [
    ("help", "0 · 0.0%", "2 · 66.7%", "-0.67", "0.22", "0.400", "0.800"),
    ("coupon", "1 · 50.0%", "1 · 33.3%", "+0.17", "1.50", "1.000", "1.000"),
]


async def test_drivers_table_on_shop(tmp_path):
    async with running(make_shop(tmp_path)) as (app, pilot):
        screen = await open_drivers(app, pilot, "l", "l", "k")
        assert summary(screen).startswith(
            "Step 2 cart → step 3 buy · 5 users reached step 2: 2 converted, 3 dropped off · window 1d, this order\n"
        )
        assert summary(screen).endswith(
            "\np: two-sided Fisher exact · q: p corrected for 2 tests (Benjamini-Hochberg)"
        )
        assert driver_rows(screen) == SHOP_DRIVERS
        assert "point = 3, list = 3" in screen.query_one("#point-header").plain()
        assert error_messages(app) == []


async def test_drivers_from_converted_part(tmp_path):
    # Both parts of a step have the same drivers: they compare the step's converted and dropped users.
    async with running(make_shop(tmp_path)) as (app, pilot):
        screen = await open_drivers(app, pilot, "l", "l")
        assert driver_rows(screen) == SHOP_DRIVERS


async def test_driver_users_by_group(tmp_path):
    async with running(make_shop(tmp_path)) as (app, pilot):
        await open_drivers(app, pilot, "l", "l", "k")

        users = await open_driver_users(app, pilot, row=0, choice=1)
        assert user_ids(users) == {"u8", "u9"}
        assert users.query_one("#point-header").plain().startswith(
            "Users who did help between step 2 and step 3, dropped off\nlist = 2 users"
        )
        await press(app, pilot, "escape")
        assert isinstance(app.screen, DriversScreen)

        users = await open_driver_users(app, pilot, row=1, choice=0)
        assert user_ids(users) == {"u1"}
        await press(app, pilot, "escape")
        users = await open_driver_users(app, pilot, row=1, choice=2)
        assert user_ids(users) == {"u1", "u2"}
        assert user_ids(users) <= STEP_USERS[(2, False)]


async def test_driver_users_have_no_streams(tmp_path):
    async with running(make_shop(tmp_path)) as (app, pilot):
        await open_drivers(app, pilot, "l", "l", "k")
        users = await open_driver_users(app, pilot, row=0, choice=1)
        assert users.target.chart_types == ("funnel",)
        # Greyed out: listed in the footer, but pressing it runs nothing.
        assert users.check_action("streams", ()) is None

        await press(app, pilot, "s")
        assert app.screen is users
        warnings = [note.message for note in app._notifications if note.severity == "warning"]
        assert warnings == [
            "View user streams: only event segmentation charts have them, "
            "and these users come from a funnel chart."
        ]


async def test_property_values_as_drivers(tmp_path):
    # The coupon's code: SPRING (u1, converted) and [b]ÉTÉ[/b] (u2, dropped), each done by 1 of the 5 users.
    # SPRING: a b c d = 1 1 0 3, phi = 3 / sqrt(2*3*1*4) = +0.61, odds ratio = 2*4 / (2*1) = 4.00, p = 0.4.
    # ÉTÉ: 0 2 1 2, phi = -2 / sqrt(24) = -0.41, odds ratio = 1*3 / (3*2) = 0.50, p = 1.
    # Benjamini-Hochberg over 4 tests: both p = 0.4 get 0.4 * 4 / 2 = 0.8, both p = 1 get 1.
    async with running(make_shop(tmp_path)) as (app, pilot):
        screen = await open_drivers(app, pilot, "l", "l", "k")
        await press(app, pilot, "down", "e")
        picker = app.screen
        assert isinstance(picker, ChoiceScreen)
        assert [choice.value for choice in picker.choices] == ["code"]
        await press(app, pilot, "enter")

        assert app.screen is screen
        assert screen.properties == (("coupon", "code"),)
        assert driver_rows(screen) == [
            ("help", "", "0 · 0.0%", "2 · 66.7%", "-0.67", "0.22", "0.400", "0.800"),
            ("coupon", "code = SPRING", "1 · 50.0%", "0 · 0.0%", "+0.61", "4.00", "0.400", "0.800"),
            ("coupon", "code = [b]ÉTÉ[/b]", "0 · 0.0%", "1 · 33.3%", "-0.41", "0.50", "1.000", "1.000"),
            ("coupon", "", "1 · 50.0%", "1 · 33.3%", "+0.17", "1.50", "1.000", "1.000"),
        ]

        users = await open_driver_users(app, pilot, row=2, choice=1)
        assert user_ids(users) == {"u2"}
        assert "Users who did coupon where code = [b]ÉTÉ[/b] between step 2 and step 3" in (
            users.query_one("#point-header").plain()
        )


async def test_skewed_groups_warned(tmp_path):
    # Twelve users view and buy, one only views: the converted group is twelve times the dropped one.
    events = [event("view", f"2024-03-01T10:{user:02d}:00Z", f"buyer{user}") for user in range(12)]
    events += [event("buy", f"2024-03-01T11:{user:02d}:00Z", f"buyer{user}") for user in range(12)]
    events.append(event("view", "2024-03-01T10:30:00Z", "looker"))
    chart = dict(SHOP_FUNNEL, steps=[{"event": "view"}, {"event": "buy"}])
    async with running(make_shop(tmp_path, chart, events)) as (app, pilot):
        screen = await open_drivers(app, pilot, "l", "k")
        text = summary(screen)
        assert "13 users reached step 1: 12 converted, 1 dropped off" in text
        assert "\nSkewed groups: one is over 10 times the other" in text
        # No user did another event between the steps, so no driver is tested.
        assert driver_rows(screen) == []
        assert screen.table.message.startswith("No event was done in between")


def csv_users_of(event_name: str) -> set[str]:
    """Return every user of the e-commerce CSV who did ``event_name`` at any time."""
    rows = duckdb.connect().execute(
        "SELECT DISTINCT user_id FROM read_csv(?) WHERE event = ?", [str(ECOM_CSV), event_name]
    ).fetchall()
    return {user for (user,) in rows}


async def test_ecom_walk_through(ecom):
    async with running(with_chart(ecom, PURCHASE_FUNNEL, "Purchase funnel")) as (app, pilot):
        steps = app.points.steps
        # Every user of the CSV viewed a product in the first half of 2024.
        assert steps[0].converted == len(csv_users_of("product_view"))
        await press(app, pilot, "l", "l", "k")
        third = steps[2]
        assert readout(app).startswith(
            f"Step 3 of 4 · payment_details · dropped off: {third.dropped} users · converted: {third.converted}\n"
        )

        # The dropped-off users of step 3, from the microscope's user list.
        await press(app, pilot, "enter", "u")
        point_users = app.screen
        await scroll_through(app, pilot, point_users.table)
        dropped = user_ids(point_users)
        assert len(dropped) == third.dropped
        assert dropped <= csv_users_of("add_to_cart")
        await press(app, pilot, "escape")
        assert isinstance(app.screen, MicroscopeMenu)

        await press(app, pilot, "v")
        drivers = app.screen
        assert isinstance(drivers, DriversScreen)
        result = drivers.result
        assert (result.population, result.converted, result.dropped) == (steps[1].converted, third.converted, third.dropped)
        strengths = [abs(phi) for phi in result.frame["phi"].dropna()]
        assert strengths == sorted(strengths, reverse=True)
        first = drivers.table.loaded_rows()[0].key
        assert first.event not in {"product_view", "add_to_cart", "payment_details", "purchase"}

        users = await open_driver_users(app, pilot, row=0, choice=1)
        await scroll_through(app, pilot, users.table)
        listed = user_ids(users)
        assert len(listed) == first.dropped_users
        assert listed <= dropped
        assert listed <= csv_users_of(first.event)
        await press(app, pilot, "escape")
        assert app.screen is drivers
        await press(app, pilot, "escape")
        assert isinstance(app.screen, MicroscopeMenu)

        # Paths read the funnel's whole range of six months, beyond the default limit, until L raises it.
        await press(app, pilot, "p")
        paths = app.screen
        assert isinstance(paths, PathsScreen)
        assert "L to allow" in paths.query_one("#paths-status").content.plain
        await press(app, pilot, "L")
        status = paths.query_one("#paths-status").content.plain
        assert status.startswith(f"{third.dropped} users · ")
        errors = error_messages(app)
        assert len(errors) == 1
        assert "more than the project's limit of 30 days" in errors[0]
