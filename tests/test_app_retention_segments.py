"""A retention chart grouped by a property in the app: one table per segment, the keys between them, the microscope.

Start event ``Visit``, return event ``Use``, days 0 and 1, range 2024-03-01 to
2024-03-02, grouped by ``plan``, in UTC:

- free: u1, u2 and u3 start on 03-01; u1 returns on 03-02. Size 3.
- pro: p1 and p2 start on 03-01 and both return on 03-02; p3 starts on 03-02
  and returns on 03-03. Size 3.

Both segments have 3 users, so the tie goes by name: free, then pro.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from builders import build_project
from funnel_app import canvas, event, open_users, readout, user_ids
from microscope_app import error_messages, press, running
from tui.app.help_screen import HelpScreen
from tui.app.legend import Legend
from tui.app.retention_points import RetentionPoints
from tui.app.retention_table import RETAINED_MARK
from tui.store.saved_charts import save_chart

PLANS = {
    "type": "retention",
    "start": {"event": "Visit"},
    "return": {"event": "Use"},
    "periods": 1,
    "range": {"from": "2024-03-01", "to": "2024-03-02"},
    "group_by": "plan",
}


def plan_events() -> list[dict]:
    rows = []
    for user, day, plan in [("u1", 1, "free"), ("u2", 1, "free"), ("u3", 1, "free"),
                            ("p1", 1, "pro"), ("p2", 1, "pro"), ("p3", 2, "pro")]:
        rows.append(event("Visit", f"2024-03-0{day}T10:00:00Z", user, plan=plan))
    for user, day in [("u1", 2), ("p1", 2), ("p2", 2), ("p3", 3)]:
        rows.append(event("Use", f"2024-03-0{day}T11:00:00Z", user))
    return rows


def project_with(tmp_path, chart: dict) -> Path:
    project = build_project(tmp_path, plan_events())
    save_chart(project.con, "Plans", chart)
    project.close()
    return tmp_path / "p.duckdb"


@pytest.fixture
def plans(tmp_path) -> Path:
    return project_with(tmp_path, PLANS)


def readout_count(app) -> int:
    """Return the count of the part under the cursor, as the readout's first line states it."""
    found = re.search(r"· (?:not )?retained: (\d+) users? ·", readout(app))
    assert found, readout(app)
    return int(found.group(1))


def segment_line(app) -> str:
    return [line for line in canvas(app).split("\n") if line.startswith("Segment")][0]


async def test_second_segment_users_equal_readout(plans):
    async with running(plans, size=(100, 30)) as (app, pilot):
        points = app.points
        assert isinstance(points, RetentionPoints)
        assert points.segments == ["free", "pro"]
        assert segment_line(app) == "Segment 1 of 2: free · [ ] switch segment"
        assert readout(app).startswith("Cohort 2024-03-01 (3 users) · free · Day 1 · retained: 1 user ·")

        await press(app, pilot, "right_square_bracket")
        assert segment_line(app) == "Segment 2 of 2: pro · [ ] switch segment"
        assert readout(app).startswith("Cohort 2024-03-01 (2 users) · pro · Day 1 · retained: 2 users ·")
        assert f"{RETAINED_MARK}100.0%" in canvas(app)

        users = await open_users(app, pilot)
        assert user_ids(users) == {"p1", "p2"}
        assert len(user_ids(users)) == 2
        await press(app, pilot, "escape", "escape")

        await press(app, pilot, "t")
        dropped = readout_count(app)
        users = await open_users(app, pilot)
        assert dropped == 0
        assert user_ids(users) == set()
        assert error_messages(app) == []


async def test_down_past_last_cohort_changes_segment(plans):
    async with running(plans, size=(100, 30)) as (app, pilot):
        await press(app, pilot, "j")
        assert readout(app).startswith("Cohort 2024-03-02 (0 users) · free · Day 1")
        assert "free" in segment_line(app)

        await press(app, pilot, "j")
        assert "pro" in segment_line(app)
        assert readout(app).startswith("Cohort 2024-03-01 (2 users) · pro · Day 1")

        # Up from a segment's first cohort goes back to the previous segment's last one.
        await press(app, pilot, "k")
        assert "free" in segment_line(app)
        assert readout(app).startswith("Cohort 2024-03-02 (0 users) · free")

        await press(app, pilot, "home")
        assert readout(app).startswith("Cohort 2024-03-01 (3 users) · free")
        await press(app, pilot, "end", "g")
        assert readout(app).startswith("Cohort 2024-03-02 (0 users) · free · Day 0")
        await press(app, pilot, "G")
        assert readout(app).startswith("Cohort 2024-03-02 (0 users) · free · Day 1")
        await press(app, pilot, "left_square_bracket")
        assert "free" in segment_line(app)


async def test_segment_average_row(plans):
    async with running(plans, size=(100, 30)) as (app, pilot):
        assert canvas(app).split("\n")[1].split() == ["Average", "3", "0.0%", "33.3%"]
        await press(app, pilot, "right_square_bracket")
        # The 03-02 cohort's day 1 runs to 03-04, after the last event, so only 03-01's counts for day 1.
        assert canvas(app).split("\n")[1].split() == ["Average", "3", "0.0%", "100.0%"]


async def test_help_lists_segment_keys(plans):
    async with running(plans) as (app, pilot):
        assert "[ ] switch segment" in app.home.query_one(Legend).render().plain
        await press(app, pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        listed = {entry.description: entry.keys for entry in app.screen.entries}
        assert listed["The previous segment's retention table"] == ["["]
        assert listed["The next segment's retention table"] == ["]"]
        assert listed["First start cohort of the retention table"] == ["home"]
        assert listed["Last start cohort of the retention table"] == ["end"]
        assert listed["Switch between the retained and the not-retained users of the cell"] == ["t"]


async def test_ungrouped_table_hides_segment_keys(tmp_path):
    chart = {key: value for key, value in PLANS.items() if key != "group_by"}
    async with running(project_with(tmp_path, chart)) as (app, pilot):
        assert not [line for line in canvas(app).split("\n") if line.startswith("Segment")]
        await press(app, pilot, "right_square_bracket", "question_mark")
        listed = {entry.description: entry.keys for entry in app.screen.entries}
        assert "The next segment's retention table" not in listed
        assert listed["Last start cohort of the retention table"] == ["end"]
