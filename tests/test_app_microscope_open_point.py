"""The microscope on a point that can still change: a conversion window still open, or a bucket not over yet.

The funnel is the one of ``test_app_funnel_over_time_partial``: view then buy,
window 1 day, entry buckets 03-01 to 03-04 (UTC), the last event at 11:00 on
03-04. So the windows of 03-03's and 03-04's entrants are still open, and
03-01's are over. Its dates are in the past, so only the chart's own
window state (from the last event) makes those points open.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from funnel_app import event, make_shop
from microscope_app import error_messages, press, running
from test_app_funnel_over_time_partial import CHART, EVENTS
from test_app_microscope_narrow import drawn_text
from test_app_partial_buckets import WEEKLY, daily_opens, make_project
from tui.analytics.definition import parse_chart
from tui.analytics.point import Point
from tui.app.funnel_over_time import FunnelOverTimePoints
from tui.app.microscope.header import Banner
from tui.app.microscope.menu import MicroscopeMenu
from tui.app.microscope.users_screen import UsersScreen

DROPPED_NOTE = "(partial) conversion window still open: some of these users may still convert"
CONVERTED_NOTE = "(partial) conversion window still open: more users may still convert and join this list"
BUCKET_NOTE = "(partial) bucket not over yet: later events may still add users to this point"


def header_lines(screen) -> list[str]:
    return screen.query_one("#point-header").plain().splitlines()


async def test_open_window_in_menu_and_users(tmp_path):
    async with running(make_shop(tmp_path, CHART, EVENTS), size=(100, 30)) as (app, pilot):
        await press(app, pilot, "T")
        assert isinstance(app.points, FunnelOverTimePoints)
        assert app.points.bucket_index == 3

        # 03-04: cy converted, and the window of the bucket's entrants is still open.
        await press(app, pilot, "enter")
        menu = app.screen
        assert isinstance(menu, MicroscopeMenu)
        lines = header_lines(menu)
        assert lines[0] == "Step 2 buy, converted · entered in [2024-03-04 00:00, 2024-03-05 00:00) UTC · window 1d, this order"
        assert lines[1].startswith("point = 1, list = 1")
        assert lines[2] == CONVERTED_NOTE

        # Every screen the menu opens states it too.
        await press(app, pilot, "u")
        assert isinstance(app.screen, UsersScreen)
        assert header_lines(app.screen)[2] == CONVERTED_NOTE
        await press(app, pilot, "escape", "escape")

        # 03-03: bo dropped off, and may still buy.
        await press(app, pilot, "h", "t", "enter")
        lines = header_lines(app.screen)
        assert lines[0].endswith("dropped off · entered in [2024-03-03 00:00, 2024-03-04 00:00) UTC · window 1d, this order")
        assert lines[1].startswith("point = 1, list = 1")
        assert lines[2] == DROPPED_NOTE
        await press(app, pilot, "escape")

        # 03-01's windows are over: two lines and no note.
        await press(app, pilot, "h", "h", "t", "enter")
        lines = header_lines(app.screen)
        assert lines[0].endswith("[2024-03-01 00:00, 2024-03-02 00:00) UTC · window 1d, this order")
        assert len(lines) == 2
        assert "partial" not in app.screen.query_one("#point-header").plain()
        assert error_messages(app) == []


async def test_open_window_fits_small_menu(tmp_path):
    # In 80x24 the note shows, and the action list keeps its height above the footer.
    async with running(make_shop(tmp_path, CHART, EVENTS), size=(80, 24)) as (app, pilot):
        await press(app, pilot, "T", "h", "h", "h", "enter")
        closed_list = app.screen.query_one("#microscope-actions").region
        await press(app, pilot, "escape", "l", "l", "l", "enter")
        menu = app.screen
        assert isinstance(menu, MicroscopeMenu)
        # At 24 rows each line of the banner keeps to one row, so the action list keeps every row it needs.
        drawn_lines = drawn_text(menu.query_one("#point-header"))
        assert len(drawn_lines) == 3
        assert drawn_lines[2].startswith("(partial) conversion window still open")
        options = menu.query_one("#microscope-actions").region
        assert options.height == closed_list.height
        assert options.bottom <= menu.size.height - 1


async def test_open_window_off_chart(tmp_path):
    # The app shows the funnel's bars, not its conversion over time: the note then comes from the clock.
    today = datetime.now(timezone.utc).date()
    chart = dict(CHART, range={"from": (today - timedelta(days=3)).isoformat(), "to": today.isoformat()})
    start_of_today = f"{today.isoformat()}T00:00:01Z"
    async with running(make_shop(tmp_path, chart, [event("view", start_of_today, "ann")])) as (app, pilot):
        definition = parse_chart(chart)
        today_point = Point(definition, bucket=3, step=2, dropped=True, over_time=True)
        await app.push_screen(MicroscopeMenu(app.project, today_point, app.settings))
        await press(app, pilot)
        lines = header_lines(app.screen)
        # The bars show the step's count over the whole range, not this entry day's, so no value is given.
        assert lines[1].startswith("point = not on the current chart, list = 1 user")
        # Today's entry bucket has not ended, so more users may still enter, and drop off too.
        assert lines[2] == "(partial) range not over yet: more users may still enter the funnel and join this list"
        await press(app, pilot, "escape")

        # The windows of the first day's entrants ended a day after it, before now.
        first_day_point = Point(definition, bucket=0, step=2, dropped=True, over_time=True)
        await app.push_screen(MicroscopeMenu(app.project, first_day_point, app.settings))
        await press(app, pilot)
        assert len(header_lines(app.screen)) == 2


async def test_running_day_in_menu(tmp_path):
    today = datetime.now(timezone.utc).date()
    first = today - timedelta(days=3)
    chart = dict(WEEKLY, interval="day", range={"from": first.isoformat(), "to": today.isoformat()})
    async with running(make_project(tmp_path, chart, daily_opens(first, 3))) as (app, pilot):
        await press(app, pilot, "enter")
        lines = header_lines(app.screen)
        assert lines[0] == f"Open · [{today} 00:00, {today + timedelta(days=1)} 00:00) UTC"
        assert lines[2] == BUCKET_NOTE
        await press(app, pilot, "escape")

        await press(app, pilot, "h", "enter")
        lines = header_lines(app.screen)
        assert lines[1].startswith("point = 1, list = 1")
        assert len(lines) == 2
        assert error_messages(app) == []


async def test_cut_week_has_no_note(tmp_path):
    # A week the range cuts is partial on the chart, but it is over, so no more users can join it.
    async with running(make_project(tmp_path, WEEKLY, daily_opens(date(2024, 3, 1), 20))) as (app, pilot):
        await press(app, pilot, "enter")
        lines = header_lines(app.screen)
        assert lines[0] == "Open · [2024-03-18 00:00, 2024-03-21 00:00) UTC"
        assert len(lines) == 2


def test_banner_note_third_line():
    banner = Banner(subject="Open · [a, b) UTC", chart="Opens", value=3, measure="uniques", note=BUCKET_NOTE)
    assert banner.text(3).plain == f"Open · [a, b) UTC\npoint = 3, list = 3 · Opens\n{BUCKET_NOTE}"
    assert Banner(subject="s", chart=None, value=3, measure="uniques").text(3).plain == "s\npoint = 3, list = 3"
