"""``loupe users``: the point's users as CSV and JSON, point options and their errors."""

from __future__ import annotations

import csv
import io
import json

import pytest

from builders import build_project
from microscope_data import chart_json, write_chart
from tui.cli import main

CHART = chart_json("Buy", "2024-03-09", "2024-03-11", group_by="platform", timezone="America/Los_Angeles")


@pytest.fixture
def project_path(tmp_path):
    events = [
        {"event_type": "Buy", "event_time": "2024-03-10T18:00:00Z", "user_id": "ann", "platform": "iOS",
         "user_properties": {"plan": "free", "age": 30}},
        {"event_type": "Buy", "event_time": "2024-03-10T19:00:00Z", "user_id": "ann", "platform": "iOS",
         "user_properties": {"plan": "pro"}},
        {"event_type": "Buy", "event_time": "2024-03-10T20:00:00Z", "device_id": "dev-1", "platform": "iOS"},
        {"event_type": "Buy", "event_time": "2024-03-10T21:00:00Z", "user_id": "bo", "platform": "Web",
         "user_properties": {"user_id": "shadow"}},
        {"event_type": "View", "event_time": "2024-03-12T21:00:00Z", "user_id": "ann"},
    ]
    with build_project(tmp_path, events, timezone="UTC") as project:
        path = project.path
    return path


def run_users(tmp_path, project_path, *options, chart=CHART):
    chart_path = write_chart(tmp_path, chart)
    return main(["users", str(chart_path), "--project", str(project_path), *options])


def test_users_csv_columns_and_values(tmp_path, project_path, capsys):
    status = run_users(tmp_path, project_path, "--point", "2024-03-10", "--segment", "iOS", "--format", "csv")

    output = capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(output.out)))
    assert status == 0
    assert list(rows[0]) == ["user_id", "first_seen", "last_seen", "events_in_point", "age", "plan"]
    assert [(row["user_id"], row["events_in_point"], row["plan"], row["age"]) for row in rows] == [
        ("ann", "2", "pro", "30"),
        ("dev-1", "1", "", ""),
    ]
    # Times are in the chart's zone (PDT from March 10), with the offset.
    assert rows[0]["first_seen"] == "2024-03-10T11:00:00-07:00"
    assert rows[0]["last_seen"] == "2024-03-12T14:00:00-07:00"
    assert "Buy, iOS, [2024-03-10 00:00, 2024-03-11 00:00) America/Los_Angeles: 2 users" in output.err


def test_users_property_named_like_column(tmp_path, project_path, capsys):
    run_users(tmp_path, project_path, "--point", "2024-03-10T00:00:00-08:00", "--segment", "Web", "--format", "json")

    rows = json.loads(capsys.readouterr().out)

    assert rows == [{
        "user_id": "bo", "first_seen": "2024-03-10T14:00:00-07:00", "last_seen": "2024-03-10T14:00:00-07:00",
        "events_in_point": 1, "user.user_id": "shadow",
    }]


def test_users_limit(tmp_path, project_path, capsys):
    status = run_users(tmp_path, project_path, "--point", "2024-03-10", "--segment", "iOS", "--limit", "1")

    output = capsys.readouterr()
    assert status == 0
    assert [row["user_id"] for row in csv.DictReader(io.StringIO(output.out))] == ["ann"]
    assert "Printed the first 1 of 2 users (--limit 1)." in output.err


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--point", "2024-03-20", "--segment", "iOS"], "--point: '2024-03-20' is outside the chart's range"),
        (["--point", "March 10", "--segment", "iOS"], "--point: 'March 10' is not a date or timestamp"),
        (["--point", "2024-03-10", "--segment", "Android"], "--segment: no segment 'Android' in series 0. Segments: 'iOS', 'Web'"),
        (["--point", "2024-03-10"], "--segment: this chart is grouped by 'platform'; name a segment"),
        (["--point", "2024-03-10", "--segment", "iOS", "--series", "2"], "--series: no series 2. This chart has series 0 to 0."),
    ],
)
def test_users_option_errors(tmp_path, project_path, capsys, options, message):
    status = run_users(tmp_path, project_path, *options)

    assert status == 2
    assert message in capsys.readouterr().err


def test_users_segment_without_group_by(tmp_path, project_path, capsys):
    chart = chart_json("Buy", "2024-03-09", "2024-03-11")

    status = run_users(tmp_path, project_path, "--point", "2024-03-10", "--segment", "iOS", chart=chart)

    assert status == 2
    assert "--segment: 'iOS' given, but this chart has no group-by" in capsys.readouterr().err


def test_users_funnel_needs_step(tmp_path, project_path, capsys):
    funnel = {"type": "funnel", "steps": [{"event": "View"}, {"event": "Buy"}],
              "range": {"from": "2024-03-09", "to": "2024-03-11"}}

    status = run_users(tmp_path, project_path, "--point", "2024-03-10", chart=funnel)

    assert status == 2
    assert "--step: name a funnel step from 1 to 2, and add --dropped for its drop-off." in capsys.readouterr().err


def test_users_unknown_cohort(tmp_path, project_path, capsys):
    chart = chart_json("Buy", "2024-03-09", "2024-03-11", cohort="Whales")

    status = run_users(tmp_path, project_path, "--point", "2024-03-10", chart=chart)

    assert status == 2
    assert "cohort: no cohort named 'Whales' in this project" in capsys.readouterr().err
