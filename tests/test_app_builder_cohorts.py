"""The chart builder's interval on retention charts: it follows the period until the user picks one.

The project is that of ``test_retention_interval``: Los Angeles, start event
``Signup`` and return event ``Open`` over 2024-03-06 to 2024-03-13, so weekly
cohorts start on 03-06 (the range's first day) and on Monday 03-11.
"""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Label, Select, Static

from builders import build_project
from microscope_app import press, running
from test_app_builder import choose
from test_app_builder_types import switch_type
from test_retention_interval import EVENTS, WEEKLY, ZONE
from tui.app.builder_draft import follow_period
from tui.app.builder_screen import BuilderScreen
from tui.app.builder_types import SetAside, switch_type as switch_draft_type
from tui.store.saved_charts import save_chart

RANGE = WEEKLY["range"]
SEGMENTATION = {
    "type": "segmentation",
    "events": [{"event": "Signup"}, {"event": "Open"}],
    "measure": "uniques",
    "interval": "month",
    "range": RANGE,
}
WEEKLY_COHORT_STARTS = ["2024-03-06T00:00:00-08:00", "2024-03-11T00:00:00-07:00"]


def project_with(tmp_path, chart: dict) -> Path:
    """Build the project with ``chart`` saved, which the app then opens on."""
    project = build_project(tmp_path, EVENTS, timezone=ZONE)
    save_chart(project.con, "Chart", chart)
    project.close()
    return tmp_path / "p.duckdb"


def interval_row(app) -> tuple[str, str]:
    """Return the interval row's label and the interval it shows, as on screen."""
    label = app.screen.query_one("#interval-row > Label", Label)
    prompt = app.screen.query_one("#interval", Select).query_one("#label", Static)
    return str(label.render()), str(prompt.render())


async def choose_in(app, pilot, field_id: str, steps_down: int) -> None:
    """Pick the option ``steps_down`` below the current one in the Select ``field_id``, then go back to the list."""
    app.screen.query_one(f"#{field_id}", Select).focus()
    await choose(pilot, steps_down)
    await pilot.press("ctrl+l")


def cohort_starts(app) -> list[str]:
    return [row[0].bucket_start.isoformat() for row in app.points.rows]


async def test_switch_to_weekly_retention(tmp_path):
    # Daily cohorts of weekly periods, as the builder wrote retention charts before their interval followed the period.
    path = project_with(tmp_path, WEEKLY | {"interval": "day", "period": "week", "periods": 2})
    async with running(path, size=(100, 30)) as (app, pilot):
        await press(app, pilot, "b")
        assert isinstance(app.screen, BuilderScreen)
        # Opening the chart changes nothing: the interval moves only on a switch of type or period.
        assert interval_row(app) == ("Cohorts", "Daily")
        assert not app.screen.has_unapplied_changes()

        await switch_type(app, pilot, "segmentation")
        assert app.screen.draft["interval"] == "day"
        await switch_type(app, pilot, "retention")
        assert app.screen.draft["period"] == "week"
        assert app.screen.draft["interval"] == "week"
        assert interval_row(app) == ("Cohorts", "Weekly")

        await press(app, pilot, "ctrl+r")
        assert app.definition.interval == "week"
        assert cohort_starts(app) == WEEKLY_COHORT_STARTS


