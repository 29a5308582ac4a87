"""Funnel charts in the app on the small shop of ``funnel_app``: bars, cursor, readout, keys, and the microscope on a step's part."""

from rich.style import Style

from funnel_app import SHOP_FUNNEL, STEP_USERS, canvas, event, make_shop, open_users, readout, user_ids
from microscope_app import error_messages, press, running
from tui.app.chart_view import ChartView
from tui.app.funnel_points import FunnelPoints
from tui.app.help_screen import HelpScreen
from tui.app.home_screen import HomeScreen
from tui.app.legend import Legend
from tui.app.microscope.compare import CompareScreen
from tui.app.microscope.menu import MicroscopeMenu
from tui.app.microscope.why_screen import WhyScreen
from tui.app.plotting import CONVERTED_FILL, CURSOR_MARKER, DROPPED_FILL

MARKUP_EVENT = "[@click=app.quit]view[/]"


async def test_funnel_readout_counts(tmp_path):
    async with running(make_shop(tmp_path), size=(100, 30)) as (app, pilot):
        assert isinstance(app.points, FunnelPoints)
        title = app.home.query_one("#chart-title").content.plain
        assert title == "Shop funnel · Funnel: view → cart → buy · window 1d, this order · 2024-03-01 … 2024-03-03"
        assert readout(app) == "Step 1 of 3 · view · converted: 7 users\nwindow 1d, this order"

        await press(app, pilot, "l")
        assert readout(app) == (
            "Step 2 of 3 · cart · converted: 5 users · dropped off: 2\n"
            "71.4% of step 1 · median 10 min 00 s · window 1d, this order"
        )

        await press(app, pilot, "l", "k")
        assert readout(app) == (
            "Step 3 of 3 · buy · dropped off: 3 users · converted: 2\n"
            "40.0% of step 2 · 28.6% of step 1 · median 42 min 30 s · window 1d, this order"
        )
        legend = app.home.query_one(Legend).render().plain
        assert legend == f"{CONVERTED_FILL} converted   {DROPPED_FILL} dropped off   1 view   2 cart   3 buy"
        assert error_messages(app) == []


async def test_funnel_range_cut_in_project_zone(tmp_path):
    # In New York the range 2024-03-09 to 2024-03-10 runs from 05:00 UTC on the 9th to 04:00 UTC on
    # the 11th, because DST starts on the 10th. Only the views inside it start a conversion.
    events = [
        event("view", "2024-03-09T04:30:00Z", "early"),
        event("view", "2024-03-09T05:30:00Z", "first"),
        event("view", "2024-03-11T03:30:00Z", "last"),
        event("cart", "2024-03-11T03:40:00Z", "last"),
        event("view", "2024-03-11T04:30:00Z", "late"),
        event("cart", "2024-03-11T04:40:00Z", "late"),
    ]
    chart = dict(SHOP_FUNNEL, steps=[{"event": "view"}, {"event": "cart"}], range={"from": "2024-03-09", "to": "2024-03-10"})
    async with running(make_shop(tmp_path, chart, events, "America/New_York")) as (app, pilot):
        assert readout(app).startswith("Step 1 of 2 · view · converted: 2 users\n")
        await press(app, pilot, "l")
        assert readout(app).startswith("Step 2 of 2 · cart · converted: 1 user · dropped off: 1\n")

        users = await open_users(app, pilot)
        assert user_ids(users) == {"last"}
        header = users.query_one("#point-header").plain()
        assert "[2024-03-09 00:00, 2024-03-11 00:00) America/New_York" in header
        # A funnel point has no user streams, so the users list keeps s greyed out.
        assert users.check_action("streams", ()) is None
        await press(app, pilot, "s")
        assert app.screen is users


async def test_cursor_moves_across_steps_and_parts(tmp_path):
    async with running(make_shop(tmp_path)) as (app, pilot):
        points = app.points

        def position() -> tuple[int, bool]:
            part = points.point()
            return part.step.step, part.dropped

        assert position() == (1, False)
        # Step 1 has no dropped-off part, so up stays on its converted part.
        await press(app, pilot, "k")
        assert position() == (1, False)
        await press(app, pilot, "right")
        assert position() == (2, False)
        await press(app, pilot, "up")
        assert position() == (2, True)
        # The part chosen stays as the cursor moves across steps.
        await press(app, pilot, "l")
        assert position() == (3, True)
        await press(app, pilot, "l")
        assert position() == (3, True)
        await press(app, pilot, "j")
        assert position() == (3, False)
        await press(app, pilot, "h", "left", "h")
        assert position() == (1, False)
        await press(app, pilot, "G")
        assert position() == (3, False)
        await press(app, pilot, "down", "g")
        assert position() == (1, False)

        assert CURSOR_MARKER in canvas(app)
        assert app.queries_run == 1


