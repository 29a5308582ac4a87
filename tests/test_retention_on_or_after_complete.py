"""When a ``return on or after`` retention cell is complete: only once the chart's last period has ended.

A return in any period up to the last one moves an actor into the cell, so
the cell can change until then, even after its own period is over.

The project is in UTC. The chart starts and returns on Open, days 0 to 2,
cohorts 03-01 and 03-02:

- a: starts 03-01 10:00, returns 03-03 10:00 (day 2).
- b: starts 03-01 12:00, returns 03-02 09:00 (day 1).
- c: starts 03-02 09:00, returns 03-03 11:00 (day 1).
- e: starts 03-02 10:00 and has not returned.
- z: opens 03-04 08:00, after the range, so in no cohort. It is the project's last event.

Return on or after: cohort 03-01 keeps 2, 2, 1 of 2 on days 0, 1, 2, and
cohort 03-02 keeps 1, 1, 0 of 2. Cohort 03-01's day 2 ends 03-04 00:00,
before the last event, so its cells are complete. Cohort 03-02's day 2 ends
03-05 00:00, after it, so all its cells are incomplete, days 0 and 1 too:
a return by e on 03-04 would still raise them. In mode ``on`` those two
cells are complete, because their own days ended on 03-03 and 03-04.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from builders import build_project
from funnel_app import canvas, readout
from microscope_app import running
from test_retention import chart, event, run, table
from tui.analytics.definition import parse_chart
from tui.analytics.point import OPEN_PERIOD, Point, point_open_reason
from tui.analytics.retention import retention_summary
from tui.app.retention_points import RetentionPoints
from tui.app.retention_table import INCOMPLETE_MARK, RETAINED_MARK
from tui.cli.chart_command import chart_note
from tui.store.saved_charts import save_chart

EVENTS = [
    event("Open", "2024-03-01T10:00:00Z", "a"),
    event("Open", "2024-03-03T10:00:00Z", "a"),
    event("Open", "2024-03-01T12:00:00Z", "b"),
    event("Open", "2024-03-02T09:00:00Z", "b"),
    event("Open", "2024-03-02T09:00:00Z", "c"),
    event("Open", "2024-03-03T11:00:00Z", "c"),
    event("Open", "2024-03-02T10:00:00Z", "e"),
    event("Open", "2024-03-04T08:00:00Z", "z"),
]
ON_OR_AFTER = chart(last="2024-03-02", periods=2, mode="on_or_after")
ON = chart(last="2024-03-02", periods=2)
# After every date of the project, so only the data ends the periods.
LATER = datetime(2025, 1, 1, tzinfo=timezone.utc)


@pytest.fixture
def project(tmp_path):
    project = build_project(tmp_path, EVENTS)
    yield project
    project.close()


def test_on_or_after_counts_by_hand(project):
    frame = run(project, ON_OR_AFTER)
    assert table(frame, "cohort_size") == [[2, 2, 2], [2, 2, 2]]
    assert table(frame) == [[2, 2, 1], [1, 1, 0]]
    assert table(frame, "started") == [[True, True, True], [True, True, True]]


def test_on_or_after_waits_for_last_period(project):
    frame = run(project, ON_OR_AFTER)
    assert table(frame, "complete") == [[True, True, True], [False, False, False]]


def test_on_judges_own_period(project):
    frame = run(project, ON)
    assert table(frame) == [[0, 1, 1], [0, 1, 0]]
    assert table(frame, "complete") == [[True, True, True], [True, True, False]]


def test_incomplete_cell_still_changes(tmp_path):
    # e returns on 03-04 20:00, day 2 of cohort 03-02, and that raises days 0 and 1 of the cohort as well.
    later = build_project(tmp_path, [*EVENTS, event("Open", "2024-03-04T20:00:00Z", "e")])
    frame = run(later, ON_OR_AFTER)
    assert table(frame) == [[2, 2, 1], [2, 2, 1]]
    # Day 2 of cohort 03-02 runs to 03-05 00:00, so the cohort is still incomplete.
    assert table(frame, "complete") == [[True, True, True], [False, False, False]]
    later.close()


def test_summary_skips_open_cohort(project):
    # Only cohort 03-01 is complete, so it alone makes each period's average.
    summary = retention_summary(run(project, ON_OR_AFTER))
    assert summary["period"].tolist() == [0, 1, 2]
    assert summary["cohorts"].tolist() == [1, 1, 1]
    assert summary["cohort_size"].tolist() == [2, 2, 2]
    assert summary["retained"].tolist() == [2, 2, 1]
    assert summary["rate"].tolist() == [1.0, 1.0, 0.5]


@pytest.mark.parametrize("obj", [ON_OR_AFTER, ON], ids=["on_or_after", "on"])
def test_banner_agrees_with_table(project, obj):
    # The microscope's banner calls a point open exactly when the chart calls its cell incomplete.
    definition = parse_chart(obj)
    frame = run(project, obj)
    for row in frame.itertuples():
        for dropped in (False, True):
            point = Point(definition, bucket=row.bucket, period=row.period, dropped=dropped)
            is_open = point_open_reason(project.con, point, project, LATER) == OPEN_PERIOD
            assert is_open == (not row.complete), (row.bucket, row.period, dropped)


def test_chart_note_names_last_period():
    note = chart_note(parse_chart(ON_OR_AFTER))
    assert "complete is false until the chart's last period has ended by the last event" in note
    assert "complete is false for periods that have not ended by the last event" in chart_note(parse_chart(ON))


@pytest.fixture
def saved(tmp_path):
    with build_project(tmp_path, EVENTS) as project:
        save_chart(project.con, "Opens", ON_OR_AFTER)
        path = project.path
    return path


async def test_app_marks_open_cohort(saved):
    async with running(saved, size=(100, 30)) as (app, pilot):
        assert isinstance(app.points, RetentionPoints)
        rows = [line.rstrip() for line in canvas(app).split("\n")]
        # Every cell of cohort 03-02 carries the incomplete mark, and none of 03-01 does.
        first = next(line for line in rows if line.startswith("2024-03-01"))
        second = next(line for line in rows if line.startswith("2024-03-02"))
        assert INCOMPLETE_MARK not in first
        assert second.count(INCOMPLETE_MARK) == 3
        assert f"{RETAINED_MARK}100.0%" in first

        # The cursor starts on day 1 of the first cohort, which is complete.
        assert readout(app).split("\n")[1].startswith("complete · return on or after, calendar days")

        # Day 1 of cohort 03-02 is over, but day 2, whose returns it also counts, is not.
        await pilot.press("j")
        await pilot.pause()
        assert readout(app) == (
            "Cohort 2024-03-02 (2 users) · Day 1 · retained: 1 user · not retained: 1 · 50.0% retained\n"
            "incomplete: days 1–2 not over for every user · return on or after, calendar days · "
            "average 100.0% over 1 complete cohort, weighted by size"
        )
