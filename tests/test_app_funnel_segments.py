"""A funnel with a group-by in the app: side-by-side bars per segment, the cursor across segments, and their users.

The shop of ``funnel_app`` with a ``source`` on each view: u1, u2, u4 and u9
came from ads, u3 and u5 from mail, and the anonymous view of u8 has none.
So by source (rank order ads, mail, (none)):

| segment | step 1 | step 2 converted / dropped | step 3 converted / dropped |
| --- | --- | --- | --- |
| ads | u1 u2 u4 u9 | u1 u2 u9 / u4 | u1 / u2 u9 |
| mail | u3 u5 | u5 / u3 | u5 / - |
| (none) | u8 | u8 / - | - / u8 |
"""

from funnel_app import SHOP_FUNNEL, canvas, make_shop, open_users, readout, shop_events, user_ids
from microscope_app import error_messages, press, running
from test_app_funnel_drivers import driver_rows, open_drivers, summary
from tui.app.funnel_points import FunnelPoints
from tui.app.help_screen import HelpScreen
from tui.app.home_screen import HomeScreen
from tui.app.legend import Legend
from tui.app.plotting import CURSOR_MARKER, DROPPED_FILL, line_style

SOURCES = {"u1": "ads", "u2": "ads", "u3": "mail", "u4": "ads", "u5": "mail", "u9": "ads"}
GROUPED_FUNNEL = dict(SHOP_FUNNEL, group_by="source")
SEGMENT_USERS = {
    ("ads", 1, False): {"u1", "u2", "u4", "u9"},
    ("ads", 2, True): {"u4"},
    ("ads", 3, True): {"u2", "u9"},
    ("mail", 2, True): {"u3"},
    ("mail", 3, False): {"u5"},
    ("(none)", 3, True): {"u8"},
}


def sourced_events() -> list[dict]:
    events = shop_events()
    for row in events:
        source = SOURCES.get(row.get("user_id"))
        if row["event_type"] == "view" and source:
            row["event_properties"] = {"source": source}
    return events


def make_sourced_shop(tmp_path):
    return make_shop(tmp_path, GROUPED_FUNNEL, sourced_events())


async def test_segments_readout_and_legend(tmp_path):
    async with running(make_sourced_shop(tmp_path), size=(100, 30)) as (app, pilot):
        points = app.points
        assert isinstance(points, FunnelPoints)
        assert points.segments == ["ads", "mail", "(none)"]
        assert readout(app) == "Step 1 of 3 · view · ads · converted: 4 users\nwindow 1d, this order"

        # Down from ads' converted part of step 2 goes to mail's dropped-off part.
        await press(app, pilot, "l", "j")
        assert readout(app).startswith("Step 2 of 3 · cart · mail · dropped off: 1 user · converted: 1\n")
        legend = app.home.query_one(Legend).render().plain
        first, second, none = (line_style(index)[0] for index in range(3))
        assert legend.startswith(
            f"{first} ads   {second} mail   {none} (none)   {first}/{second}/{none} converted   "
            f"{DROPPED_FILL} dropped off   1 view"
        )
        drawn = canvas(app)
        assert CURSOR_MARKER in drawn
        assert first in drawn
        assert second in drawn
        assert none in drawn
        assert error_messages(app) == []


async def test_cursor_order_over_segments(tmp_path):
    async with running(make_sourced_shop(tmp_path)) as (app, pilot):
        points = app.points

        def position():
            part = points.point()
            return part.step.step, part.segment, part.dropped

        # Step 1 has only converted parts, one per segment.
        await press(app, pilot, "j", "j", "j")
        assert position() == (1, "(none)", False)
        await press(app, pilot, "l", "k")
        assert position() == (2, "(none)", True)
        await press(app, pilot, "k")
        assert position() == (2, "mail", False)
        await press(app, pilot, "k", "k", "k", "k")
        assert position() == (2, "ads", True)


async def test_view_users_of_segment_parts(tmp_path):
    async with running(make_sourced_shop(tmp_path)) as (app, pilot):
        moves = {
            ("ads", 1, False): (),
            ("ads", 2, True): ("l", "k"),
            ("ads", 3, True): ("l", "l", "k"),
            ("mail", 2, True): ("l", "k", "j", "j"),
            ("mail", 3, False): ("l", "l", "k", "j", "j", "j"),
            ("(none)", 3, True): ("l", "l", "k", "j", "j", "j", "j"),
        }
        for (segment, step, dropped), keys in moves.items():
            # g and the up keys bring the cursor back to step 1 of the first segment. The part chosen
            # before stays chosen, so each move past step 1 starts with k, up to the first dropped-off part.
            users = await open_users(app, pilot, "g", "k", "k", "k", *keys)
            expected = SEGMENT_USERS[(segment, step, dropped)]
            part_steps = app.points.steps_of(segment)[step - 1]
            assert user_ids(users) == expected, (segment, step, dropped)
            assert (part_steps.dropped if dropped else part_steps.converted) == len(expected)
            header = users.query_one("#point-header").plain()
            assert f"point = {len(expected)}, list = {len(expected)}" in header
            assert segment in header
            await press(app, pilot, "escape", "escape")
            assert isinstance(app.screen, HomeScreen)


async def test_help_names_segment_moves(tmp_path):
    async with running(make_sourced_shop(tmp_path)) as (app, pilot):
        await press(app, pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        listed = {entry.description: entry.keys for entry in app.screen.entries}
        assert listed["Up the step's bars: dropped-off part, then the previous segment's converted part"] == ["↑", "k"]
        assert listed["Down the step's bars: converted part, then the next segment's dropped-off part"] == ["↓", "j"]


async def test_drivers_of_one_segment(tmp_path):
    # In ads, u1, u2 and u9 reached the cart; u1 bought. u1 and u2 used a coupon, u9 asked for help.
    async with running(make_sourced_shop(tmp_path)) as (app, pilot):
        screen = await open_drivers(app, pilot, "l", "l", "k")
        assert summary(screen).startswith(
            "Step 2 cart → step 3 buy · 3 users reached step 2: 1 converted, 2 dropped off · window 1d, this order\n"
        )
        rows = {row[0]: row[1:3] for row in driver_rows(screen)}
        assert rows == {"help": ("0 · 0.0%", "1 · 50.0%"), "coupon": ("1 · 100.0%", "1 · 50.0%")}
        assert error_messages(app) == []
