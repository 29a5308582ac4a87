"""Why is this user here, in the app, on charts grouped by group name or by cohorts, and counted by groups.

The project and its hand-computed segments are described in ``why_groups_data``.
"""

from __future__ import annotations

from builders import build_project
from funnel_app import readout
from microscope_app import error_messages, press, running
from tui.app.microscope.why_screen import cohort_segment_text
from tui.store.saved_charts import save_chart
from why_app import column_titles, open_why, segment_line, why_rows
from why_groups_data import BY_COHORTS, COUNTED_FUNNEL, FUNNEL, SEGMENTATION, SESSIONS, build_accounts, event


def make_accounts(tmp_path, chart: dict):
    """Build the project with ``chart`` as the chart the app opens and return its path."""
    project = build_accounts(tmp_path)
    save_chart(project.con, "By account", chart)
    project.close()
    return tmp_path / "p.duckdb"


async def test_why_on_funnel_grouped_by_account(tmp_path):
    async with running(make_accounts(tmp_path, FUNNEL)) as (app, pilot):
        await press(app, pilot, "l")
        assert readout(app).startswith("Step 2 of 2 · buy · A · converted: 1 user")
        why = await open_why(app, pilot, "v1")

        assert column_titles(why) == ["Time", "Event", "account", "Session", "Event properties"]
        # Only the step-1 event decided the segment, so the buy has no account in the column.
        assert why_rows(why) == [
            ("2024-03-01 10:00:00", "view", "A"),
            ("2024-03-01 11:00:00", "buy", ""),
        ]
        assert segment_line(why) == (
            "Segment A (group:account): decided by the step-1 event that starts the counted conversion, "
            "view at 2024-03-01 10:00:00."
        )
        assert error_messages(app) == []


async def test_why_on_segmentation_grouped_by_account(tmp_path):
    async with running(make_accounts(tmp_path, SEGMENTATION)) as (app, pilot):
        await press(app, pilot, "h")
        assert readout(app).startswith("view · B · [2024-03-01 00:00, 2024-03-02 00:00) UTC · 2 users")
        why = await open_why(app, pilot, "v1")

        # v1's 10:00 view names A, so only the 10:30 view is in segment B.
        assert why_rows(why) == [
            ("2024-03-01 10:30:00", "view", "B"),
        ]
        assert segment_line(why) == "Segment B (group:account): these events name account B."
        assert error_messages(app) == []


async def test_why_on_sessions_grouped_by_account(tmp_path):
    async with running(make_accounts(tmp_path, SESSIONS)) as (app, pilot):
        await press(app, pilot, "h")
        assert readout(app).startswith("Sessions · B · [2024-03-01 00:00, 2024-03-02 00:00) UTC · 2 sessions")
        why = await open_why(app, pilot, "v1")

        # Session 1 is in segment B because its 10:30 view and its buy name B. The buy also names A.
        assert why_rows(why) == [
            ("2024-03-01 10:00:00", "view", "A"),
            ("2024-03-01 10:30:00", "view", "B"),
            ("2024-03-01 11:00:00", "buy", "A, B"),
        ]
        assert segment_line(why) == "Segment B (group:account): these events name account A, B."
        assert error_messages(app) == []


async def test_why_on_segmentation_grouped_by_cohorts(tmp_path):
    async with running(make_accounts(tmp_path, BY_COHORTS)) as (app, pilot):
        await press(app, pilot, "h")
        assert readout(app).startswith("view · Buyers · [2024-03-01 00:00, 2024-03-02 00:00) UTC · 2 users")
        why = await open_why(app, pilot, "v1")

        # Cohorts are per user, so no column names them on the events.
        assert column_titles(why) == ["Time", "Event", "Session", "Event properties"]
        assert why_rows(why, 2) == [
            ("2024-03-01 10:00:00", "view"),
            ("2024-03-01 10:30:00", "view"),
        ]
        assert segment_line(why) == (
            "Segment Buyers (cohorts): the user is in the cohort Buyers, and also in Early."
        )
        assert error_messages(app) == []


async def test_why_on_funnel_counted_by_account(tmp_path):
    async with running(make_accounts(tmp_path, COUNTED_FUNNEL)) as (app, pilot):
        await press(app, pilot, "l")
        assert readout(app).startswith("Step 2 of 2 · buy · converted: 2 groups")
        why = await open_why(app, pilot, "v1")

        assert column_titles(why) == ["Time", "Event", "Counted account", "Session", "Event properties"]
        # Group A converts with the 10:00 view, group B with the 10:30 view, and both with the buy.
        assert why_rows(why) == [
            ("2024-03-01 10:00:00", "view", "A"),
            ("2024-03-01 10:30:00", "view", "B"),
            ("2024-03-01 11:00:00", "buy", "A, B"),
        ]
        assert not why.query("#why-segment")
        assert error_messages(app) == []


def test_cohort_line_for_other_and_none():
    assert cohort_segment_text("(other)", ["Early", "Late"]) == (
        "the user is in the cohorts Early, Late, and (other) takes the cohorts outside the chart's top 10."
    )
    assert cohort_segment_text("(none)", []) == "the user is in no saved cohort of users."
    assert cohort_segment_text("Early", ["Early"]) == "the user is in the cohort Early."


async def test_why_shows_group_names_as_text(tmp_path):
    # A group name with markup and an escape sequence is shown literally, in the column and in the line.
    name = "[b]A\x1b[2J"
    project = build_project(tmp_path, [event("v1", "03-01T10:00", "view", 1, [name])])
    save_chart(project.con, "By account", SEGMENTATION)
    project.close()
    async with running(tmp_path / "p.duckdb") as (app, pilot):
        await press(app, pilot, "h")
        why = await open_why(app, pilot, "v1")

        shown = "[b]A\\x1b[2J"
        assert why_rows(why) == [
            ("2024-03-01 10:00:00", "view", shown),
        ]
        assert segment_line(why) == f"Segment {shown} (group:account): these events name account {shown}."
        assert error_messages(app) == []
