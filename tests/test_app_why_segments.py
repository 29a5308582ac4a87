"""Why is this user here, in the app, on a funnel grouped by source: the step-1 event's value decides the segment.

The project and its hand-computed segments are described in ``why_segments_data``.
"""

from __future__ import annotations

from funnel_app import readout
from microscope_app import error_messages, press, running
from tui.store.saved_charts import save_chart
from why_app import column_titles, open_why, segment_line, why_rows
from why_segments_data import FUNNEL, RETENTION, SESSIONS, build_sources


def make_sources(tmp_path, chart: dict):
    """Build the project with ``chart`` as the chart the app opens and return its path."""
    project = build_sources(tmp_path)
    save_chart(project.con, "By source", chart)
    project.close()
    return tmp_path / "p.duckdb"


async def test_why_on_grouped_funnel_point(tmp_path):
    async with running(make_sources(tmp_path, FUNNEL)) as (app, pilot):
        await press(app, pilot, "l")
        assert readout(app).startswith("Step 2 of 2 · buy · ads · converted: 1 user")
        why = await open_why(app, pilot)

        assert column_titles(why) == ["Time", "Event", "source", "Session", "Event properties"]
        # Only the step-1 event decided the segment, so the buy has no value in the column.
        assert why_rows(why) == [
            ("2024-03-01 10:00:00", "view", "ads"),
            ("2024-03-01 12:00:00", "buy", ""),
        ]
        assert segment_line(why) == (
            "Segment ads (source): decided by the step-1 event that starts the counted conversion, "
            "view at 2024-03-01 10:00:00."
        )
        assert why.query_one("#why-status").content.plain.startswith("u1 is here because of these 2 events")
        assert error_messages(app) == []


async def test_why_on_grouped_retention_point(tmp_path):
    async with running(make_sources(tmp_path, RETENTION)) as (app, pilot):
        assert readout(app).startswith("Cohort 2024-03-01 (2 users) · ads · Day 1 · retained: 1 user ·")
        why = await open_why(app, pilot)

        # The list contains the return event, and the line names the start event that decided the segment.
        # No listed event decided it, so the table has no source column.
        assert column_titles(why) == ["Time", "Event", "Session", "Event properties"]
        assert why_rows(why, 2) == [("2024-03-02 10:00:00", "buy")]
        assert segment_line(why) == "Segment ads (source): decided by the first start event in the range, view at 2024-03-01 10:00:00."
        assert error_messages(app) == []


async def test_why_on_grouped_sessions_point(tmp_path):
    async with running(make_sources(tmp_path, SESSIONS)) as (app, pilot):
        await press(app, pilot, "h")
        assert readout(app) == "Sessions · ads · [2024-03-01 00:00, 2024-03-02 00:00) UTC · 3 sessions"
        why = await open_why(app, pilot, "u4")

        # Each of u4's two sessions has one event, the first, which decided its segment.
        assert why_rows(why) == [
            ("2024-03-01 15:00:00", "view", "ads"),
            ("2024-03-01 18:00:00", "view", "ads"),
        ]
        assert segment_line(why) == "Segment ads (source): decided by the first events of the user's 2 sessions."
        assert error_messages(app) == []
