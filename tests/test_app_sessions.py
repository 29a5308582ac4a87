"""User sessions charts in the app: readout values, the microscope's actions and users, zoom and annotations.

The project has no session ids, so the import cuts sessions after 30
minutes without events. Sessions by hand (UTC, range 2024-03-01 to 03-03):

- u1: 10:00:00 to 10:04:05 on 03-01 (245 s) and 14:00 to 14:01 (60 s);
- u2: 23:58 on 03-01 to 00:03 on 03-02 (300 s), in the bucket of 03-01 where it starts;
- u3: one event at 09:00 on 03-02 (0 s);
- u5: 10:00:00 on 03-02 as the anonymous device d5, identified as u5 at 10:08:10 (490 s);
- u6: a session on 03-04, after the range.

So 03-01 has 3 sessions of 2 users, average (245 + 60 + 300) / 3 s = 3 min 21 s;
03-02 has 2 sessions of 2 users, average 245 s = 4 min 05 s; 03-03 has none.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from builders import build_project
from ecom_app import chart_lines, messages, run_menu_action
from funnel_app import event, open_users, readout, user_ids
from microscope_app import error_messages, press, running
from tui.app.chart_points import ChartPoints
from tui.app.help_screen import HelpScreen
from tui.app.home_screen import HomeScreen
from tui.app.legend import Legend
from tui.app.microscope.annotation_dialog import AnnotationDialog
from tui.app.microscope.menu import MicroscopeMenu
from tui.store.project import open_project
from tui.store.saved_charts import save_chart

SESSION_LENGTHS = {
    "type": "sessions",
    "measure": "avg_length",
    "interval": "day",
    "range": {"from": "2024-03-01", "to": "2024-03-03"},
}
SESSIONS_READOUT = "Average session length (s) · [2024-03-02 00:00, 2024-03-03 00:00) UTC · 4 min 05 s"


def session_events() -> list[dict]:
    return [
        event("open", "2024-03-01T10:00:00Z", "u1"),
        event("buy", "2024-03-01T10:04:05Z", "u1"),
        event("open", "2024-03-01T14:00:00Z", "u1"),
        event("open", "2024-03-01T14:01:00Z", "u1"),
        event("open", "2024-03-01T23:58:00Z", "u2"),
        event("buy", "2024-03-02T00:03:00Z", "u2"),
        event("open", "2024-03-02T09:00:00Z", "u3"),
        event("open", "2024-03-02T10:00:00Z", device="d5"),
        event("buy", "2024-03-02T10:08:10Z", "u5", "d5"),
        event("open", "2024-03-04T08:00:00Z", "u6"),
    ]


@pytest.fixture(scope="module")
def sessions_template(tmp_path_factory) -> Path:
    """Build the sessions project once; each test saves its chart in its own copy."""
    folder = tmp_path_factory.mktemp("sessions")
    project = build_project(folder, session_events())
    project.set_member("ana", "admin")
    project.set_setting("current_member", "ana")
    project.close()
    return folder / "p.duckdb"


def project_with(tmp_path: Path, template: Path, chart: dict) -> Path:
    """Copy the template and save ``chart`` as the chart the app opens; return the copy's path."""
    path = tmp_path / "p.duckdb"
    path.write_bytes(template.read_bytes())
    with open_project(path) as project:
        save_chart(project.con, "Sessions", chart)
    return path


