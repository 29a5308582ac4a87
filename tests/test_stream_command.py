"""``loupe stream``: one user's events around a point, counted events marked, and its errors."""

from __future__ import annotations

import csv
import io

import pytest

from builders import build_project
from microscope_data import chart_json, write_chart
from tui.cli import main

CHART = chart_json("Buy", where=[{"property": "plan", "op": "=", "value": "pro"}])


@pytest.fixture
def project_path(tmp_path):
    events = [
        {"event_type": "View", "event_time": "2024-03-02T23:59:00Z", "user_id": "ann", "session_id": "1",
         "event_properties": {"page": "home"}},
        {"event_type": "Buy", "event_time": "2024-03-03T10:00:00Z", "user_id": "ann", "session_id": "2",
         "event_properties": {"plan": "pro", "price": 9.5}},
        {"event_type": "Buy", "event_time": "2024-03-03T10:05:00Z", "user_id": "ann", "session_id": "2",
         "event_properties": {"plan": "free"}},
        {"event_type": "View", "event_time": "2024-03-04T08:00:00Z", "user_id": "ann", "session_id": "3"},
        {"event_type": "Buy", "event_time": "2024-03-03T11:00:00Z", "device_id": "dev-9",
         "event_properties": {"plan": "pro"}},
        {"event_type": "View", "event_time": "2024-03-03T11:00:00Z", "user_id": "cy"},
    ]
    with build_project(tmp_path, events) as project:
        path = project.path
    return path


def run_stream(tmp_path, project_path, *options):
    chart_path = write_chart(tmp_path, CHART)
    return main(["stream", str(chart_path), "--project", str(project_path), "--point", "2024-03-03", *options])


def test_stream_csv_columns_and_rows(tmp_path, project_path, capsys):
    status = run_stream(tmp_path, project_path, "--user", "ann", "--format", "csv")

    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert status == 0
    assert list(rows[0]) == ["event_time", "event_type", "counted", "session_id", "page", "plan", "price"]
    assert [(row["event_type"], row["counted"], row["session_id"], row["plan"]) for row in rows] == [
        ("View", "false", "1", ""),
        ("Buy", "true", "2", "pro"),
        ("Buy", "false", "2", "free"),
        ("View", "false", "3", ""),
    ]
    assert rows[1]["event_time"] == "2024-03-03T10:00:00+00:00"
    assert rows[1]["price"] == "9.5"


def test_stream_of_anonymous_device(tmp_path, project_path, capsys):
    status = run_stream(tmp_path, project_path, "--user", "dev-9", "--format", "csv")

    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert status == 0
    assert [(row["event_type"], row["counted"]) for row in rows] == [("Buy", "true")]


@pytest.mark.parametrize(
    ("user", "message"),
    [
        ("nobody", "--user: no user or device 'nobody' in this project."),
        ("cy", "--user: 'cy' is not one of the point's 2 users."),
    ],
)
def test_stream_user_errors(tmp_path, project_path, capsys, user, message):
    status = run_stream(tmp_path, project_path, "--user", user)

    assert status == 2
    assert message in capsys.readouterr().err
