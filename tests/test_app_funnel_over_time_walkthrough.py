"""A funnel's conversion over time as a new user meets it: markers, buckets still to come, and T back and forth.

The project's days are relative to today (UTC), because only buckets that
have not ended by the real clock show the notes on entrants still to come.
D0 is three days ago and D4 is tomorrow. The funnel is view then buy, window 1
day, by platform, over days D0 to D4. On each of D0, D1 and D2 (at 10:00,
buys at 11:00):

- Web: three users view, two of them buy (66.7%);
- iOS: two users view, one buys (50.0%);
- Android: one user views and buys (100.0%).

So the lines are Web, iOS and Android, with markers •, + and x. The last
event is D2 11:00, so the windows of D1's entrants (to D3 00:00) and D2's
are still open, and D0's (to D2 00:00) are over. D3 (today) has not ended
and D4 has not begun, so users may still enter in both. An annotation is on
D1 and a release on D2.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from builders import build_project
from ecom_app import chart_lines, columns_of, cursor_column
from funnel_app import event, readout
from microscope_app import error_messages, press, running
from tui.app.funnel_over_time import FunnelOverTimePoints
from tui.app.funnel_points import FunnelPoints
from tui.app.legend import Legend
from tui.app.microscope.menu import MicroscopeMenu
from tui.store.annotations import add_annotation, add_release
from tui.store.saved_charts import save_chart

TODAY = datetime.now(timezone.utc).date()
DAYS = [TODAY + timedelta(days=offset) for offset in range(-3, 3)]
D0, D1, D2, D3, D4, D5 = DAYS
PLATFORM_USERS = {"Web": (3, 2), "iOS": (2, 1), "Android": (1, 1)}
CHART = {
    "type": "funnel",
    "steps": [{"event": "view"}, {"event": "buy"}],
    "window": "1d",
    "interval": "day",
    "range": {"from": D0.isoformat(), "to": D4.isoformat()},
    "group_by": "platform",
}
RANGE_NOTE = "(partial) range not over yet: more users may still enter the funnel and join this list"


def shop_events() -> list[dict]:
    """Return the views and buys of D0 to D2: per platform, its viewers and how many of them buy."""
    rows = []
    for day in (D0, D1, D2):
        for platform, (viewers, buyers) in PLATFORM_USERS.items():
            for number in range(viewers):
                user = f"{platform}-{day:%m%d}-{number}"
                rows.append(dict(event("view", f"{day}T10:00:00Z", user), platform=platform))
                if number < buyers:
                    rows.append(dict(event("buy", f"{day}T11:00:00Z", user), platform=platform))
    return rows


def make_project(tmp_path):
    project = build_project(tmp_path, shop_events())
    project.set_member("admin", "admin")
    project.set_setting("current_member", "admin")
    save_chart(project.con, "Buyers by platform", CHART)
    add_annotation(project, "Launch", day=D1)
    add_release(project, "2.0", "New cart", None, D2)
    path = project.path
    project.close()
    return path


def legend(app) -> str:
    return app.home.query_one(Legend).render().plain


def bucket_text(day: date) -> str:
    return f"[{day} 00:00, {day + timedelta(days=1)} 00:00) UTC"


def header_lines(screen) -> list[str]:
    return screen.query_one("#point-header").plain().splitlines()


async def test_markers_on_first_switch(tmp_path):
    async with running(make_project(tmp_path), size=(120, 36)) as (app, pilot):
        assert isinstance(app.points, FunnelPoints)
        # Loaded with the funnel, though its bars draw none of them.
        assert [(marker.symbol, marker.first_day) for marker in app.markers] == [("▼", D1), ("▲", D2)]
        assert "Launch" not in legend(app)

        await press(app, pilot, "T")
        assert isinstance(app.points, FunnelOverTimePoints)
        text = legend(app)
        assert f"▼ {D1:%m-%d} Launch" in text
        assert f"▲ {D2:%m-%d} 2.0 New cart" in text
        assert columns_of(app, "▼") == [await cursor_column(app, pilot, 1)]
        assert columns_of(app, "▲") == [await cursor_column(app, pilot, 2)]

        # Running the chart again on its conversion over time keeps them.
        await press(app, pilot, "r")
        assert isinstance(app.points, FunnelOverTimePoints)
        assert f"▼ {D1:%m-%d} Launch" in legend(app)
        assert f"▲ {D2:%m-%d} 2.0 New cart" in legend(app)
        assert error_messages(app) == []


async def test_buckets_still_to_come(tmp_path):
    async with running(make_project(tmp_path), size=(120, 36)) as (app, pilot):
        await press(app, pilot, "T")
        assert app.points.bucket_index == 4
        assert app.points.window_open == [False, True, True, True, True]

        details = "microscope on converted to step 2: 0 · t for dropped off at step 2: 0 · window 1d, this order"
        assert readout(app) == (
            f"Web · entered in {bucket_text(D4)} (partial): 0 users · converted to step 2: 0 · no entries yet\n"
            f"partial: bucket not begun yet, users may still enter · {details}"
        )
        await press(app, pilot, "h")
        assert readout(app) == (
            f"Web · entered in {bucket_text(D3)} (partial): 0 users · converted to step 2: 0 · no entries yet\n"
            f"partial: bucket not over yet, users may still enter · {details}"
        )
        await press(app, pilot, "h")
        assert readout(app) == (
            f"Web · entered in {bucket_text(D2)} (partial): 3 users · converted to step 2: 2 · 66.7% converted\n"
            "partial: window not over for every entrant · microscope on converted to step 2: 2 · "
            "t for dropped off at step 2: 1 · window 1d, this order"
        )
        await press(app, pilot, "h", "h")
        assert readout(app) == (
            f"Web · entered in {bucket_text(D0)}: 3 users · converted to step 2: 2 · 66.7% converted\n"
            "microscope on converted to step 2: 2 · t for dropped off at step 2: 1 · window 1d, this order"
        )
        assert error_messages(app) == []


async def test_banner_of_bucket_to_come(tmp_path):
    async with running(make_project(tmp_path), size=(120, 36)) as (app, pilot):
        await press(app, pilot, "T", "enter")
        menu = app.screen
        assert isinstance(menu, MicroscopeMenu)
        lines = header_lines(menu)
        assert bucket_text(D4) in lines[0]
        assert lines[1].startswith("point = 0, list = 0")
        assert lines[2] == RANGE_NOTE
        await press(app, pilot, "escape")

        # Today's dropped-off part: users may still enter and drop off, not only convert.
        await press(app, pilot, "h", "t", "enter")
        lines = header_lines(app.screen)
        assert bucket_text(D3) in lines[0]
        assert lines[2] == RANGE_NOTE
        await press(app, pilot, "escape")

        # D2 is over, so only its entrants' windows are open.
        await press(app, pilot, "h", "t", "enter")
        lines = header_lines(app.screen)
        assert bucket_text(D2) in lines[0]
        assert lines[1].startswith("point = 2, list = 2")
        assert lines[2] == "(partial) conversion window still open: more users may still convert and join this list"
        assert error_messages(app) == []


async def test_round_trip_keeps_cursor(tmp_path):
    async with running(make_project(tmp_path), size=(120, 36)) as (app, pilot):
        await press(app, pilot, "T", "j", "j", "h", "h", "h", "t")
        points = app.points
        assert (points.lines[points.line_index].segment, points.bucket_index, points.on_dropped) == ("Android", 1, True)

        await press(app, pilot, "T")
        assert isinstance(app.points, FunnelPoints)
        await press(app, pilot, "T")
        points = app.points
        assert isinstance(points, FunnelOverTimePoints)
        assert (points.lines[points.line_index].segment, points.bucket_index, points.on_dropped) == ("Android", 1, True)
        assert readout(app).startswith(f"Android · entered in {bucket_text(D1)} (partial): 1 user ·")
        assert error_messages(app) == []


async def test_round_trip_keeps_markers(tmp_path):
    async with running(make_project(tmp_path), size=(120, 36)) as (app, pilot):
        # Filtered to Android, the line keeps the x it had beside Web and iOS.
        await press(app, pilot, "T", "j", "j", "enter", "f")
        points = app.points
        assert isinstance(points, FunnelOverTimePoints)
        assert [line.segment for line in points.lines] == ["Android"]
        assert points.line_styles == [2]
        assert "x Android" in legend(app)

        await press(app, pilot, "h", "h", "T")
        assert isinstance(app.points, FunnelPoints)
        await press(app, pilot, "T")
        points = app.points
        assert isinstance(points, FunnelOverTimePoints)
        assert points.line_styles == [2]
        assert "x Android" in legend(app)
        assert "•" not in "\n".join(chart_lines(app))
        assert points.bucket_index == 2

        # Back on the bars, r runs the funnel again, and T still brings the lines as they were.
        await press(app, pilot, "T", "r", "T")
        points = app.points
        assert isinstance(points, FunnelOverTimePoints)
        assert (points.line_styles, points.bucket_index) == ([2], 2)
        assert error_messages(app) == []
