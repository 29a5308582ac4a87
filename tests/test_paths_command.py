"""``loupe paths``: the point's complete paths with their users, depth and range options."""

from __future__ import annotations

import csv
import io
import json

import pytest

from builders import build_project
from microscope_data import chart_json, minutes_after, write_chart
from tui.cli import main

SESSIONS = {"ann": ["Open", "Search", "Buy"], "bo": ["Open", "Search"], "cy": ["Open", "Buy"], "di": ["Open"]}


@pytest.fixture
def project_path(tmp_path):
    events = [
        {"event_type": event_type, "event_time": minutes_after("2024-03-03T10:00", minute), "user_id": user,
         "session_id": user}
        for user, steps in SESSIONS.items()
        for minute, event_type in enumerate(steps)
    ]
    with build_project(tmp_path, events) as project:
        path = project.path
    return path


def run_paths(tmp_path, project_path, *options, chart=None, point="2024-03-03"):
    chart_path = write_chart(tmp_path, chart or chart_json("Open"))
    point_option = ["--point", point] if point is not None else []
    return main(["paths", str(chart_path), "--project", str(project_path), *point_option, *options])


def test_paths_csv(tmp_path, project_path, capsys):
    status = run_paths(tmp_path, project_path, "--format", "csv")

    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert status == 0
    assert list(rows[0]) == ["path", "users"]
    assert [(row["path"], row["users"]) for row in rows] == [
        ("Open > Buy > End", "1"),
        ("Open > End", "1"),
        ("Open > Search > Buy > End", "1"),
        ("Open > Search > End", "1"),
    ]


def test_paths_depth_and_top(tmp_path, project_path, capsys):
    status = run_paths(tmp_path, project_path, "--depth", "1", "--top", "1", "--format", "json")

    rows = json.loads(capsys.readouterr().out)
    assert status == 0
    # Search has the most users, so Buy merges into Other.
    assert rows == [
        {"path": "Open > Search", "users": 2},
        {"path": "Open > End", "users": 1},
        {"path": "Open > Other", "users": 1},
    ]


def test_paths_range_limit(tmp_path, project_path, capsys):
    monthly = chart_json("Open", "2024-03-01", "2024-03-31", interval="month")

    refused = run_paths(tmp_path, project_path, chart=monthly, point="2024-03-01")
    message = capsys.readouterr().err
    allowed = run_paths(tmp_path, project_path, "--max-days", "31", chart=monthly, point="2024-03-01")

    assert refused == 2
    assert "This report would read 31 days of events, more than the project's limit of 30 days" in message
    assert "The point covers 31 days, [2024-03-01 00:00, 2024-04-01 00:00) UTC." in message
    assert "Use --max-days 31 to allow it, or pick a shorter point." in message
    assert "max_days:" not in message
    assert allowed == 0


def test_paths_range_limit_names_funnel_window(tmp_path, project_path, capsys):
    funnel = {"type": "funnel", "steps": [{"event": "Open"}, {"event": "Buy"}], "window": "1d",
              "interval": "day", "range": {"from": "2024-03-01", "to": "2024-03-30"}}

    rejected = run_paths(tmp_path, project_path, "--step", "2", "--dropped", chart=funnel, point=None)
    message = capsys.readouterr().err
    allowed = run_paths(tmp_path, project_path, "--step", "2", "--dropped", "--max-days", "31", chart=funnel, point=None)

    # The chart's 30 days and the 1-day window after them.
    assert rejected == 2
    assert "This report would read 31 days of events" in message
    assert "The point covers 30 days, [2024-03-01 00:00, 2024-03-31 00:00) UTC, and its paths read 1 day more" in message
    assert "the funnel's 1d conversion window" in message
    assert "Use --max-days 31 to allow it" in message
    assert allowed == 0
    # bo and di opened the app and bought nothing.
    assert capsys.readouterr().out.splitlines() == ["path,users", "Open > End,1", "Open > Search > End,1"]
