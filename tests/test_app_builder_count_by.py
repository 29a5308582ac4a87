"""The builder's Count by row: users or a group type of the project, applied, saved and loaded with the chart.

The data is the accounts project of ``groups_data``: group types ``company``
and ``team``. Counted by company, the Buy → Buy funnel of March 1–2 has 3
companies at step 1 (Acme, Globex, Ünïcode 🚀) and only Acme, with two Buy
events, at step 2.
"""

from __future__ import annotations

from textual.widgets import Button

from builders import build_project
from groups_data import ACCOUNT_EVENTS
from microscope_app import error_messages, press, readout, running
from test_app_builder_types import open_builder, switch_type
from tui.app.builder_screen import BuilderScreen
from tui.app.choice_screen import ChoiceScreen
from tui.store.project import open_project
from tui.store.saved_charts import load_chart, save_chart

FUNNEL = {
    "type": "funnel",
    "steps": [{"event": "Buy"}, {"event": "Buy"}],
    "range": {"from": "2024-03-01", "to": "2024-03-02"},
}


def accounts_funnel(tmp_path, chart: dict = FUNNEL):
    with build_project(tmp_path, ACCOUNT_EVENTS) as project:
        save_chart(project.con, "Buyers", chart)
        return project.path


async def pick_count_by(app, pilot, position: int) -> None:
    """Open the count-by picker and take its choice at ``position`` (0: users)."""
    await pilot.click("#count-by")
    await press(app, pilot)
    assert isinstance(app.screen, ChoiceScreen)
    await press(app, pilot, *["down"] * position, "enter")
    assert isinstance(app.screen, BuilderScreen)


async def test_count_by_choices_and_apply(tmp_path):
    async with running(accounts_funnel(tmp_path)) as (app, pilot):
        # alice, bob, carol and dora (by her device) buy.
        assert readout(app).startswith("Step 1 of 2 · Buy · converted: 4 users\n")
        await open_builder(app, pilot)
        assert str(app.screen.query_one("#count-by", Button).label) == "users"

        await pilot.click("#count-by")
        await press(app, pilot)
        picker = app.screen
        assert [choice.value for choice in picker.choices] == ["users", "group:company", "group:team"]
        await press(app, pilot, "down", "enter")

        builder = app.screen
        assert builder.draft["count_by"] == "group:company"
        assert str(builder.query_one("#count-by", Button).label) == "group:company"
        await press(app, pilot, "ctrl+r")
        assert app.definition.count_by == "group:company"
        assert readout(app).startswith("Step 1 of 2 · Buy · converted: 3 groups\n")
        assert error_messages(app) == []


async def test_count_by_saved_and_back_to_users(tmp_path):
    path = accounts_funnel(tmp_path, {**FUNNEL, "count_by": "group:team"})
    async with running(path) as (app, pilot):
        await open_builder(app, pilot)
        assert str(app.screen.query_one("#count-by", Button).label) == "group:team"
        await pick_count_by(app, pilot, 1)
        await press(app, pilot, "ctrl+s")
        assert app.chart_name == "Buyers"
        assert app.definition.count_by == "group:company"

        await open_builder(app, pilot)
        await pick_count_by(app, pilot, 0)
        assert "count_by" not in app.screen.draft
        await press(app, pilot, "ctrl+r")
        assert app.definition.count_by is None
        assert error_messages(app) == []

    with open_project(path) as project:
        assert load_chart(project.con, "Buyers").definition["count_by"] == "group:company"


async def test_count_by_on_every_chart_type(tmp_path):
    async with running(accounts_funnel(tmp_path, {**FUNNEL, "count_by": "group:company"})) as (app, pilot):
        await open_builder(app, pilot)
        for kind in ("segmentation", "sessions", "retention", "funnel"):
            await switch_type(app, pilot, kind)
            await pilot.pause()
            # Every chart type can count groups, so the choice stays across type switches.
            assert str(app.screen.query_one("#count-by", Button).label) == "group:company"
            assert app.screen.draft["count_by"] == "group:company"
        assert error_messages(app) == []
