"""Notifications at 80x24 leave the readout and legend of the home screen readable, and the readout keeps one row per line.

Uses the Berlin signups retention project of test_app_retention. ``run_test``
hides notifications unless asked, so these tests start the app themselves.
"""

from __future__ import annotations

from contextlib import asynccontextmanager

from textual.widgets._toast import Toast

from microscope_app import press, settle
from test_app_retention import signups, signups_template  # noqa: F401 - fixtures
from tui.app.legend import Legend
from tui.app.loupe_app import LoupeApp

MARKED_TOAST = "Marked. Open the microscope on another point with Enter to compare the two."


@asynccontextmanager
async def running_with_notifications(path, size=(80, 24)):
    app = LoupeApp(path)
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(app, pilot)
        yield app, pilot


def readout_rows(app) -> list[str]:
    """Return the readout's rows as drawn on screen, without the padding."""
    readout = app.home.query_one("#readout")
    return ["".join(segment.text for segment in readout.render_line(y)).strip() for y in range(readout.region.height)]


async def test_toast_leaves_readout_visible(signups):  # noqa: F811 - the fixture imported above
    async with running_with_notifications(signups) as (app, pilot):
        await press(app, pilot, "m")
        await pilot.pause(0.2)
        toasts = list(app.home.query(Toast))
        assert len(toasts) == 1
        assert toasts[0].render().plain == MARKED_TOAST
        toast = toasts[0].region
        assert toast.height > 0
        assert not toast.overlaps(app.home.query_one("#readout").region)
        assert not toast.overlaps(app.home.query_one(Legend).region)

        # Three rows: the cell, its details, and the marked point, each cut at the edge instead of wrapped.
        rows = readout_rows(app)
        assert len(rows) == 3
        assert rows[0].startswith("Cohort 2024-03-30 (5 users) · Day 1 · retained: 3 users · not retained: 2 · ")
        assert rows[0].endswith("…")
        assert rows[1].startswith("complete · return on, calendar days · average 60.0% over 1 complete cohort")
        assert rows[2].startswith("marked: signup then open, day 1 (on), retained · [2024-03-30 00:00, ")


async def test_toast_fits_small_screen(signups):  # noqa: F811 - the fixture imported above
    async with running_with_notifications(signups, size=(60, 16)) as (app, pilot):
        await press(app, pilot, "m")
        await pilot.pause(0.2)
        toast = app.home.query_one(Toast).region
        assert not toast.overlaps(app.home.query_one("#readout").region)
        assert toast.y >= 1
