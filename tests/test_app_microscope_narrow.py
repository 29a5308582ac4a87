"""The microscope at 100 and 110 columns: the banner keeps a point's bucket, and "why here" keeps the segment's value.

Events (UTC), with their platform, country and session:

| user | time | event | platform | country | session |
| --- | --- | --- | --- | --- | --- |
| u1 | 03-04 10:00 | Sign Up | Android | United States | 1 |
| u1 | 03-05 11:00 | Invite Teammate | Android | United States | 2 |
| u2 | 03-05 09:00 | Sign Up | iOS | United Kingdom | 3 |

The last event is at 11:00 on 03-05, so u2's 7-day window and days 1–7 of
both start cohorts are still open.
"""

from __future__ import annotations

import pytest

from builders import build_project
from microscope_app import error_messages, press, running
from tui.app.funnel_over_time import FunnelOverTimePoints
from tui.app.microscope.menu import MicroscopeMenu
from tui.store.saved_charts import save_chart
from why_app import column_titles, open_why, why_rows

OVER_TIME_BUCKET = "entered in [2024-03-04 00:00, 2024-03-11 00:00) UTC"
RANGE = {"from": "2024-03-04", "to": "2024-03-05"}
FUNNEL = {
    "type": "funnel",
    "steps": [{"event": "Sign Up"}, {"event": "Invite Teammate"}],
    "window": "7d",
    "interval": "week",
    "range": {"from": "2024-03-04", "to": "2024-03-10"},
}
RETENTION = {
    "type": "retention",
    "start": {"event": "Sign Up"},
    "return": {"event": "Invite Teammate"},
    "period": "day",
    "periods": 7,
    "mode": "on_or_after",
    "interval": "day",
    "range": RANGE,
    "group_by": "platform",
}
SESSIONS = {"type": "sessions", "measure": "sessions", "interval": "day", "range": RANGE, "group_by": "country"}


def event(user: str, when: str, event_type: str, platform: str, country: str, session: int) -> dict:
    return {
        "event_type": event_type,
        "event_time": f"2024-{when}:00Z",
        "user_id": user,
        "platform": platform,
        "country": country,
        "session_id": session,
    }


def make_project(tmp_path, chart: dict):
    """Build the project of this module's table with ``chart`` as the chart the app opens, and return its path."""
    project = build_project(
        tmp_path,
        [
            event("u1", "03-04T10:00", "Sign Up", "Android", "United States", 1),
            event("u1", "03-05T11:00", "Invite Teammate", "Android", "United States", 2),
            event("u2", "03-05T09:00", "Sign Up", "iOS", "United Kingdom", 3),
        ],
    )
    save_chart(project.con, "Onboarding", chart)
    project.close()
    return tmp_path / "p.duckdb"


def drawn_text(widget) -> list[str]:
    """Return the rows ``widget`` draws, without the padding at their ends."""
    rows = ["".join(segment.text for segment in widget.render_line(y)) for y in range(widget.region.height)]
    return [row.strip() for row in rows]


def banner_parts(screen) -> tuple[list[str], str, str]:
    """Return the drawn banner's subject rows, its counts row, and its note with its rows joined by spaces."""
    rows = drawn_text(screen.query_one("#point-header"))
    counts = next(index for index, row in enumerate(rows) if row.startswith("point = "))
    return rows[:counts], rows[counts], " ".join(rows[counts + 1 :])


def segment_rows(why) -> list[str]:
    return drawn_text(why.query_one("#why-segment"))


@pytest.mark.parametrize(
    "size, subject_rows",
    [
        ((100, 30), ["Step 2 Invite Teammate, converted ·", OVER_TIME_BUCKET + " · window 7d, this order"]),
        ((110, 32), ["Step 2 Invite Teammate, converted · " + OVER_TIME_BUCKET + " ·", "window 7d, this order"]),
    ],
)
async def test_over_time_banner_keeps_bucket(tmp_path, size, subject_rows):
    async with running(make_project(tmp_path, FUNNEL), size=size) as (app, pilot):
        await press(app, pilot, "T")
        assert isinstance(app.points, FunnelOverTimePoints)
        await press(app, pilot, "enter")
        menu = app.screen
        assert isinstance(menu, MicroscopeMenu)

        subject, counts, note = banner_parts(menu)
        # The bucket identifies the point, so it comes before the window and order, and no row cuts it.
        assert subject == subject_rows
        assert counts.startswith("point = 1, list = 1 · ")
        # The note wraps rather than losing its end.
        assert note == "(partial) conversion window still open: more users may still convert and join this list"
        assert error_messages(app) == []


