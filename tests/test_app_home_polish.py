"""Home screen polish: changes on a conversion over time, r, markers through zoom, cut titles, the annotations list.

The project: three days of views and buys by users on three platforms.
Each day ``day`` (1 to 3) and platform ``p`` (the index in PLATFORMS, from 0),
``DAILY_VIEWERS[p]`` users view, and the first ``BUYERS[day][p]`` of them buy
ten minutes later. So the daily chart of views by platform orders its lines
Web, Android, iOS (by views over the range), while on March 3 alone iOS has
the most buyers.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.widgets import DataTable

from builders import build_project
from microscope_app import error_messages, press, readout, running
from tui.app.funnel_over_time import FunnelOverTimePoints
from tui.app.legend import Legend
from tui.app.microscope.markers_screen import MarkersScreen
from tui.store.annotations import add_annotation
from tui.store.project import open_project
from tui.store.saved_charts import save_chart

PLATFORMS = ("iOS", "Android", "Web")
DAILY_VIEWERS = (2, 3, 4)
# Buyers by day, then by platform.
BUYERS = {1: (0, 1, 4), 2: (1, 2, 3), 3: (2, 1, 0)}
RANGE = {"from": "2024-03-01", "to": "2024-03-03"}
VIEWS_BY_PLATFORM = {
    "type": "segmentation",
    "events": [{"event": "view"}],
    "measure": "uniques",
    "interval": "day",
    "range": RANGE,
    "group_by": "platform",
}
BUYS_BY_PLATFORM = {**VIEWS_BY_PLATFORM, "events": [{"event": "buy"}]}
FUNNEL_BY_PLATFORM = {
    "type": "funnel",
    "steps": [{"event": "view"}, {"event": "buy"}],
    "window": "1d",
    "range": RANGE,
    "group_by": "platform",
}


def shop_events() -> list[dict]:
    events = []
    for day, buyers in BUYERS.items():
        for index, platform in enumerate(PLATFORMS):
            for number in range(DAILY_VIEWERS[index]):
                user = f"{platform}-{day}-{number}"
                events.append(shop_event("view", user, platform, day, "10:00"))
                if number < buyers[index]:
                    events.append(shop_event("buy", user, platform, day, "10:10"))
    return events


def shop_event(event_type: str, user: str, platform: str, day: int, clock: str) -> dict:
    when = f"2024-03-{day:02d}T{clock}:00Z"
    return {"event_type": event_type, "event_time": when, "user_id": user, "platform": platform}


def make_shop(tmp_path: Path, name: str, chart: dict) -> Path:
    """Build the shop with ``chart`` saved as ``name``, the chart the app opens, and return the project's path."""
    project = build_project(tmp_path, shop_events())
    save_chart(project.con, name, chart)
    project.close()
    return tmp_path / "p.duckdb"


def legend(app) -> str:
    return app.home.query_one(Legend).render().plain


def line_markers(app) -> dict[str, str]:
    """Return each line's segment -> its marker, as the legend lists them.

    A line's entry reads ``• view · Web``, or ``• Web`` after a heading that
    names the measure of every line, as on a conversion over time.
    """
    entries = legend(app).replace("\n", "   ").split("   ")
    headed = entries[0].endswith(":")
    lines = entries[1:] if headed else [entry for entry in entries if " · " in entry]
    return {entry.split(" · ")[-1].split(" ", 1)[-1]: entry.split(" ", 1)[0] for entry in lines}


def title(app) -> str:
    return app.home.query_one("#chart-title").content.plain


def notices(app) -> list[str]:
    return [note.message for note in app._notifications]


async def readout_across_rerun(app, pilot, *keys: str) -> str:
    """Press ``keys``, then r, check that running the chart again keeps the readout, and return that readout."""
    await press(app, pilot, *keys)
    readout_before = readout(app)
    await press(app, pilot, "r")
    assert readout(app) == readout_before
    return readout_before


# Exclude and filter on a funnel's conversion over time ----------------------------------