async def test_parts_distinct_without_colour(tmp_path, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    async with running(make_shop(tmp_path)) as (app, pilot):
        assert app.no_color
        await press(app, pilot, "l", "l", "k")
        drawing = app.home.query_one(ChartView).render()
        assert CONVERTED_FILL in drawing.plain
        assert DROPPED_FILL in drawing.plain
        assert CURSOR_MARKER in drawing.plain
        styles = [span.style if isinstance(span.style, Style) else Style.parse(span.style) for span in drawing.spans]
        assert all(style.color is None for style in styles)


async def test_bars_follow_the_counts(tmp_path):
    # The bars' heights in rows keep the order of the counts (7, 5, 2 converted; 0, 2, 3 dropped off).
    async with running(make_shop(tmp_path), size=(80, 24)) as (app, pilot):
        rows = canvas(app).split("\n")
        converted_rows = [sum(CONVERTED_FILL in row[start : start + 3] for row in rows) for start in _bar_starts(rows)]
        dropped_rows = [sum(DROPPED_FILL in row[start : start + 3] for row in rows) for start in _bar_starts(rows)]
        assert len(converted_rows) == 3
        assert converted_rows[0] > converted_rows[1] > converted_rows[2] > 0
        assert dropped_rows[0] == 0
        assert 0 < dropped_rows[1] < dropped_rows[2]


def _bar_starts(rows: list[str]) -> list[int]:
    """Return the first column of each bar, read off the bottom row of bars."""
    bottom = next(row for row in reversed(rows) if CONVERTED_FILL in row)
    return [index for index, cell in enumerate(bottom) if cell == CONVERTED_FILL and bottom[index - 1] != CONVERTED_FILL]


async def test_ten_steps_fit_in_80_columns(tmp_path):
    names = [f"s{number}" for number in range(1, 11)]
    # User k does the first k steps, a minute apart.
    events = [
        event(name, f"2024-03-01T10:{minute:02d}:00Z", f"user{count}")
        for count in range(1, 11)
        for minute, name in enumerate(names[:count])
    ]
    chart = dict(SHOP_FUNNEL, steps=[{"event": name} for name in names])
    async with running(make_shop(tmp_path, chart, events), size=(80, 24)) as (app, pilot):
        axis_labels = canvas(app).rstrip().split("\n")[-1].split()
        assert axis_labels == [str(number) for number in range(1, 11)]
        await press(app, pilot, "G", "k")
        assert readout(app).startswith("Step 10 of 10 · s10 · dropped off: 1 user · converted: 1\n")

    for size in [(40, 12), (20, 6)]:
        async with running(tmp_path / "p.duckdb", size=size) as (app, pilot):
            await press(app, pilot, "l")
            assert canvas(app).strip()
            assert readout(app).startswith("Step 2 of 10 · s2 · converted: 9 users")


async def test_markup_in_step_event_shown_literally(tmp_path):
    events = [event(MARKUP_EVENT, "2024-03-01T10:00:00Z", "u1"), event("cart", "2024-03-01T10:01:00Z", "u1")]
    chart = dict(SHOP_FUNNEL, steps=[{"event": MARKUP_EVENT}, {"event": "cart"}])
    async with running(make_shop(tmp_path, chart, events)) as (app, pilot):
        assert readout(app).startswith(f"Step 1 of 2 · {MARKUP_EVENT} · converted: 1 user")
        assert MARKUP_EVENT in app.home.query_one(Legend).render().plain
        assert MARKUP_EVENT in app.home.query_one("#chart-title").content.plain
        # Clicking the text would quit the app if its markup were parsed.
        await pilot.click("#readout")
        await pilot.click("#legend")
        await pilot.click("#chart-title")
        assert app.is_running


async def test_dropped_part_menu_actions(tmp_path):
    async with running(make_shop(tmp_path)) as (app, pilot):
        await press(app, pilot, "l", "l", "k", "enter")
        menu = app.screen
        assert isinstance(menu, MicroscopeMenu)
        header = menu.query_one("#point-header").plain()
        assert header.startswith("Step 3 buy, dropped off · [2024-03-01 00:00, 2024-03-04 00:00) UTC · window 1d, this order\n")
        assert "point = 3, list = 3" in header

        reasons = menu.reasons
        for name in ("users", "paths", "drivers", "cohort", "download", "release"):
            assert reasons[name] is None, name
        assert reasons["streams"] == "View user streams: only event segmentation charts have them"
        assert reasons["zoom"] == (
            "Zoom in: a funnel's steps have no time axis. Its conversion over time (T on the chart) zooms in."
        )
        assert reasons["filter"] == "Filter to series: no Group by, so each step has one bar."
        assert reasons["exclude"] == "Exclude series: no Group by, so each step has one bar."
        assert reasons["annotation"].startswith("Add annotation: ")
        assert reasons["compare"] == "Compare with marked point: press m on a point first"

        await press(app, pilot, "z")
        assert app.screen is menu
        await press(app, pilot, "escape", "g", "enter")
        assert app.screen.reasons["drivers"] == (
            "Explore conversion drivers: only on steps after step 1"
        )


async def test_view_users_matches_each_part(tmp_path):
    async with running(make_shop(tmp_path)) as (app, pilot):
        steps = app.points.steps
        moves = {
            (1, False): (),
            (2, False): ("l",),
            (2, True): ("l", "k"),
            (3, False): ("l", "l", "j"),
            (3, True): ("l", "l", "k"),
        }
        for (step, dropped), keys in moves.items():
            users = await open_users(app, pilot, "g", *keys)
            expected = STEP_USERS[(step, dropped)]
            chart_count = steps[step - 1].dropped if dropped else steps[step - 1].converted
            assert user_ids(users) == expected
            assert chart_count == len(expected)
            assert f"point = {len(expected)}, list = {len(expected)}" in users.query_one("#point-header").plain()
            await press(app, pilot, "escape", "escape")
            assert isinstance(app.screen, HomeScreen)


async def test_why_here_lists_step_events(tmp_path):
    async with running(make_shop(tmp_path)) as (app, pilot):
        users = await open_users(app, pilot, "l", "l", "k")
        await press(app, pilot, "slash", *"u8", "enter")
        assert user_ids(users) == {"u8"}

        await press(app, pilot, "w")
        why = app.screen
        assert isinstance(why, WhyScreen)
        rows = [row.plain()[:2] for row in why.query_one("#why-table").loaded_rows()]
        # The anonymous view and the identified cart: steps 1 and 2, the steps this user completed.
        assert rows == [("2024-03-02 10:00:00", "view"), ("2024-03-02 10:30:00", "cart")]


async def test_compare_two_funnel_parts(tmp_path):
    async with running(make_shop(tmp_path)) as (app, pilot):
        await press(app, pilot, "l", "m")
        assert readout(app).endswith("\nmarked: Step 2 cart, converted · "
                                     "[2024-03-01 00:00, 2024-03-04 00:00) UTC · window 1d, this order")
        await press(app, pilot, "l", "k", "enter", "C")
        compare = app.screen
        assert isinstance(compare, CompareScreen)
        first, second = STEP_USERS[(2, False)], STEP_USERS[(3, True)]
        assert compare.counts["both"] == len(first & second)
        assert compare.counts["only_first"] == len(first - second)
        assert compare.counts["only_second"] == len(second - first)

        await press(app, pilot, "1")
        assert user_ids(app.screen) == first - second


async def test_help_names_funnel_keys(tmp_path):
    async with running(make_shop(tmp_path)) as (app, pilot):
        await press(app, pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        listed = {entry.description: entry.keys for entry in app.screen.entries}
        assert listed["Previous funnel step"] == ["←", "h"]
        assert listed["Next funnel step"] == ["→", "l"]
        assert listed["Dropped-off part of the step"] == ["↑", "k"]
        assert listed["Converted part of the step"] == ["↓", "j"]
        assert "Previous bucket" not in listed
