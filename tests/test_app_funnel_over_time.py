"""A funnel's conversion over time in the app: switch, cursor, readout and microscope.

The data is the small shop of ``funnel_app``.

By the day of the view that starts each counted conversion (UTC):
March 1: u1 and u2 enter; u1 buys and u2 drops off at the buy step.
March 2: u3, u4 and u8 enter; nobody buys, and only u8 drops off at the buy step.
March 3: u5 and u9 enter; u5 buys and u9 drops off at the buy step.
"""

import math

from funnel_app import SHOP_FUNNEL, event, make_shop, open_users, readout, user_ids
from microscope_app import error_messages, press, running
from tui.app.chart_view import ChartView
from tui.app.funnel_over_time import FunnelOverTimePoints
from tui.app.funnel_points import FunnelPoints
from tui.app.help_screen import HelpScreen
from tui.app.legend import Legend
from tui.app.microscope.menu import MicroscopeMenu

# The last event is 03-04 02:00, before 03-05 00:00 when the last March 3 entrant's 1-day window ends: partial.
MARCH_3 = (
    "entered in [2024-03-03 00:00, 2024-03-04 00:00) UTC (partial): 2 users · converted to step 3: 1 · 50.0% converted\n"
    "partial: window not over for every entrant · "
    "microscope on converted to step 3: 1 · t for dropped off at step 3: 1 · window 1d, this order"
)


async def test_switch_to_over_time_and_back(tmp_path):
    async with running(make_shop(tmp_path), size=(100, 30)) as (app, pilot):
        bars = app.points
        await press(app, pilot, "T")

        assert isinstance(app.points, FunnelOverTimePoints)
        assert readout(app) == MARCH_3
        assert [line.values for line in app.points.lines] == [(50.0, 0.0, 50.0)]
        assert "03-01" in app.home.query_one(ChartView).render().plain
        assert "Conversion to step 3" in app.home.query_one(Legend).render().plain

        await press(app, pilot, "T")
        assert app.points is bars
        assert readout(app).startswith("Step 1 of 3 · view · converted: 7 users\n")
        assert error_messages(app) == []


async def test_cursor_moves_across_entry_buckets(tmp_path):
    async with running(make_shop(tmp_path), size=(100, 30)) as (app, pilot):
        await press(app, pilot, "T", "h")
        assert readout(app).startswith(
            "entered in [2024-03-02 00:00, 2024-03-03 00:00) UTC: 3 users · converted to step 3: 0 · 0.0% converted\n"
        )

        await press(app, pilot, "g")
        assert readout(app).startswith(
            "entered in [2024-03-01 00:00, 2024-03-02 00:00) UTC: 2 users · converted to step 3: 1 · 50.0% converted\n"
        )

        await press(app, pilot, "t")
        assert readout(app).endswith(
            "microscope on dropped off at step 3: 1 · t for converted to step 3: 1 · window 1d, this order"
        )
        await press(app, pilot, "G")
        assert readout(app).startswith("entered in [2024-03-03 00:00, 2024-03-04 00:00) UTC (partial): 2 users")


async def test_microscope_lists_entry_bucket_users(tmp_path):
    async with running(make_shop(tmp_path), size=(100, 30)) as (app, pilot):
        await press(app, pilot, "T")
        users = await open_users(app, pilot, "g")

        assert user_ids(users) == {"u1"}
        header = users.query_one("#point-header").plain()
        assert "entered in [2024-03-01 00:00, 2024-03-02 00:00) UTC" in header
        assert "point = 1, list = 1" in header


async def test_microscope_lists_entry_bucket_dropped_users(tmp_path):
    async with running(make_shop(tmp_path), size=(100, 30)) as (app, pilot):
        await press(app, pilot, "T")
        count = app.points.point().dropped
        users = await open_users(app, pilot, "t")

        assert user_ids(users) == {"u9"}
        assert len(user_ids(users)) == count
        assert "point = 1, list = 1" in users.query_one("#point-header").plain()


async def test_segments_have_a_line_each(tmp_path):
    events = [
        event("view", "2024-03-01T10:00:00Z", "ann", source="iOS"),
        event("buy", "2024-03-01T10:30:00Z", "ann"),
        event("view", "2024-03-01T11:00:00Z", "bo", source="Web"),
        event("view", "2024-03-02T11:00:00Z", "cy", source="Web"),
        event("buy", "2024-03-02T11:30:00Z", "cy"),
    ]
    chart = dict(
        SHOP_FUNNEL,
        steps=[{"event": "view"}, {"event": "buy"}],
        range={"from": "2024-03-01", "to": "2024-03-02"},
        group_by="source",
    )
    async with running(make_shop(tmp_path, chart, events), size=(100, 30)) as (app, pilot):
        await press(app, pilot, "T")

        lines = {line.segment: line.values for line in app.points.lines}
        assert lines["Web"] == (0.0, 100.0)
        assert lines["iOS"][0] == 100.0
        # Nobody from iOS entered on 03-02: no rate, drawn as a gap rather than 0%.
        assert math.isnan(lines["iOS"][1])
        await press(app, pilot, "j", "h")
        segment = app.points.point().segment
        # The last event, 03-02 11:30, comes before the 03-01 entrants' windows end at 03-03 00:00.
        assert readout(app).startswith(f"{segment} · entered in [2024-03-01 00:00, 2024-03-02 00:00) UTC (partial): 1 user")

        await press(app, pilot, "enter")
        assert isinstance(app.screen, MicroscopeMenu)
        assert app.screen.point.segment == segment
        assert app.screen.point.over_time


async def test_help_lists_switch_on_funnels_only(tmp_path):
    async with running(make_shop(tmp_path)) as (app, pilot):
        await press(app, pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        listed = {entry.action: entry.description for entry in app.screen.entries}
        assert "switch_over_time" in listed
        assert "toggle_part" not in listed

        await press(app, pilot, "escape", "T", "question_mark")
        listed = {entry.action: entry.description for entry in app.screen.entries}
        assert listed["move_bucket(-1)"] == "Previous entry bucket"
        assert listed["toggle_part"].startswith("Switch between the users who converted")


async def test_switch_does_nothing_on_other_charts(tmp_path):
    segmentation = {"type": "segmentation", "events": [{"event": "view"}], "range": SHOP_FUNNEL["range"]}
    async with running(make_shop(tmp_path, segmentation)) as (app, pilot):
        points = app.points
        await press(app, pilot, "T")
        assert app.points is points
        await press(app, pilot, "question_mark")
        assert "switch_over_time" not in {entry.action for entry in app.screen.entries}