async def test_readout_names_measure_and_length(tmp_path, sessions_template):
    async with running(project_with(tmp_path, sessions_template, SESSION_LENGTHS), size=(100, 30)) as (app, pilot):
        assert isinstance(app.points, ChartPoints)
        title = app.home.query_one("#chart-title").content.plain
        assert title == "Sessions · User sessions · Average session length · Daily · 2024-03-01 … 2024-03-03"
        assert app.points.lines[0].values == (pytest.approx(605 / 3), 245.0, 0.0)

        assert readout(app) == "Average session length (s) · [2024-03-03 00:00, 2024-03-04 00:00) UTC · 0 s"
        await press(app, pilot, "h")
        assert readout(app) == SESSIONS_READOUT
        await press(app, pilot, "h")
        assert readout(app).endswith("[2024-03-01 00:00, 2024-03-02 00:00) UTC · 3 min 21 s")
        assert "Average session length (s)" in app.home.query_one(Legend).render().plain

        # The retention key that switches a cell's part does nothing here, and the keys dialog leaves it out.
        await press(app, pilot, "t", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        listed = {entry.description: entry.keys for entry in app.screen.entries}
        assert "Switch between the retained and the not-retained users of a retention cell" not in listed
        assert "t" not in [key for keys in listed.values() for key in keys]
        await press(app, pilot, "escape")
        assert readout(app).endswith("[2024-03-01 00:00, 2024-03-02 00:00) UTC · 3 min 21 s")
        assert error_messages(app) == []


async def test_sessions_count_and_users_side_by_side(tmp_path, sessions_template):
    chart = dict(SESSION_LENGTHS, measure="sessions")
    async with running(project_with(tmp_path, sessions_template, chart)) as (app, pilot):
        await press(app, pilot, "g")
        assert readout(app) == "Sessions · [2024-03-01 00:00, 2024-03-02 00:00) UTC · 3 sessions"

        users = await open_users(app, pilot)
        # The session that crosses midnight counts on 03-01, where it starts.
        assert user_ids(users) == {"u1", "u2"}
        assert "point = 3 sessions, list = 2 users" in users.query_one("#point-header").plain()


async def test_menu_offers_annotation_not_streams(tmp_path, sessions_template):
    async with running(project_with(tmp_path, sessions_template, SESSION_LENGTHS)) as (app, pilot):
        await press(app, pilot, "h", "enter")
        menu = app.screen
        assert isinstance(menu, MicroscopeMenu)
        header = menu.query_one("#point-header").plain()
        assert header.startswith(
            "Average session length (s) · [2024-03-02 00:00, 2024-03-03 00:00) UTC\npoint = 4 min 05 s, list = 2 users"
        )

        reasons = menu.reasons
        for name in ("users", "paths", "cohort", "download", "annotation", "release", "zoom"):
            assert reasons[name] is None, name
        assert reasons["streams"] == "View user streams: only event segmentation charts have them"
        assert reasons["drivers"] == "Explore conversion drivers: only funnel charts have them"
        # One line (no group-by, not the length measure): nothing to keep or drop.
        assert reasons["filter"] == "Filter to series: no Group by, so there is one line."
        assert reasons["exclude"] == "Exclude series: no Group by, so there is one line."

        await press(app, pilot, "s")
        assert app.screen is menu
        assert messages(app, "warning") == [reasons["streams"]]

        await press(app, pilot, "u")
        # The anonymous event of d5 belongs to u5, the user the device was identified as.
        assert user_ids(app.screen) == {"u3", "u5"}


async def test_annotation_marks_sessions_chart(tmp_path, sessions_template):
    async with running(project_with(tmp_path, sessions_template, SESSION_LENGTHS)) as (app, pilot):
        await press(app, pilot, "h")
        dialog = await run_menu_action(app, pilot, "a", AnnotationDialog)
        assert dialog.query_one("#annotation-day").value == "2024-03-02"
        await press(app, pilot, *"Push", "ctrl+s")
        assert "Added annotation 'Push' on 2024-03-02." in messages(app)

        await press(app, pilot, "escape")
        assert isinstance(app.screen, HomeScreen)
        assert "▼ 03-02 Push" in app.home.query_one(Legend).render().plain
        assert any("▼" in line for line in chart_lines(app))


async def test_zoom_gives_hours_of_day(tmp_path, sessions_template):
    async with running(project_with(tmp_path, sessions_template, SESSION_LENGTHS)) as (app, pilot):
        await press(app, pilot, "h")
        await run_menu_action(app, pilot, "z", HomeScreen)

        assert app.definition.type == "sessions"
        assert app.definition.interval == "hour"
        assert app.definition.to_json()["range"] == {"from": "2024-03-02", "to": "2024-03-02"}
        values = app.points.lines[0].values
        assert len(values) == 24
        # u2's session started on 03-01, so hour 0 has none; u3 starts at 09:00 (0 s) and u5 at 10:00 (490 s).
        assert {hour: value for hour, value in enumerate(values) if value} == {10: 490.0}
        assert app.points.point().value == 0.0

        await press(app, pilot, "g", *["l"] * 10)
        assert readout(app) == "Average session length (s) · [2024-03-02 10:00, 2024-03-02 11:00) UTC · 8 min 10 s"
        users = await open_users(app, pilot)
        assert user_ids(users) == {"u5"}


async def test_length_buckets_as_series(tmp_path, sessions_template):
    chart = dict(SESSION_LENGTHS, measure="length")
    async with running(project_with(tmp_path, sessions_template, chart)) as (app, pilot):
        names = [line.series_name for line in app.points.lines]
        assert names[2:4] == ["Length [1m, 5m)", "Length [5m, 15m)"]
        # On 03-01: 245 s and exactly 60 s fall in [1m, 5m), 300 s in [5m, 15m).
        await press(app, pilot, "g", "j", "j")
        assert readout(app) == "Length [1m, 5m) · [2024-03-01 00:00, 2024-03-02 00:00) UTC · 2 sessions"
        await press(app, pilot, "j")
        assert readout(app) == "Length [5m, 15m) · [2024-03-01 00:00, 2024-03-02 00:00) UTC · 1 session"

        users = await open_users(app, pilot)
        assert user_ids(users) == {"u2"}
        assert "point = 1 session, list = 1 user" in users.query_one("#point-header").plain()