async def test_period_change_moves_interval(tmp_path):
    path = project_with(tmp_path, SEGMENTATION)
    async with running(path, size=(100, 30)) as (app, pilot):
        await press(app, pilot, "b")
        await switch_type(app, pilot, "retention")
        assert app.screen.draft["interval"] == "day"
        assert interval_row(app) == ("Cohorts", "Daily")

        # Days, Weeks: one step down is Weeks, one up is Days again.
        await choose_in(app, pilot, "period", 1)
        assert app.screen.draft["period"] == "week"
        assert app.screen.draft["interval"] == "week"
        assert interval_row(app) == ("Cohorts", "Weekly")
        await choose_in(app, pilot, "period", -1)
        assert app.screen.draft["interval"] == "day"
        await choose_in(app, pilot, "period", 1)
        assert app.screen.draft["interval"] == "week"

        # The segmentation gets back the interval it had before it became a retention chart.
        await switch_type(app, pilot, "segmentation")
        assert app.screen.draft["interval"] == "month"
        await switch_type(app, pilot, "retention")
        assert app.screen.draft["interval"] == "week"

        await press(app, pilot, "ctrl+r")
        assert (app.definition.period, app.definition.interval) == ("week", "week")
        assert cohort_starts(app) == WEEKLY_COHORT_STARTS


async def test_chosen_interval_stays(tmp_path):
    path = project_with(tmp_path, SEGMENTATION | {"interval": "day"})
    async with running(path, size=(100, 30)) as (app, pilot):
        await press(app, pilot, "b")
        await switch_type(app, pilot, "retention")
        # Hourly, Daily, Weekly, Monthly: two steps down from Daily is Monthly.
        await choose_in(app, pilot, "interval", 2)
        assert app.screen.draft["interval"] == "month"

        await choose_in(app, pilot, "period", 1)
        assert app.screen.draft["period"] == "week"
        assert app.screen.draft["interval"] == "month"
        assert interval_row(app) == ("Cohorts", "Monthly")
        await switch_type(app, pilot, "segmentation")
        assert app.screen.draft["interval"] == "month"
        await switch_type(app, pilot, "retention")
        assert app.screen.draft["interval"] == "month"

        await press(app, pilot, "ctrl+r")
        assert (app.definition.period, app.definition.interval) == ("week", "month")
        assert cohort_starts(app) == ["2024-03-06T00:00:00-08:00"]


async def test_interval_chosen_before_retention_stays(tmp_path):
    path = project_with(tmp_path, SEGMENTATION)
    async with running(path, size=(100, 30)) as (app, pilot):
        await press(app, pilot, "b")
        # One step up from Monthly is Weekly.
        await choose_in(app, pilot, "interval", -1)
        await switch_type(app, pilot, "retention")
        assert app.screen.draft["interval"] == "week"
        await choose_in(app, pilot, "period", 1)
        await choose_in(app, pilot, "period", -1)
        assert app.screen.draft["period"] == "day"
        assert app.screen.draft["interval"] == "week"


async def test_interval_row_label(tmp_path):
    path = project_with(tmp_path, SEGMENTATION)
    async with running(path, size=(100, 30)) as (app, pilot):
        await press(app, pilot, "b")
        assert interval_row(app) == ("Interval", "Monthly")
        await switch_type(app, pilot, "retention")
        assert interval_row(app) == ("Cohorts", "Daily")
        await switch_type(app, pilot, "funnel")
        assert interval_row(app) == ("Interval", "Monthly")
        await switch_type(app, pilot, "segmentation")
        assert interval_row(app) == ("Interval", "Monthly")


def test_draft_interval_follows_period():
    draft = {"type": "segmentation", "events": [{"event": "Signup"}], "interval": "month", "range": RANGE}
    set_aside = SetAside()
    switch_draft_type(draft, "retention", set_aside, interval_follows=True)
    assert draft["interval"] == "day"
    draft["period"] = "week"
    assert follow_period(draft) is True
    assert draft["interval"] == "week"
    assert follow_period(draft) is False

    switch_draft_type(draft, "funnel", set_aside, interval_follows=True)
    assert draft["interval"] == "month"
    assert follow_period(draft) is False
    assert draft["interval"] == "month"
    switch_draft_type(draft, "retention", set_aside, interval_follows=True)
    assert draft["interval"] == "week"

    # Once the user chose an interval, it stays on every type.
    switch_draft_type(draft, "segmentation", set_aside, interval_follows=False)
    assert draft["interval"] == "week"
