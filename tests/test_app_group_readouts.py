"""Readouts of charts counted by a group type name groups, not users, in the app.

The data is the accounts project of ``groups_data``, counted by company. By
company, the Buy events are: Acme on March 1 (alice and bob at 09:00) and
March 2 (alice), Globex on March 1 (bob), and Ünïcode 🚀 on March 1 (dora's
device). Initech has only dora's Open on March 2.
"""

from __future__ import annotations

from builders import build_project
from groups_data import ACCOUNT_EVENTS
from microscope_app import error_messages, press, readout, running
from tui.app.chart_view import ChartView
from tui.store.saved_charts import save_chart

RANGE = {"from": "2024-03-01", "to": "2024-03-02"}
COUNT_BY = "group:company"


def accounts_with(tmp_path, chart: dict):
    """Return the path of the accounts project with ``chart`` saved, so the app opens on it."""
    with build_project(tmp_path, ACCOUNT_EVENTS) as project:
        save_chart(project.con, "By company", chart)
        return project.path


async def test_segmentation_readout_counts_groups(tmp_path):
    chart = {"type": "segmentation", "events": [{"event": "Buy"}], "range": RANGE, "count_by": COUNT_BY}
    async with running(accounts_with(tmp_path, chart)) as (app, pilot):
        # The cursor starts on March 2: Acme alone bought.
        assert readout(app).endswith("[2024-03-02 00:00, 2024-03-03 00:00) UTC · 1 group")

        await press(app, pilot, "h")
        assert readout(app).endswith("· 3 groups")
        assert error_messages(app) == []


async def test_segmentation_average_per_group(tmp_path):
    chart = {
        "type": "segmentation", "events": [{"event": "Buy"}], "range": RANGE, "count_by": COUNT_BY,
        "measure": "average",
    }
    async with running(accounts_with(tmp_path, chart)) as (app, pilot):
        await press(app, pilot, "h")
        # March 1: Acme 2 events, Globex 1, Ünïcode 1, over 3 groups.
        assert readout(app).endswith("· 1.33 events per group")


async def test_funnel_readout_counts_groups(tmp_path):
    # One event never fills two steps, so only Acme, with two Buy events, reaches step 2.
    chart = {"type": "funnel", "steps": [{"event": "Buy"}, {"event": "Buy"}], "range": RANGE, "count_by": COUNT_BY}
    async with running(accounts_with(tmp_path, chart)) as (app, pilot):
        assert readout(app).startswith("Step 1 of 2 · Buy · converted: 3 groups\n")

        await press(app, pilot, "l")
        assert readout(app).startswith("Step 2 of 2 · Buy · converted: 1 group · dropped off: 2\n")

        await press(app, pilot, "T", "g")
        assert readout(app).startswith(
            # Partial: an entrant late on March 1 would have a window open past the last event, March 2 14:00.
            "entered in [2024-03-01 00:00, 2024-03-02 00:00) UTC (partial): 3 groups · converted to step 2: 1 · 33.3% converted\n"
        )
        assert error_messages(app) == []


async def test_retention_readout_and_table_count_groups(tmp_path):
    chart = {
        "type": "retention", "start": {"event": "Buy"}, "return": {"event": "Buy"}, "range": RANGE,
        "periods": 1, "count_by": COUNT_BY,
    }
    async with running(accounts_with(tmp_path, chart)) as (app, pilot):
        # Acme, Globex and Ünïcode start on March 1, and Acme buys again on March 2.
        assert readout(app).startswith(
            "Cohort 2024-03-01 (3 groups) · Day 1 · retained: 1 group · not retained: 2 · 33.3% retained\n"
        )
        table = app.home.query_one(ChartView).render().plain
        assert table.splitlines()[0].startswith("Cohort     Groups")
        assert error_messages(app) == []


async def test_sessions_per_group_readout(tmp_path):
    chart = {"type": "sessions", "measure": "per_user", "range": RANGE, "count_by": COUNT_BY}
    async with running(accounts_with(tmp_path, chart)) as (app, pilot):
        # March 2: dora's session names Initech and alice's names Acme: 2 sessions over 2 groups.
        assert readout(app).endswith("· 1 session per group")

        await press(app, pilot, "h")
        # March 1: alice's and bob's sessions name Acme, bob's names Globex too, dora's names Ünïcode: 4 over 3.
        assert readout(app).endswith("· 1.33 sessions per group")
        assert error_messages(app) == []
