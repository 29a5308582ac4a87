"""The microscope's banner on funnel bars and retention cells that can still change.

The funnel is view then buy, window 1 day, over 03-01 to 03-04 (UTC), with
the events of ``test_app_funnel_over_time_partial``. The last event is at
11:00 on 03-04, so the windows of the range's last entrants, which run to
03-06, are still open. The retention chart is ``test_app_retention``'s in
Berlin: day 1 of cohort 03-30 is over, and its day 2 and cohort 03-31's
day 1 run past the last event.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from funnel_app import event, make_shop
from microscope_app import error_messages, press, running
from test_app_funnel_over_time_partial import CHART, EVENTS
from test_app_retention import signups, signups_template  # noqa: F401 - fixtures
from tui.app.funnel_points import FunnelPoints
from tui.app.microscope.menu import MicroscopeMenu
from tui.app.retention_points import RetentionPoints

DROPPED_NOTE = "(partial) conversion window still open: some of these users may still convert"
CONVERTED_NOTE = "(partial) conversion window still open: more users may still convert and join this list"
RANGE_NOTE = "(partial) range not over yet: more users may still enter the funnel and join this list"
RETAINED_DAY_2 = "(partial) day 2 not over for every user of this cohort: more users may still return and join this list"
NOT_RETAINED_DAY_2 = "(partial) day 2 not over for every user of this cohort: some of these users may still return"


def header_lines(screen) -> list[str]:
    return screen.query_one("#point-header").plain().splitlines()


async def test_funnel_bars_open_window(tmp_path):
    async with running(make_shop(tmp_path, CHART, EVENTS), size=(100, 30)) as (app, pilot):
        assert isinstance(app.points, FunnelPoints)

        # Step 2 converted: ann and cy bought, and bo may still buy.
        await press(app, pilot, "l", "enter")
        assert isinstance(app.screen, MicroscopeMenu)
        lines = header_lines(app.screen)
        assert lines[1].startswith("point = 2, list = 2")
        assert lines[2] == CONVERTED_NOTE
        await press(app, pilot, "escape")

        await press(app, pilot, "k", "enter")
        lines = header_lines(app.screen)
        assert lines[1].startswith("point = 1, list = 1")
        assert lines[2] == DROPPED_NOTE
        await press(app, pilot, "escape")

        # Step 1 counts who entered, and the range is over.
        await press(app, pilot, "h", "enter")
        lines = header_lines(app.screen)
        assert lines[1].startswith("point = 3, list = 3")
        assert len(lines) == 2
        assert error_messages(app) == []


async def test_funnel_bars_closed_window(tmp_path):
    # The range ends 03-03, so every window ended by 03-04 00:00, before the last event.
    chart = dict(CHART, range={"from": "2024-03-01", "to": "2024-03-02"})
    async with running(make_shop(tmp_path, chart, EVENTS), size=(100, 30)) as (app, pilot):
        await press(app, pilot, "l", "enter")
        lines = header_lines(app.screen)
        assert lines[1].startswith("point = 1, list = 1")
        assert len(lines) == 2


async def test_funnel_step_one_range_running(tmp_path):
    today = datetime.now(timezone.utc).date()
    chart = dict(CHART, range={"from": (today - timedelta(days=2)).isoformat(), "to": today.isoformat()})
    views = [event("view", f"{today.isoformat()}T00:00:01Z", "ann")]
    async with running(make_shop(tmp_path, chart, views), size=(100, 30)) as (app, pilot):
        await press(app, pilot, "enter")
        lines = header_lines(app.screen)
        assert lines[1].startswith("point = 1, list = 1")
        assert lines[2] == RANGE_NOTE


async def test_retention_cells_open_and_over(signups):  # noqa: F811 - the fixture imported above
    async with running(signups, size=(100, 30)) as (app, pilot):
        assert isinstance(app.points, RetentionPoints)

        # The cursor starts on day 1 of cohort 03-30, which ended before the last event.
        await press(app, pilot, "enter")
        lines = header_lines(app.screen)
        assert lines[1].startswith("point = 3, list = 3")
        assert len(lines) == 2
        await press(app, pilot, "escape")

        # Day 2 of cohort 03-30 ends at 04-02 00:00 in Berlin, after the last event.
        await press(app, pilot, "l", "enter")
        lines = header_lines(app.screen)
        assert lines[0].endswith("[2024-03-30 00:00, 2024-03-31 00:00) Europe/Berlin")
        assert lines[1].startswith("point = 0, list = 0")
        assert lines[2] == RETAINED_DAY_2
        await press(app, pilot, "escape")

        await press(app, pilot, "t", "enter")
        lines = header_lines(app.screen)
        assert lines[1].startswith("point = 5, list = 5")
        assert lines[2] == NOT_RETAINED_DAY_2
        assert error_messages(app) == []
