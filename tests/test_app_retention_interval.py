"""Retention start cohorts by interval in the app: table, title, readout, microscope, builder and hourly names.

The project and chart are those of ``test_retention_interval``: Los Angeles,
cohort [03-06, 03-11) with alice, bob, dave and erin (day 1 retains alice and
bob), and cohort [03-11, 03-14) with carol.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from builders import build_project
from funnel_app import canvas, open_users, readout, user_ids
from microscope_app import press, running
from test_retention_interval import EVENTS, WEEKLY, ZONE
from tui.analytics.definition import parse_chart
from tui.analytics.retention import retention
from tui.app.describe import describe_chart, describe_retention_part
from tui.app.retention_points import RetentionPoints
from tui.app.retention_table import draw_table
from tui.store.saved_charts import save_chart


@pytest.fixture
def weekly(tmp_path) -> Path:
    project = build_project(tmp_path, EVENTS, timezone=ZONE)
    save_chart(project.con, "Weekly", WEEKLY)
    project.close()
    return tmp_path / "p.duckdb"


async def test_weekly_cohort_table_and_readout(weekly):
    async with running(weekly, size=(80, 24)) as (app, pilot):
        title = describe_chart(app.definition, app.chart_name)
        assert "weekly cohorts, days 0–7, return on, calendar days" in title
        # 80 columns are too few for the whole title. The events go first, then the calendar days, so the
        # periods, the mode and the range's start stay.
        assert app.home.query_one("#chart-title").content.plain == (
            "Weekly · Retention: … · weekly cohorts, days 0–7, return on … · 2024-03-06 … …"
        )
        labels = [line[:10] for line in canvas(app).split("\n")[3:5]]
        assert labels == ["2024-03-06", "2024-03-11"]
        assert readout(app).startswith(
            "Cohort 2024-03-06 (4 users) · Day 1 · retained: 2 users · not retained: 2 · 50.0% retained"
        )

        await press(app, pilot, "j")
        assert readout(app).startswith("Cohort 2024-03-11 (1 user) · Day 1 · retained: 1 user · ")


async def test_weekly_cohort_users_equal_cell(weekly):
    async with running(weekly, size=(80, 24)) as (app, pilot):
        users = await open_users(app, pilot)
        assert user_ids(users) == {"alice", "bob"}
        header = users.query_one("#point-header").plain()
        assert "[2024-03-06 00:00, 2024-03-11 00:00) America/Los_Angeles" in header
        assert "point = 2, list = 2" in header

        await press(app, pilot, "escape", "escape")
        users = await open_users(app, pilot, "t")
        assert user_ids(users) == {"dave", "erin"}
        assert "point = 2, list = 2" in users.query_one("#point-header").plain()

        # Day 6 of the first cohort: dave's open on Tuesday 03-12, six days after his Wednesday signup.
        await press(app, pilot, "escape", "escape")
        users = await open_users(app, pilot, "t", "l", "l", "l", "l", "l")
        assert user_ids(users) == {"dave"}
        assert "point = 1, list = 1" in users.query_one("#point-header").plain()


async def test_builder_interval_changes_cohorts(tmp_path):
    project = build_project(tmp_path, EVENTS, timezone=ZONE)
    save_chart(project.con, "Daily", WEEKLY | {"interval": "day"})
    project.close()
    async with running(tmp_path / "p.duckdb", size=(100, 30)) as (app, pilot):
        assert len(app.points.rows) == 8

        await press(app, pilot, "b")
        app.screen.query_one("#interval").focus()
        # Daily is the second of Hourly, Daily, Weekly, Monthly, so one step down picks Weekly.
        await press(app, pilot, "enter", "down", "enter")
        assert app.screen.draft["interval"] == "week"
        await press(app, pilot, "ctrl+r")

        assert app.definition.interval == "week"
        assert [row[0].bucket_start.isoformat() for row in app.points.rows] == [
            "2024-03-06T00:00:00-08:00", "2024-03-11T00:00:00-07:00",
        ]
        assert readout(app).startswith("Cohort 2024-03-06 (4 users) · Day 1 · retained: 2 users · ")


def test_hourly_cohorts_named_by_hour(tmp_path):
    obj = WEEKLY | {"interval": "hour", "periods": 1, "range": {"from": "2024-03-06", "to": "2024-03-06"}}
    definition = parse_chart(obj)
    with build_project(tmp_path, EVENTS, timezone=ZONE) as project:
        points = RetentionPoints(retention(project.cursor(), definition, project))

    lines = draw_table(points, "day", 100, 40).plain.split("\n")
    assert len(points.rows) == 24
    assert lines[0].startswith("Cohort           Users")
    # dave signed up at 01:00, and no other user on 03-06.
    assert lines[3].startswith("2024-03-06 00:00     0 ")
    assert lines[4].startswith("2024-03-06 01:00     1 ")
    points.move_line(1)
    assert describe_retention_part(points.point(), definition).startswith("Cohort 2024-03-06 01:00 (1 user) · Day 1 · ")