@pytest.mark.parametrize(
    "size, note_rows",
    [
        (
            (100, 30),
            [
                "(partial) days 1–7 not over for every user of this cohort: more users may still",
                "return and join this list",
            ],
        ),
        (
            (110, 32),
            [
                "(partial) days 1–7 not over for every user of this cohort: more users may still return and",
                "join this list",
            ],
        ),
    ],
)
async def test_retention_note_wraps_whole(tmp_path, size, note_rows):
    async with running(make_project(tmp_path, RETENTION), size=size) as (app, pilot):
        await press(app, pilot, "enter")
        menu = app.screen
        assert isinstance(menu, MicroscopeMenu)

        rows = drawn_text(menu.query_one("#point-header"))
        assert rows[:2] == [
            "Sign Up then Invite Teammate, day 1 (on or after), retained · Android ·",
            "[2024-03-04 00:00, 2024-03-05 00:00) UTC",
        ]
        assert rows[2].startswith("point = 1, list = 1 · ")
        assert rows[3:] == note_rows
        # The wrapped rows leave the whole action list on screen.
        options = menu.query_one("#microscope-actions").region
        assert options.bottom <= menu.size.height - 1
        assert error_messages(app) == []


@pytest.mark.parametrize(
    "size, line_rows",
    [
        (
            (100, 30),
            [
                "Segment Android (platform): decided by the step-1 event that starts the counted conversion, Sign",
                "Up at 2024-03-04 10:00:00.",
            ],
        ),
        (
            (110, 32),
            [
                "Segment Android (platform): decided by the step-1 event that starts the counted conversion, "
                "Sign Up at",
                "2024-03-04 10:00:00.",
            ],
        ),
    ],
)
async def test_why_funnel_line_leads_with_value(tmp_path, size, line_rows):
    chart = dict(FUNNEL, group_by="platform", interval="day", range=RANGE)
    async with running(make_project(tmp_path, chart), size=size) as (app, pilot):
        why = await open_why(app, pilot, "u1", "l")

        # The segment's value leads, and the line wraps rather than losing its end.
        assert segment_rows(why) == line_rows
        # The step-1 event is listed, so the column shows its platform.
        assert column_titles(why) == ["Time", "Event", "platform", "Session", "Event properties"]
        assert why_rows(why) == [
            ("2024-03-04 10:00:00", "Sign Up", "Android"),
            ("2024-03-05 11:00:00", "Invite Teammate", ""),
        ]
        assert error_messages(app) == []


@pytest.mark.parametrize(
    "size, line_rows",
    [
        (
            (100, 30),
            [
                "Segment Android (platform): decided by the first start event in the range, Sign Up at 2024-03-04",
                "10:00:00.",
            ],
        ),
        (
            (110, 32),
            [
                "Segment Android (platform): decided by the first start event in the range, "
                "Sign Up at 2024-03-04 10:00:00.",
            ],
        ),
    ],
)
async def test_why_retention_drops_empty_column(tmp_path, size, line_rows):
    async with running(make_project(tmp_path, RETENTION), size=size) as (app, pilot):
        why = await open_why(app, pilot, "u1")

        assert segment_rows(why) == line_rows
        # Only the return event is listed, and it did not decide the segment, so the table has no platform column.
        assert column_titles(why) == ["Time", "Event", "Session", "Event properties"]
        assert why_rows(why) == [("2024-03-05 11:00:00", "Invite Teammate", "2")]
        assert error_messages(app) == []


@pytest.mark.parametrize(
    "size, line_rows",
    [
        (
            (100, 30),
            [
                "Segment United States (country): decided by the first event of the session, Sign Up at 2024-03-04",
                "10:00:00.",
            ],
        ),
        (
            (110, 32),
            [
                "Segment United States (country): decided by the first event of the session, "
                "Sign Up at 2024-03-04 10:00:00.",
            ],
        ),
    ],
)
async def test_why_sessions_line_leads_with_value(tmp_path, size, line_rows):
    async with running(make_project(tmp_path, SESSIONS), size=size) as (app, pilot):
        why = await open_why(app, pilot, "u1", "h")

        assert segment_rows(why) == line_rows
        assert column_titles(why) == ["Time", "Event", "country", "Session", "Event properties"]
        assert why_rows(why) == [("2024-03-04 10:00:00", "Sign Up", "United States")]
        assert error_messages(app) == []


async def test_banner_wraps_on_tall_terminal_only(tmp_path):
    async with running(make_project(tmp_path, RETENTION), size=(110, 32)) as (app, pilot):
        await press(app, pilot, "enter")
        header = app.screen.query_one("#point-header")
        assert len(drawn_text(header)) == 5

        # At 24 rows the menu's actions need every row, so each line keeps to one row and ends in "…" where cut.
        await pilot.resize_terminal(110, 24)
        await press(app, pilot)
        rows = drawn_text(header)
        assert len(rows) == 3
        assert rows[0].startswith("Sign Up then Invite Teammate, day 1 (on or after), retained · Android · [2024-")
        assert rows[0].endswith("…")
        assert rows[1].startswith("point = 1, list = 1 · ")
        assert rows[2].startswith("(partial) days 1–7 not over for every user of this cohort: ")
        assert rows[2].endswith("…")
        options = app.screen.query_one("#microscope-actions").region
        assert options.bottom <= app.screen.size.height - 1

        await pilot.resize_terminal(110, 32)
        await press(app, pilot)
        assert len(drawn_text(header)) == 5
