"""Conversion over time in the app: entry buckets with open windows are partial, buckets without entries are gaps.

Funnel view then buy, window 1 day, 03-01 to 03-04 (UTC):
03-01: ann views and buys (100%). 03-02: no one enters. 03-03: bo views, no
buy (0%). 03-04: cy views and buys (100%), the last event at 11:00. So the
windows of 03-03's entrants run to 03-05 00:00 and 03-04's to 03-06 00:00,
both after the last event; 03-02's end at 03-04 00:00, before it.
"""

from __future__ import annotations

import math

from funnel_app import SHOP_FUNNEL, canvas, event, make_shop, readout
from microscope_app import error_messages, press, running
from tui.app import plotting
from tui.app.funnel_over_time import FunnelOverTimePoints
from tui.app.plotting import CURSOR_MARKER, OPEN_MARKER

CHART = dict(
    SHOP_FUNNEL,
    steps=[{"event": "view"}, {"event": "buy"}],
    range={"from": "2024-03-01", "to": "2024-03-04"},
)
EVENTS = [
    event("view", "2024-03-01T10:00:00Z", "ann"),
    event("buy", "2024-03-01T10:30:00Z", "ann"),
    event("view", "2024-03-03T10:00:00Z", "bo"),
    event("view", "2024-03-04T10:00:00Z", "cy"),
    event("buy", "2024-03-04T11:00:00Z", "cy"),
]
MARCH_4 = (
    "entered in [2024-03-04 00:00, 2024-03-05 00:00) UTC (partial): 1 user · converted to step 2: 1 · 100.0% converted\n"
    "partial: window not over for every entrant · "
    "microscope on converted to step 2: 1 · t for dropped off at step 2: 0 · window 1d, this order"
)
MARCH_2 = "entered in [2024-03-02 00:00, 2024-03-03 00:00) UTC: 0 users · converted to step 2: 0 · no entries\n"


async def test_open_windows_and_gaps(tmp_path, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    async with running(make_shop(tmp_path, CHART, EVENTS), size=(100, 30)) as (app, pilot):
        await press(app, pilot, "T")
        points = app.points
        assert isinstance(points, FunnelOverTimePoints)
        values = points.lines[0].values
        assert values[0] == 100.0
        assert math.isnan(values[1])
        assert values[2:] == (0.0, 100.0)
        assert points.window_open == [False, False, True, True]

        assert readout(app) == MARCH_4
        drawing = canvas(app)
        assert OPEN_MARKER in drawing
        # Open buckets are partial on the axis too; 03-02's window had ended.
        assert "03-03*" in drawing
        assert "03-04*" in drawing
        assert "03-02*" not in drawing
        assert "03-01*" not in drawing

        await press(app, pilot, "h", "h")
        assert readout(app).startswith(MARCH_2)
        assert "partial" not in readout(app)
        # A gap has no point for the cursor's marker; its guide still shows the bucket.
        assert CURSOR_MARKER not in canvas(app)

        await press(app, pilot, "h")
        assert readout(app).startswith(
            "entered in [2024-03-01 00:00, 2024-03-02 00:00) UTC: 1 user · converted to step 2: 1 · 100.0% converted\n"
            "microscope on converted"
        )
        assert CURSOR_MARKER in canvas(app)
        assert error_messages(app) == []


def plot_rows(lines, open_from=None) -> list[str]:
    labels = [f"03-0{index + 1}" for index in range(len(lines[0]))]
    return plotting.draw(lines, labels, None, 60, 12, color=False, open_from=open_from).plain.split("\n")


def test_gap_leaves_points_unjoined():
    # 50 at the first and last position, nothing between: two lone points, no line through the middle.
    rows = plot_rows([[50.0, math.nan, 50.0]])
    marked = [row for row in rows if "•" in row]
    assert len(marked) == 1
    assert marked[0].count("•") == 2


def test_open_part_dotted_between_points():
    solid = plot_rows([[10.0, 20.0, 30.0, 40.0]])
    assert not any(OPEN_MARKER in row for row in solid)

    dotted = plot_rows([[10.0, 20.0, 30.0, 40.0]], open_from=2)
    assert any(OPEN_MARKER in row for row in dotted)
    # Every point keeps the line's marker: the top value 40 is still drawn as one.
    top_row = next(row for row in dotted if "•" in row or OPEN_MARKER in row)
    assert "•" in top_row
