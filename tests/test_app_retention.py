"""Retention charts in the app on a small hand-made project in Berlin: the cohort table, cursor, readout and microscope.

Start event ``signup``, return event ``open``, days 0 to 2, range 2024-03-30
to 2024-03-31. Berlin moves to summer time at 02:00 on 03-31. Local times:

- a: signup 03-30 10:00, open 03-31 12:00: day 1.
- b: signup 03-30 23:30, open 03-31 00:30: day 1 in Berlin, though both are on 03-30 in UTC.
- c: signup 03-30 08:00, open 09:00 the same day: day 0.
- e: signup 03-30 12:00 as the anonymous device de, identified as ue at the open on 03-31 11:00: day 1.
- f: signup and open at the same second on 03-30 13:00, open after signup in the file: day 0.
- d: signup 03-31 09:00, open 04-01 10:00: day 1 of the 03-31 cohort.

So cohort 03-30 has 5 users: day 0 retains c and f (40%), day 1 a, b and ue (60%),
day 2 no user. Cohort 03-31 has d alone: day 0 0%, day 1 100%. The last event is
04-01 10:00, so day 2 of 03-30 and days 1 and 2 of 03-31 are incomplete. The
average over complete cells is 2 / 6 = 33.3% on day 0 and 3 / 5 = 60.0% on day 1.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.style import Style

from builders import build_project
from funnel_app import canvas, event, open_users, readout, user_ids
from microscope_app import error_messages, press, running
from tui.app.help_screen import HelpScreen
from tui.app.microscope.compare import CompareScreen
from tui.app.microscope.paths_screen import PathsScreen
from tui.app.home_screen import HomeScreen
from tui.app.legend import Legend
from tui.app.microscope.menu import MicroscopeMenu
from tui.app.microscope.why_screen import WhyScreen
from tui.app.retention_points import RetentionPoints
from tui.app.retention_table import INCOMPLETE_MARK, NOT_RETAINED_MARK, RETAINED_MARK
from tui.store.project import open_project
from tui.store.saved_charts import save_chart

SIGNUP_RETENTION = {
    "type": "retention",
    "start": {"event": "signup"},
    "return": {"event": "open"},
    "period": "day",
    "periods": 2,
    "range": {"from": "2024-03-30", "to": "2024-03-31"},
}
TITLE = (
    "Signups · Retention: signup then open · days 0–2, return on, calendar days · 2024-03-30 … 2024-03-31"
)
# The table at 100 columns, the cursor on day 1 of the first cohort.
TABLE = [
    "Cohort     Users   Day 0   Day 1   Day 2 ",
    "Average        6   33.3%   60.0%       – ",
    "─" * 41,
    f"2024-03-30     5   40.0%  {RETAINED_MARK}60.0%    0.0%{INCOMPLETE_MARK}",
    # Day 2 of 03-31 begins on 04-02, after the last event: blank, not 0.0%.
    f"2024-03-31     1    0.0%  100.0%{INCOMPLETE_MARK}",
]
FIRST_CELL = "Cohort 2024-03-30 (5 users) · Day 1 · "
NOT_BEGUN = (
    "Cohort 2024-03-31 (1 user) · Day 2 has not begun for this cohort\n"
    "no events from this period yet, so no users to list · return on, calendar days"
)
DETAILS = "complete · return on, calendar days · average 60.0% over 1 complete cohort, weighted by size"


def signup_events() -> list[dict]:
    return [
        event("signup", "2024-03-30T09:00:00Z", "a"),
        event("open", "2024-03-31T10:00:00Z", "a"),
        event("signup", "2024-03-30T22:30:00Z", "b"),
        event("open", "2024-03-30T23:30:00Z", "b"),
        event("signup", "2024-03-30T07:00:00Z", "c"),
        event("open", "2024-03-30T08:00:00Z", "c"),
        event("signup", "2024-03-30T11:00:00Z", device="de"),
        event("open", "2024-03-31T09:00:00Z", "ue", "de"),
        event("signup", "2024-03-30T12:00:00Z", "f"),
        event("open", "2024-03-30T12:00:00Z", "f"),
        event("signup", "2024-03-31T07:00:00Z", "d"),
        event("open", "2024-04-01T08:00:00Z", "d"),
    ]


@pytest.fixture(scope="module")
def signups_template(tmp_path_factory) -> Path:
    """Build the Berlin project once with the retention chart saved; each test opens its own copy."""
    folder = tmp_path_factory.mktemp("signups")
    project = build_project(folder, signup_events(), timezone="Europe/Berlin")
    save_chart(project.con, "Signups", SIGNUP_RETENTION)
    project.close()
    return folder / "p.duckdb"


@pytest.fixture
def signups(tmp_path, signups_template) -> Path:
    path = tmp_path / "p.duckdb"
    path.write_bytes(signups_template.read_bytes())
    return path


def why_rows(screen: WhyScreen) -> list[tuple[str, str]]:
    return [row.plain()[:2] for row in screen.query_one("#why-table").loaded_rows()]


async def test_table_and_readout(signups):
    async with running(signups, size=(100, 30)) as (app, pilot):
        assert isinstance(app.points, RetentionPoints)
        # The title is two cells wider than the row, so the range's end drops its repeated year.
        assert app.home.query_one("#chart-title").content.plain == TITLE.replace("… 2024-03-31", "… 03-31")
        assert [line.rstrip() for line in canvas(app).split("\n")] == [line.rstrip() for line in TABLE]
        assert readout(app) == f"{FIRST_CELL}retained: 3 users · not retained: 2 · 60.0% retained\n{DETAILS}"

        await press(app, pilot, "t")
        assert readout(app) == f"{FIRST_CELL}not retained: 2 users · retained: 3 · 60.0% retained\n{DETAILS}"
        assert f"{NOT_RETAINED_MARK}60.0%" in canvas(app)
        legend = app.home.query_one(Legend).render()
        assert legend.plain.startswith(f"{RETAINED_MARK} retained   {NOT_RETAINED_MARK} not retained   t switches part")
        assert "* incomplete: can still change" in legend.plain

        # The part stays chosen while the cursor moves; right stops at the last period.
        await press(app, pilot, "j")
        assert readout(app) == (
            "Cohort 2024-03-31 (1 user) · Day 1 · not retained: 0 users · retained: 1 · 100.0% retained\n"
            "incomplete: day 1 not over for every user · return on, calendar days · "
            "average 60.0% over 1 complete cohort, weighted by size"
        )
        # Day 2 of 03-31 begins on 04-02, after the last event: no counts, in either part.
        await press(app, pilot, "l", "l")
        assert readout(app) == NOT_BEGUN
        await press(app, pilot, "t")
        assert readout(app) == NOT_BEGUN
        await press(app, pilot, "enter")
        assert isinstance(app.screen, HomeScreen)
        assert [note.message for note in app._notifications][-1] == (
            "Day 2 has not begun for this cohort, so there are no users to list."
        )
        await press(app, pilot, "t", "g", "k", "k")
        assert readout(app).startswith("Cohort 2024-03-30 (5 users) · Day 0 · not retained: 3 users · retained: 2 · ")
        assert app.queries_run == 1
        assert error_messages(app) == []


async def test_view_users_of_both_parts(signups):
    async with running(signups) as (app, pilot):
        users = await open_users(app, pilot)
        # b's open at 00:30 in Berlin is on the next day; ue's anonymous signup counts for the identified user.
        assert user_ids(users) == {"a", "b", "ue"}
        header = users.query_one("#point-header").plain()
        assert header.startswith("signup then open, day 1 (on), retained · [2024-03-30 00:00, 2024-03-31 00:00) Europe/Berlin\n")
        assert "point = 3, list = 3" in header

        await press(app, pilot, "slash", "b", "enter", "w")
        assert isinstance(app.screen, WhyScreen)
        # The return event that retained b, in the chart's zone.
        assert why_rows(app.screen) == [("2024-03-31 00:30:00", "open")]

        await press(app, pilot, "escape", "escape", "escape")
        assert isinstance(app.screen, HomeScreen)
        users = await open_users(app, pilot, "t")
        assert user_ids(users) == {"c", "f"}
        assert "point = 2, list = 2" in users.query_one("#point-header").plain()

        await press(app, pilot, "slash", "c", "enter", "w")
        # A user not retained is here because of the start event that put them in the cohort.
        assert why_rows(app.screen) == [("2024-03-30 08:00:00", "signup")]


async def test_menu_actions_on_a_cell(signups):
    async with running(signups) as (app, pilot):
        await press(app, pilot, "enter")
        menu = app.screen
        assert isinstance(menu, MicroscopeMenu)
        reasons = menu.reasons
        for name in ("users", "paths", "cohort", "download", "release"):
            assert reasons[name] is None, name
        assert reasons["streams"] == "View user streams: only event segmentation charts have them"
        assert reasons["annotation"].startswith("Add annotation: ")
        assert "retention" in reasons["annotation"]
        assert reasons["zoom"] == "Zoom in: only time charts zoom, and this is a retention chart."
        assert reasons["filter"] == "Filter to series: no Group by, so there is one table."
        assert reasons["exclude"] == "Exclude series: no Group by, so there is one table."
        assert reasons["drivers"] == "Explore conversion drivers: only funnel charts have them"

        await press(app, pilot, "z")
        assert app.screen is menu
        assert app.definition.type == "retention"

        await press(app, pilot, "p")
        assert isinstance(app.screen, PathsScreen)
        assert app.screen.query_one("#paths-status").content.plain.startswith("3 users · ")
        assert error_messages(app) == []


async def test_compare_two_cells(signups):
    async with running(signups) as (app, pilot):
        await press(app, pilot, "m", "h", "enter", "C")
        compare = app.screen
        assert isinstance(compare, CompareScreen)
        # Day 1 retained a, b and ue; day 0 retained c and f.
        assert (compare.counts["both"], compare.counts["only_first"], compare.counts["only_second"]) == (0, 3, 2)


async def test_help_names_retention_keys(signups):
    async with running(signups) as (app, pilot):
        await press(app, pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        listed = {entry.description: entry.keys for entry in app.screen.entries}
        assert listed["Previous period"] == ["←", "h"]
        assert listed["Next period"] == ["→", "l"]
        assert listed["Previous start cohort"] == ["↑", "k"]
        assert listed["Next start cohort"] == ["↓", "j"]
        assert listed["Switch between the retained and the not-retained users of the cell"] == ["t"]
        assert "Previous bucket" not in listed


async def test_table_readable_without_colour(signups, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    async with running(signups, size=(80, 24)) as (app, pilot):
        assert app.no_color
        await press(app, pilot, "t")
        drawing = canvas(app)
        assert f"{NOT_RETAINED_MARK}60.0%" in drawing
        assert drawing.count(INCOMPLETE_MARK) == 2
        rendered = app.home.query_one("#chart").render()
        styles = [span.style if isinstance(span.style, Style) else Style.parse(span.style) for span in rendered.spans]
        assert all(style.color is None and style.bgcolor is None for style in styles)

    for size in [(40, 12), (30, 9)]:
        async with running(signups, size=size) as (app, pilot):
            await press(app, pilot, "l")
            drawing = canvas(app)
            assert drawing.strip()
            assert readout(app).startswith("Cohort 2024-03-30 (5 users) · Day 2 · retained: 0 users")
