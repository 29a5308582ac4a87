"""Funnel and retention titles cut like segmentation titles: the chart type, window or periods, and range stay."""

import pytest
from rich.cells import cell_len

from tui.analytics.definition import parse_chart
from tui.app.describe import describe_chart, fit_chart_title, fit_origin_note, least_title_cells
from tui.app.chart_history import ChartOrigin

MARCH = {"from": "2024-03-01", "to": "2024-03-31"}
CHECKOUT = parse_chart(
    {
        "type": "funnel",
        "steps": [{"event": "Viewed product page"}, {"event": "Added to cart"}, {"event": "Completed checkout"}],
        "window": "1d",
        "range": MARCH,
        "group_by": "platform",
    }
)
RETURNS = parse_chart(
    {
        "type": "retention",
        "start": {"event": "Signed up"},
        "return": {"event": "Opened app"},
        "period": "day",
        "periods": 7,
        "interval": "week",
        "mode": "on_or_after",
        "range": MARCH,
        "group_by": "platform",
    }
)
NAME = "Checkout funnel for the spring campaign on mobile"
FUNNEL_TAIL = "window 1d, this order · 2024-03-01 … 03-31 · by platform"


def test_full_titles_unchanged():
    assert describe_chart(CHECKOUT, NAME) == (
        f"{NAME} · Funnel: Viewed product page → Added to cart → Completed checkout · window 1d, this order · "
        "2024-03-01 … 2024-03-31 · by platform"
    )
    assert describe_chart(RETURNS, None) == (
        "Retention: Signed up then Opened app · weekly cohorts, days 0–7, return on or after, calendar days · "
        "2024-03-01 … 2024-03-31 · by platform"
    )


def test_funnel_cuts_name_then_steps():
    # The range drops its year, the name is cut to 13 cells, then the steps give up cells from their end.
    assert fit_chart_title(CHECKOUT, NAME, 118) == (
        "Checkout fun… · Funnel: Viewed product page → Added to car… · " + FUNNEL_TAIL
    )
    assert fit_chart_title(CHECKOUT, NAME, 98) == "Checkout fun… · Funnel: Viewed product… · " + FUNNEL_TAIL


def test_funnel_keeps_type_before_name():
    # The steps are cut to "…" and the name to 12 cells before the window is cut, and "Funnel:" stays.
    title = fit_chart_title(CHECKOUT, NAME, 80)
    assert title == "Checkout fu… · Funnel: … · window 1d, this o… · 2024-03-01 … 03-31 · by platform"
    assert cell_len(title) == 80


def test_funnel_end_cut_keeps_window():
    # Too narrow for the range, the tail and the window's order: the key keeps its window, then the range shows.
    assert fit_chart_title(CHECKOUT, NAME, 60) == "Checkout fu… · Funnel: … · window 1d … · 2024-03-01 … 03-31…"
    # Narrower still, the range goes and the key stays whole, as on a chart with a measure.
    assert fit_chart_title(CHECKOUT, NAME, 40) == "Checkout fu… · Funnel: … · window 1d, t…"


def test_funnel_after_note():
    # After an origin note the steps may become "…", but the label before them stays.
    # The window gives up its order so that the range and the group-by stay whole.
    assert fit_chart_title(CHECKOUT, None, 60, min_head_cells=1) == (
        "Funnel: … · window 1d, t… · 2024-03-01 … 03-31 · by platform"
    )
    assert fit_chart_title(CHECKOUT, None, 50, min_head_cells=1) == "Funnel: … · window 1d … · 2024-03-01 … 03-31 · by…"
    # Narrower, the window's least still shows the range's start day.
    assert fit_chart_title(CHECKOUT, None, 40, min_head_cells=1) == "Funnel: … · window 1d … · 2024-03-01 … …"


def test_retention_keeps_periods_and_mode():
    title = fit_chart_title(RETURNS, NAME, 108)
    assert title == (
        "Checkout fu… · Retention: … · weekly cohorts, days 0–7, return on or after … · 2024-03-01 … 03-31 · by plat…"
    )
    assert cell_len(title) == 108
    # Wider, the key gives up only the end of its calendar days.
    assert fit_chart_title(RETURNS, NAME, 118) == (
        "Checkout fu… · Retention: … · weekly cohorts, days 0–7, return on or after, calend… · "
        "2024-03-01 … 03-31 · by platform"
    )


def test_retention_after_note():
    assert fit_chart_title(RETURNS, None, 60, min_head_cells=1) == (
        "Retention: … · weekly cohorts, days 0–7, return on or after…"
    )


@pytest.mark.parametrize(("definition", "label"), [(CHECKOUT, "Funnel: "), (RETURNS, "Retention: ")])
def test_cut_keeps_type_label(definition, label):
    for cells in range(40, 200):
        for name, min_head_cells in ((NAME, 12), (None, 1)):
            title = fit_chart_title(definition, name, cells, min_head_cells)
            assert cell_len(title) <= cells
            assert label in title, (cells, title)


def test_least_title_keeps_label():
    # The minimum an origin note leaves the title: the label and "…", the key's least, the range, the tail.
    assert least_title_cells(CHECKOUT) == cell_len("Funnel: … · window 1d … · 2024-03-01 … 03-31 · by platform")
    least = "Retention: … · weekly cohorts, days 0–7, return on or after … · 2024-03-01 … 03-31 · by platform"
    assert least_title_cells(RETURNS) == cell_len(least)


def test_origin_note_with_funnel():
    origin = ChartOrigin("zoomed in", "Checkout funnel for the spring campaign")
    note = fit_origin_note(origin, CHECKOUT, 100)
    # The steps alone are longer than the room, so the base name is cut to its least first.
    assert note == "Unsaved, zoomed in from “Checkout fun…”"
    title = fit_chart_title(CHECKOUT, None, 100 - cell_len(note) - 3, min_head_cells=1)
    assert title == "Funnel: … · window 1d … · 2024-03-01 … 03-31 · by platform"