async def test_over_time_exclude_keeps_cursor_markers(tmp_path):
    async with running(make_shop(tmp_path, "Shop funnel", FUNNEL_BY_PLATFORM), size=(120, 30)) as (app, pilot):
        await press(app, pilot, "T")
        assert [line.segment for line in app.points.lines] == ["Web", "Android", "iOS"]
        assert line_markers(app) == {"Web": "•", "Android": "+", "iOS": "x"}

        # On March 1 Android converted 33%, nearer to iOS (0%) than to Web (100%).
        await press(app, pilot, "g", "j", "enter", "x")
        assert isinstance(app.points, FunnelOverTimePoints)
        assert [line.segment for line in app.points.lines] == ["Web", "iOS"]
        assert line_markers(app) == {"Web": "•", "iOS": "x"}
        assert app.points.bucket_index == 0
        assert readout(app).startswith("iOS · entered in [2024-03-01 00:00, 2024-03-02 00:00) UTC: 2 users")
        assert error_messages(app) == []


async def test_over_time_filter_keeps_cursor_marker(tmp_path):
    async with running(make_shop(tmp_path, "Shop funnel", FUNNEL_BY_PLATFORM), size=(120, 30)) as (app, pilot):
        # March 2, on iOS, the third line.
        await press(app, pilot, "T", "g", "l", "j", "j", "t")
        assert readout(app).startswith("iOS · entered in [2024-03-02 00:00, 2024-03-03 00:00) UTC (partial): 2 users")

        await press(app, pilot, "enter", "f")
        assert isinstance(app.points, FunnelOverTimePoints)
        assert [line.segment for line in app.points.lines] == ["iOS"]
        assert line_markers(app) == {"iOS": "x"}
        assert app.points.bucket_index == 1
        # The part the cursor was on (dropped off, switched with t) stays too.
        assert readout(app).startswith("iOS · entered in [2024-03-02 00:00, 2024-03-03 00:00) UTC (partial): 2 users")
        assert "microscope on dropped off at step 2: 1" in readout(app)


# r: run the chart again ------------------------------------------------------------------


async def test_rerun_keeps_cursor_and_notifies(tmp_path):
    async with running(make_shop(tmp_path, "Views by platform", VIEWS_BY_PLATFORM), size=(120, 30)) as (app, pilot):
        await press(app, pilot, "g", "j")
        readout_before = readout(app)
        assert readout_before.startswith("view · Android · [2024-03-01 00:00, 2024-03-02 00:00) UTC · 3 users")
        queries = app.queries_run

        await press(app, pilot, "r")
        assert app.queries_run == queries + 1
        assert readout(app) == readout_before
        assert line_markers(app) == {"Web": "•", "Android": "+", "iOS": "x"}
        assert re.fullmatch(r"Ran the chart again at 20\d\d-\d\d-\d\d \d\d:\d\d:\d\d UTC\.", notices(app)[-1])


async def test_rerun_in_project_zone(tmp_path):
    path = make_shop(tmp_path, "Views by platform", VIEWS_BY_PLATFORM)
    project = open_project(path)
    project.set_setting("timezone", "Asia/Tokyo")
    project.close()
    async with running(path, size=(120, 30)) as (app, pilot):
        await press(app, pilot, "r")
        assert notices(app)[-1].endswith(" Asia/Tokyo.")


async def test_rerun_keeps_over_time_view(tmp_path):
    async with running(make_shop(tmp_path, "Shop funnel", FUNNEL_BY_PLATFORM), size=(120, 30)) as (app, pilot):
        await readout_across_rerun(app, pilot, "T", "g", "j", "t")
        assert isinstance(app.points, FunnelOverTimePoints)
        assert notices(app)[-1].startswith("Ran the chart again at ")


async def test_rerun_keeps_funnel_step(tmp_path):
    async with running(make_shop(tmp_path, "Shop funnel", FUNNEL_BY_PLATFORM), size=(120, 30)) as (app, pilot):
        kept_readout = await readout_across_rerun(app, pilot, "l", "j")
        assert kept_readout.startswith("Step 2 of 2")


# Zoom keeps each line's marker ------------------------------------------------------------


