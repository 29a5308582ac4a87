"""The command line on retention and sessions charts, and funnels over time: rows and microscope points."""

from __future__ import annotations

import csv
import io

import pytest

from builders import build_project
from microscope_data import write_chart
from tui.cli import main

RETENTION = {
    "type": "retention",
    "start": {"event": "Signup"},
    "return": {"event": "Open"},
    "period": "day",
    "periods": 2,
    "range": {"from": "2024-03-01", "to": "2024-03-02"},
}
SESSIONS = {"type": "sessions", "measure": "sessions", "interval": "day", "range": {"from": "2024-03-01", "to": "2024-03-02"}}

# ann returns on day 1, bo on day 0 (after signing up) and day 2, cy never; the last event closes every period.
EVENTS = [
    ("ann", "Signup", "2024-03-01T10:00"), ("ann", "Open", "2024-03-02T09:00"),
    ("bo", "Signup", "2024-03-01T11:00"), ("bo", "Open", "2024-03-01T12:00"), ("bo", "Open", "2024-03-03T08:00"),
    ("cy", "Signup", "2024-03-02T10:00"),
    ("di", "Look", "2024-03-10T10:00"),
]


@pytest.fixture
def project_path(tmp_path):
    events = [{"event_type": kind, "event_time": f"{time}:00Z", "user_id": user} for user, kind, time in EVENTS]
    with build_project(tmp_path, events) as project:
        path = project.path
    return path


def loupe(tmp_path, project_path, chart, *options) -> int:
    chart_path = write_chart(tmp_path, chart)
    return main([options[0], str(chart_path), "--project", str(project_path), *options[1:]])


def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_retention_chart_rows(tmp_path, project_path, capsys):
    status = loupe(tmp_path, project_path, RETENTION, "chart", "--format", "csv")

    captured = capsys.readouterr()
    printed = rows(captured.out)
    assert status == 0
    assert [(row["bucket_start"][:10], row["period"], row["cohort_size"], row["retained"]) for row in printed] == [
        ("2024-03-01", "0", "2", "1"), ("2024-03-01", "1", "2", "1"), ("2024-03-01", "2", "2", "1"),
        ("2024-03-02", "0", "1", "0"), ("2024-03-02", "1", "1", "0"), ("2024-03-02", "2", "1", "0"),
    ]
    # Booleans are written as in the JSON output.
    assert {row["complete"] for row in printed} == {"true"}
    assert {row["started"] for row in printed} == {"true"}
    assert "return on period N, calendar days" in captured.err


@pytest.mark.parametrize(("period", "length"), [("day", "24-hour"), ("week", "7-day")])
def test_rolling_retention_note(tmp_path, project_path, capsys, period, length):
    status = loupe(tmp_path, project_path, dict(RETENTION, period=period, rolling=True), "chart", "--format", "csv")

    assert status == 0
    assert f"return on period N, rolling {length} periods;" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("chart", "options", "expected"),
    [
        (RETENTION, ["--period", "1"], ["ann"]),
        (RETENTION, ["--period", "1", "--dropped"], ["bo"]),
        (dict(RETENTION, mode="on_or_after"), ["--period", "1"], ["ann", "bo"]),
        (RETENTION, ["--period", "0"], ["bo"]),
    ],
)
def test_retention_point_users(tmp_path, project_path, capsys, chart, options, expected):
    status = loupe(tmp_path, project_path, chart, "users", "--point", "2024-03-01", *options, "--format", "csv")

    assert status == 0
    assert sorted(row["user_id"] for row in rows(capsys.readouterr().out)) == expected


def test_retention_point_needs_period(tmp_path, project_path, capsys):
    status = loupe(tmp_path, project_path, RETENTION, "users", "--point", "2024-03-01")

    assert status == 2
    assert "--period: name a period from 0 to 2" in capsys.readouterr().err


def test_retention_period_past_the_last(tmp_path, project_path, capsys):
    status = loupe(tmp_path, project_path, RETENTION, "users", "--point", "2024-03-01", "--period", "3")

    assert status == 2
    assert "--period: no period 3. This chart has periods 0 to 2." in capsys.readouterr().err


def test_sessions_point_users(tmp_path, project_path, capsys):
    status = loupe(tmp_path, project_path, SESSIONS, "users", "--point", "2024-03-01", "--format", "csv")

    printed = rows(capsys.readouterr().out)
    assert status == 0
    # bo's two Opens an hour apart are two sessions; ann's sign-up is one.
    assert sorted((row["user_id"], row["events_in_point"]) for row in printed) == [("ann", "1"), ("bo", "2")]


def test_sessions_chart_counts(tmp_path, project_path, capsys):
    loupe(tmp_path, project_path, SESSIONS, "chart", "--format", "csv")

    assert [(row["bucket_start"][:10], row["value"]) for row in rows(capsys.readouterr().out)] == [
        ("2024-03-01", "3"), ("2024-03-02", "2"),
    ]


def test_funnel_over_time(tmp_path, project_path, capsys):
    funnel = {"type": "funnel", "steps": [{"event": "Signup"}, {"event": "Open"}], "interval": "day",
              "range": {"from": "2024-03-01", "to": "2024-03-02"}}

    status = loupe(tmp_path, project_path, funnel, "chart", "--over-time", "--format", "csv")

    printed = rows(capsys.readouterr().out)
    assert status == 0
    assert [(row["bucket_start"][:10], row["step"], row["converted"]) for row in printed] == [
        ("2024-03-01", "1", "2"), ("2024-03-01", "2", "2"), ("2024-03-02", "1", "1"), ("2024-03-02", "2", "0"),
    ]


def test_over_time_only_for_funnels(tmp_path, project_path, capsys):
    status = loupe(tmp_path, project_path, SESSIONS, "chart", "--over-time")

    assert status == 2
    assert "--over-time: only funnels have conversion over time" in capsys.readouterr().err


def test_unknown_event_warns(tmp_path, project_path, capsys):
    chart = {"type": "segmentation", "events": [{"event": "signup"}, {"event": "Open"}],
             "range": {"from": "2024-03-01", "to": "2024-03-02"}}

    status = loupe(tmp_path, project_path, chart, "chart", "--format", "csv")

    captured = capsys.readouterr()
    assert status == 0
    assert "Warning: no event named 'signup' in this project; its values are 0." in captured.err
    assert "'Open'" not in captured.err
