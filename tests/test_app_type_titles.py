"""Funnel and retention titles at 100 to 120 columns keep their type and key facts, and legends name a fact once.

The project is the shop of ``test_app_home_polish``: three days of views
and buys on three platforms, Web with the most viewers, then Android, then
iOS.
"""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from microscope_app import press, readout, running
from test_app_home_polish import FUNNEL_BY_PLATFORM, RANGE, legend, make_shop, title
from tui.app.funnel_over_time import FunnelOverTimePoints
from tui.app.legend import Legend
from tui.app.retention_points import RetentionPoints

FUNNEL_NAME = "Shop funnel by platform for the spring"
RETENTION_NAME = "Views then buys by platform for the spring"
# Returns on or after a period count toward it, so a cell stays open until the chart's last period has ended.
RETENTION_BY_PLATFORM = {
    "type": "retention",
    "start": {"event": "view"},
    "return": {"event": "buy"},
    "period": "day",
    "periods": 2,
    "mode": "on_or_after",
    "range": RANGE,
    "group_by": "platform",
}

FUNNEL_NOTE = "Unsaved, with a line excluded from “Shop funnel …” · "
FUNNEL_CUT_TITLES = {
    # The steps give up their names, the window its order, then the end goes: "by platform · without: Web".
    100: FUNNEL_NOTE + "Funnel: … · window 1d … · 2024-03-01 … 03-03…",
    110: FUNNEL_NOTE + "Funnel: … · window 1d, this order · 2024-03-01 … 03-03…",
    120: FUNNEL_NOTE + "Funnel: … · window 1d, this order · 2024-03-01 … 03-03 · by plat…",
}
RETENTION_NOTE = "Unsaved, with a line excluded from “Views then b…” · "
RETENTION_CUT_TITLES = {
    # The key keeps its periods and mode. At 120 columns it gives up its calendar days to show the range's start.
    100: RETENTION_NOTE + "Retention: … · days 0–2, return on or after …",
    110: RETENTION_NOTE + "Retention: … · days 0–2, return on or after, calendar …",
    120: RETENTION_NOTE + "Retention: … · days 0–2, return on or after … · 2024-03-01 … 03-…",
}
FUNNEL_NAMED_TITLES = {
    # A saved name gives up what the steps need, and the steps after it stay whole.
    100: "Shop funnel by pl… · Funnel: view → buy · window 1d, this order · 2024-03-01 … 03-03 · by platform",
    110: "Shop funnel by platform for… · Funnel: view → buy · window 1d, this order · 2024-03-01 … 03-03 · by platform",
    120: "Shop funnel by platform for the spring · Funnel: view → buy · window 1d, this order · "
    "2024-03-01 … 03-03 · by platform",
}
RETENTION_NAMED_TITLES = {
    # The name is cut to 13 cells, then the events, then the name to 12 cells, then the key's calendar days.
    100: "Views then … · Retention: … · days 0–2, return on or after, ca… · 2024-03-01 … 03-03 · by platform",
    110: "Views then … · Retention: … · days 0–2, return on or after, calendar days · 2024-03-01 … 03-03 · by platform",
    120: "Views then b… · Retention: view then… · days 0–2, return on or after, calendar days · "
    "2024-03-01 … 03-03 · by platform",
}


def reversed_entries(app) -> list[str]:
    """Return the legend's texts in reverse video: the cursor's entries."""
    text = app.home.query_one(Legend).render()
    return [text.plain[span.start : span.end] for span in text.spans if span.style == "reverse"]


def assert_fills_row(chart_title: str, columns: int) -> None:
    # The title's row is the screen's width less one cell of padding each side.
    assert cell_len(chart_title) == columns - 2


@pytest.mark.parametrize("columns", sorted(FUNNEL_CUT_TITLES))
async def test_funnel_title_after_note(tmp_path, columns):
    async with running(make_shop(tmp_path, FUNNEL_NAME, FUNNEL_BY_PLATFORM), size=(columns, 30)) as (app, pilot):
        await press(app, pilot, "enter", "x")
        assert title(app) == FUNNEL_CUT_TITLES[columns]
        assert_fills_row(title(app), columns)


@pytest.mark.parametrize("columns", sorted(FUNNEL_CUT_TITLES))
async def test_over_time_title_after_note(tmp_path, columns):
    async with running(make_shop(tmp_path, FUNNEL_NAME, FUNNEL_BY_PLATFORM), size=(columns, 30)) as (app, pilot):
        await press(app, pilot, "T", "enter", "x")
        assert isinstance(app.points, FunnelOverTimePoints)
        assert title(app) == FUNNEL_CUT_TITLES[columns]


@pytest.mark.parametrize("columns", sorted(RETENTION_CUT_TITLES))
async def test_retention_title_after_note(tmp_path, columns):
    path = make_shop(tmp_path, RETENTION_NAME, RETENTION_BY_PLATFORM)
    async with running(path, size=(columns, 30)) as (app, pilot):
        await press(app, pilot, "enter", "x")
        assert isinstance(app.points, RetentionPoints)
        assert title(app) == RETENTION_CUT_TITLES[columns]
        assert_fills_row(title(app), columns)


@pytest.mark.parametrize("columns", sorted(FUNNEL_NAMED_TITLES))
async def test_named_funnel_title(tmp_path, columns):
    async with running(make_shop(tmp_path, FUNNEL_NAME, FUNNEL_BY_PLATFORM), size=(columns, 30)) as (app, pilot):
        assert title(app) == FUNNEL_NAMED_TITLES[columns]


@pytest.mark.parametrize("columns", sorted(RETENTION_NAMED_TITLES))
async def test_named_retention_title(tmp_path, columns):
    path = make_shop(tmp_path, RETENTION_NAME, RETENTION_BY_PLATFORM)
    async with running(path, size=(columns, 30)) as (app, pilot):
        assert title(app) == RETENTION_NAMED_TITLES[columns]


# Legends -------------------------------------------------------------------------------------


async def test_over_time_legend_names_measure_once(tmp_path):
    async with running(make_shop(tmp_path, FUNNEL_NAME, FUNNEL_BY_PLATFORM), size=(100, 30)) as (app, pilot):
        await press(app, pilot, "T")
        assert legend(app) == "Conversion to step 2 (%):   • Web   + Android   x iOS"

        # The cursor's segment is the entry in reverse video, not the heading.
        await press(app, pilot, "j")
        assert app.points.lines[app.points.line_index].segment == "Android"
        assert reversed_entries(app) == ["Android"]


async def test_ungrouped_over_time_legend(tmp_path):
    ungrouped = {key: value for key, value in FUNNEL_BY_PLATFORM.items() if key != "group_by"}
    async with running(make_shop(tmp_path, "Shop funnel", ungrouped), size=(100, 30)) as (app, pilot):
        await press(app, pilot, "T")
        # One line and no segments: its entry names the measure, with no heading.
        assert legend(app) == "• Conversion to step 2 (%)"


async def test_retention_legend_on_or_after(tmp_path):
    path = make_shop(tmp_path, "Views then buys", RETENTION_BY_PLATFORM)
    async with running(path, size=(120, 30)) as (app, pilot):
        assert "* incomplete: can still change" in legend(app)
        assert "incomplete period" not in legend(app)
        # The cursor's cell: day 1 of the first cohort is over, but returns on day 2 still count toward it.
        cell = app.points.point().cell
        assert (str(cell.bucket_start.date()), cell.period, cell.complete) == ("2024-03-01", 1, False)
        assert "\nincomplete: days 1–2 not over for every user · " in readout(app)
