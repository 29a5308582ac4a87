"""The users list's search waits for a pause in typing, so a word typed quickly runs one query."""

from microscope_app import MAY, catalog_users, ecom, ecom_template, open_on_may, press, running, settle
from tui.app.microscope.profile_screen import ProfileScreen
from tui.app.microscope.users_screen import UsersScreen

__all__ = ["ecom", "ecom_template"]


# Pilot's key presses can be more than SEARCH_DELAY apart on a busy machine, so the tests wait longer
# for a pause in typing: what they check is that a pause, not each key, starts the search.
TEST_DELAY = 1.0


async def open_users(app, pilot) -> UsersScreen:
    screen = await open_on_may(app, pilot, "u")
    assert isinstance(screen, UsersScreen)
    screen.search_delay = TEST_DELAY
    return screen


async def test_fast_typing_runs_one_query(ecom):
    matching = [user for user in catalog_users(MAY) if "user_1" in user]
    async with running(ecom) as (app, pilot):
        screen = await open_users(app, pilot)
        assert screen.list_queries == 1

        await pilot.press("slash", *"user_1")
        # Five characters typed, and no query yet: the search waits for the typing to stop.
        assert screen.list_queries == 1
        assert screen.search is None

        await pilot.pause(TEST_DELAY * 1.5)
        await settle(app, pilot)
        assert screen.list_queries == 2
        assert screen.search == "user_1"
        assert screen.total == len(matching)


async def test_pauses_in_typing_run_a_query_each(ecom):
    async with running(ecom) as (app, pilot):
        screen = await open_users(app, pilot)
        await pilot.press("slash", "u")
        await pilot.pause(TEST_DELAY * 1.5)
        await settle(app, pilot)
        await pilot.press("s")
        await pilot.pause(TEST_DELAY * 1.5)
        await settle(app, pilot)
        assert screen.list_queries == 3
        assert screen.search == "us"


async def test_enter_searches_without_delay(ecom):
    async with running(ecom) as (app, pilot):
        screen = await open_users(app, pilot)
        await pilot.press("slash", *"user_0", "enter")
        await settle(app, pilot)
        assert screen.list_queries == 2
        assert screen.search == "user_0"
        assert screen.focused is screen.table

        # Typing back to the same text still runs the search its first key stopped.
        await pilot.press("slash", "end", "x", "backspace")
        await pilot.pause(TEST_DELAY * 1.5)
        await settle(app, pilot)
        assert screen.list_queries == 3
        assert screen.search == "user_0"
        assert screen.total is not None


async def test_enter_then_enter_opens_single_match(ecom):
    async with running(ecom) as (app, pilot):
        screen = await open_users(app, pilot)
        await pilot.press("slash", *"user_0007", "enter")
        await settle(app, pilot)
        # The first Enter ends the search and moves to the list, on the match, so keys act on it.
        assert screen.total == 1
        assert app.screen is screen
        assert screen.focused is screen.table
        assert screen.table.cursor_row == 0

        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ProfileScreen)
        assert app.screen.profile.user_id == "user_0007"


async def test_enter_keeps_list_of_several_matches(ecom):
    async with running(ecom) as (app, pilot):
        screen = await open_users(app, pilot)
        await pilot.press("slash", *"user_000", "enter")
        await settle(app, pilot)
        assert screen.total > 1
        assert app.screen is screen
        assert screen.focused is screen.table
