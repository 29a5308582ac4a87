"""Filter to series and Exclude series on a sessions chart's length buckets, in the app and against ``loupe users``.

Sessions by hand (UTC, 30-minute gap, buckets [0s, 1m) and [1m, ∞)), all on
03-01: u1 from 10:00 to 10:02 (120 s), u2 at 11:00 (0 s), u3 at 12:00 (0 s).
So [0s, 1m) has 2 sessions of 2 users and [1m, ∞) 1 session of 1 user.
"""

from __future__ import annotations

import csv
import io
import json

from builders import build_project
from ecom_app import run_menu_action, with_chart
from funnel_app import event, readout
from microscope_app import error_messages, press, running
from test_app_zoom import move_to_line
from tui.app.home_screen import HomeScreen
from tui.cli import main

LENGTHS = {
    "type": "sessions",
    "measure": "length",
    "length_buckets": [60],
    "interval": "day",
    "range": {"from": "2024-03-01", "to": "2024-03-02"},
}
LONG = "Length [1m, ∞)"


def project_path(tmp_path):
    build_project(tmp_path, [
        event("open", "2024-03-01T10:00:00Z", "u1"),
        event("buy", "2024-03-01T10:02:00Z", "u1"),
        event("open", "2024-03-01T11:00:00Z", "u2"),
        event("open", "2024-03-01T12:00:00Z", "u3"),
    ]).close()
    return with_chart(tmp_path / "p.duckdb", LENGTHS, name="Lengths")


def listed_users(tmp_path, path, chart: dict, series: int, capsys) -> list[str]:
    chart_file = tmp_path / "shown.json"
    chart_file.write_text(json.dumps(chart), encoding="utf-8")
    capsys.readouterr()
    status = main([
        "users", str(chart_file), "--project", str(path), "--point", "2024-03-01", "--series", str(series),
        "--format", "csv",
    ])
    assert status == 0
    return [row["user_id"] for row in csv.DictReader(io.StringIO(capsys.readouterr().out))]


async def test_filter_to_a_length_bucket_leaves_its_line(tmp_path, capsys):
    path = project_path(tmp_path)
    async with running(path) as (app, pilot):
        assert [(line.series_name, line.values) for line in app.points.lines] == [
            ("Length [0s, 1m)", (2.0, 0.0)), (LONG, (1.0, 0.0)),
        ]
        await move_to_line(app, pilot, 1, None)
        await run_menu_action(app, pilot, "f", HomeScreen)
        await press(app, pilot, "h")

        assert app.definition.to_json()["segments"] == {"keep": [LONG]}
        assert [(line.series, line.series_name) for line in app.points.lines] == [(1, LONG)]
        title = app.home.query_one("#chart-title").content.plain
        assert title.endswith(f"only: {LONG}")
        assert readout(app) == f"{LONG} · [2024-03-01 00:00, 2024-03-02 00:00) UTC · 1 session"
        value = app.points.point().value
        chart = app.definition.to_json()
        assert error_messages(app) == []

    assert value == 1
    assert listed_users(tmp_path, path, chart, 1, capsys) == ["u1"]


async def test_exclude_a_length_bucket(tmp_path, capsys):
    path = project_path(tmp_path)
    async with running(path) as (app, pilot):
        await move_to_line(app, pilot, 1, None)
        await run_menu_action(app, pilot, "x", HomeScreen)

        assert app.definition.to_json()["segments"] == {"drop": [LONG]}
        assert [line.series_name for line in app.points.lines] == ["Length [0s, 1m)"]
        await press(app, pilot, "h")
        assert readout(app) == "Length [0s, 1m) · [2024-03-01 00:00, 2024-03-02 00:00) UTC · 2 sessions"
        value = app.points.point().value
        chart = app.definition.to_json()
        await press(app, pilot, "enter")
        # One line left: nothing more to keep or drop.
        assert app.screen.reasons["exclude"] == "Exclude series: the chart shows only this line, so there is nothing to drop."

    assert value == 2
    assert sorted(listed_users(tmp_path, path, chart, 0, capsys)) == ["u2", "u3"]