async def test_zoom_keeps_line_markers(tmp_path):
    async with running(make_shop(tmp_path, "Buys by platform", BUYS_BY_PLATFORM), size=(120, 30)) as (app, pilot):
        assert line_markers(app) == {"Web": "•", "Android": "+", "iOS": "x"}

        # March 3 has no Web buyers, and iOS is its top segment: it keeps its own marker, not Web's.
        await press(app, pilot, "enter", "z")
        assert app.definition.interval == "hour"
        assert [line.segment for line in app.points.lines] == ["iOS", "Android"]
        assert line_markers(app) == {"iOS": "x", "Android": "+"}

        await press(app, pilot, "backspace")
        assert line_markers(app) == {"Web": "•", "Android": "+", "iOS": "x"}


# Cut titles keep the measure -------------------------------------------------------------


NOTE = "Unsaved, with a line excluded from “Views by pla…” · "
CUT_TITLES = {
    # The range's end gives up its repeated year first, then the filter its words, then the interval, then
    # the title its end: the measure's least keeps the whole range on screen.
    100: NOTE + "… · Unique users · … · 2024-03-01 … 03-03 · …",
    110: NOTE + "… · Unique users · … · 2024-03-01 … 03-03 · by platform",
    120: NOTE + "view w… · Unique users · Daily · 2024-03-01 … 03-03 · by platform",
}


@pytest.mark.parametrize("columns", sorted(CUT_TITLES))
async def test_cut_title_keeps_measure(tmp_path, columns):
    async with running(make_shop(tmp_path, "Views by platform", VIEWS_BY_PLATFORM), size=(columns, 30)) as (app, pilot):
        await press(app, pilot, "enter", "x")
        chart_title = title(app)
        assert chart_title == CUT_TITLES[columns]
        # The title's row is the screen's width less one cell of padding each side.
        assert cell_len(chart_title) == columns - 2


async def test_zoomed_title_names_one_day(tmp_path):
    async with running(make_shop(tmp_path, "Views by platform", VIEWS_BY_PLATFORM), size=(104, 30)) as (app, pilot):
        await press(app, pilot, "enter", "z")
        # A one-day range is written as that day, so the measure and the group-by fit.
        assert title(app) == (
            "Unsaved, zoomed in from “Views by platform” · view · Unique users · Hourly · 2024-03-03 · by platform"
        )


# The annotations list ----------------------------------------------------------------------

LONG_DETAILS = (
    "Email to every customer on the spring list, with a coupon for twenty percent off shoes and bags until April"
)


async def test_markers_list_cuts_details_with_ellipsis(tmp_path):
    path = make_shop(tmp_path, "Views by platform", VIEWS_BY_PLATFORM)
    project = open_project(path)
    project.set_member("ana", "admin")
    project.set_setting("current_member", "ana")
    add_annotation(project, "Spring sale", "2024-03-02", LONG_DETAILS)
    project.close()
    async with running(path, size=(100, 30)) as (app, pilot):
        await press(app, pilot, "a")
        assert isinstance(app.screen, MarkersScreen)
        table = app.screen.query_one(DataTable)
        kind, days, label, details, platforms, creator = (cell.plain for cell in table.get_row_at(0))
        assert (kind, days, label, platforms, creator) == ("annotation", "2024-03-02", "Spring sale", "", "ana")
        assert details.endswith("…")
        assert LONG_DETAILS.startswith(details[:-1])

        # Every column fits the dialog, so the cut is the one the row shows, and Created by stays in sight.
        assert table.virtual_size.width <= table.scrollable_content_region.width
        drawn = "".join(segment.text for segment in table.render_line(1))
        assert details in drawn
        assert drawn.rstrip().endswith("ana")


async def test_rerun_keeps_retention_cell(tmp_path):
    retention = {
        "type": "retention",
        "start": {"event": "view"},
        "return": {"event": "view"},
        "period": "day",
        "periods": 2,
        "range": RANGE,
        "group_by": "platform",
    }
    async with running(make_shop(tmp_path, "Views retention", retention), size=(120, 30)) as (app, pilot):
        # Web's March 2 cohort, day 1, on its not-retained users.
        kept_readout = await readout_across_rerun(app, pilot, "j", "t")
        assert kept_readout.startswith("Cohort 2024-03-02 (4 users) · Web · Day 1 · not retained: 4")
