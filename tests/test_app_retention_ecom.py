"""A retention chart in the app on the public e-commerce events: a cell's users match its counts, at 80x24.

The expected counts come from ``retention`` itself, the query the chart
runs, and the users from the microscope; the hand-checked cases are in
``test_app_retention``.
"""

from __future__ import annotations

from datetime import date

from ecom_app import with_chart
from funnel_app import canvas, open_users, readout, user_ids
from microscope_app import ecom, ecom_template, press, running
from tui.analytics.definition import parse_chart
from tui.analytics.retention import retention, retention_summary
from tui.app.home_screen import HomeScreen
from tui.app.retention_table import INCOMPLETE_MARK, RETAINED_MARK
from tui.store.project import open_project

__all__ = ["ecom", "ecom_template"]

# Any event then any event, daily cohorts from 2024-06-10 to 06-29 (UTC); the last event is on 06-29.
ANY_RETURN = {
    "type": "retention",
    "start": {"event": "*"},
    "return": {"event": "*"},
    "period": "day",
    "periods": 7,
    "range": {"from": "2024-06-10", "to": "2024-06-29"},
}
COHORT = date(2024, 6, 19)


def expected_cells(path) -> tuple:
    """Return the chart's rows and the average row, as ``retention`` computes them."""
    with open_project(path) as project:
        frame = retention(project.cursor(), parse_chart(ANY_RETURN), project)
    return frame, retention_summary(frame)


async def test_day_7_users_match_cell(ecom):
    frame, _ = expected_cells(ecom)
    row = frame[(frame["bucket_start"].dt.date == COHORT) & (frame["period"] == 7)].iloc[0]
    assert row["retained"] > 0
    assert row["not_retained"] > row["retained"]

    async with running(with_chart(ecom, ANY_RETURN, "Any return")) as (app, pilot):
        cohort = int(row["bucket"])
        await press(app, pilot, *["l"] * 6, *["j"] * cohort)
        part = app.points.point()
        assert (part.cell.bucket_start.date(), part.cell.period) == (COHORT, 7)
        assert readout(app).startswith(
            f"Cohort 2024-06-19 ({row['cohort_size']} users) · Day 7 · retained: {row['retained']} users · "
            f"not retained: {row['not_retained']} · "
        )

        users = await open_users(app, pilot)
        assert len(user_ids(users)) == row["retained"]
        assert f"point = {row['retained']}, list = {row['retained']}" in users.query_one("#point-header").plain()

        await press(app, pilot, "escape", "escape")
        assert isinstance(app.screen, HomeScreen)
        users = await open_users(app, pilot, "t")
        assert len(user_ids(users)) == row["not_retained"]
        assert f"point = {row['not_retained']}, list = {row['not_retained']}" in users.query_one("#point-header").plain()


async def test_table_scrolls_in_80x24(ecom):
    frame, summary = expected_cells(ecom)
    cohorts = frame["bucket"].nunique()
    async with running(with_chart(ecom, ANY_RETURN, "Any return"), size=(80, 24)) as (app, pilot):
        lines = canvas(app).split("\n")
        assert lines[0].split() == ["Cohort", "Users", *[f"{word}" for period in range(8) for word in ("Day", str(period))]]
        averages = [f"{rate * 100:.0f}%" for rate in summary["rate"]]
        assert lines[1].split() == ["Average", str(frame.groupby("bucket")["cohort_size"].first().sum()), *averages]
        assert lines[-1].startswith(f"cohorts 1–{len(lines) - 4} of {cohorts} · days 0–7 of 0–7")

        # To the last cohort: the events end on its day, so even its day 0 is incomplete.
        last_cells = frame[frame["bucket"] == cohorts - 1]
        assert not last_cells["complete"].any()
        await press(app, pilot, *["j"] * (cohorts - 1), "G")
        lines = canvas(app).split("\n")
        assert len(lines) <= 24
        assert lines[-2].startswith("2024-06-29")
        # Only day 0 has begun by the last event; later days are blank, the cursor's with its mark alone.
        assert last_cells["started"].tolist() == [True] + [False] * 7
        assert lines[-2].split()[-2:] == [f"100%{INCOMPLETE_MARK}", RETAINED_MARK]
        assert lines[-2].count(INCOMPLETE_MARK) == 1
        assert lines[-1].startswith(f"cohorts {cohorts - (len(lines) - 5)}–{cohorts} of {cohorts}")
        assert readout(app).startswith("Cohort 2024-06-29 (4 users) · Day 7 has not begun for this cohort\n")
        assert "no users to list" in readout(app)
