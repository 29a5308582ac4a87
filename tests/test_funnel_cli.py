"""The command line on funnel charts: ``loupe chart``, and ``--step K [--dropped]`` points for the microscope."""

from __future__ import annotations

import csv
import io
import json

import pytest

from builders import build_project
from microscope_data import write_chart
from tui.cli import main

FUNNEL = {
    "type": "funnel",
    "steps": [{"event": "Open"}, {"event": "Cart"}, {"event": "Buy"}],
    "range": {"from": "2024-03-01", "to": "2024-03-01"},
    "window": "1d",
}

# ann converts; bo reaches Cart then browses; cy opens then searches; di does Cart before Open only.
EVENTS = [
    ("ann", "Open", "10:00"), ("ann", "Cart", "10:05"), ("ann", "Buy", "10:10"),
    ("bo", "Open", "11:00"), ("bo", "Cart", "11:05"), ("bo", "Look", "11:06"), ("bo", "Help", "11:07"),
    ("cy", "Open", "12:00"), ("cy", "Search", "12:01"),
    ("di", "Cart", "08:00"), ("di", "Open", "08:30"),
]


@pytest.fixture
def project_path(tmp_path):
    events = [
        {"event_type": event_type, "event_time": f"2024-03-01T{time}:00Z", "user_id": user,
         "user_properties": {"plan": f"plan-{user}"}}
        for user, event_type, time in EVENTS
    ]
    with build_project(tmp_path, events) as project:
        path = project.path
    return path


@pytest.fixture
def chart_path(tmp_path):
    return write_chart(tmp_path, FUNNEL, "funnel.json")


def loupe(command, chart_path, project_path, *options) -> int:
    return main([command, str(chart_path), "--project", str(project_path), *options])


def csv_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_chart_prints_steps_and_window(chart_path, project_path, capsys):
    status = loupe("chart", chart_path, project_path, "--format", "csv")

    captured = capsys.readouterr()
    rows = csv_rows(captured.out)
    assert status == 0
    assert list(rows[0])[:5] == ["step", "event", "converted", "dropped", "conversion"]
    assert [(row["step"], row["event"], row["converted"], row["dropped"]) for row in rows] == [
        ("1", "Open", "4", "0"), ("2", "Cart", "2", "2"), ("3", "Buy", "1", "1"),
    ]
    assert [float(row["conversion"]) for row in rows] == [1.0, 0.5, 0.5]
    assert float(rows[2]["median_seconds"]) == 300.0
    assert "window 1d, this order" in captured.err


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--step", "1"], ["ann", "bo", "cy", "di"]),
        (["--step", "2"], ["ann", "bo"]),
        (["--step", "2", "--dropped"], ["cy", "di"]),
        (["--step", "3", "--dropped"], ["bo"]),
    ],
)
def test_users_of_each_part(chart_path, project_path, capsys, options, expected):
    status = loupe("users", chart_path, project_path, *options, "--format", "csv")

    captured = capsys.readouterr()
    rows = csv_rows(captured.out)
    assert status == 0
    assert sorted(row["user_id"] for row in rows) == expected
    assert {row["plan"] for row in rows} == {f"plan-{user}" for user in expected}
    assert f": {len(expected)} {'user' if len(expected) == 1 else 'users'}\n" in captured.err


def test_events_in_point_are_step_events(chart_path, project_path, capsys):
    loupe("users", chart_path, project_path, "--step", "3", "--format", "json")

    (row,) = json.loads(capsys.readouterr().out)
    # ann's conversion used three events: Open, Cart and Buy.
    assert (row["user_id"], row["events_in_point"]) == ("ann", 3)


def test_dropped_paths_start_after_last_step(chart_path, project_path, capsys):
    status = loupe("paths", chart_path, project_path, "--step", "3", "--dropped", "--format", "csv")

    rows = csv_rows(capsys.readouterr().out)
    assert status == 0
    # bo completed Cart, so the path starts there, not at Open.
    assert [(row["path"], row["users"]) for row in rows] == [("Cart > Look > Help > End", "1")]


def test_converted_paths_start_at_step(chart_path, project_path, capsys):
    loupe("paths", chart_path, project_path, "--step", "2", "--format", "csv")

    rows = csv_rows(capsys.readouterr().out)
    assert [(row["path"], row["users"]) for row in rows] == [
        ("Cart > Buy > End", "1"), ("Cart > Look > Help > End", "1"),
    ]


def test_export_and_cohort_of_dropped_part(tmp_path, chart_path, project_path, capsys):
    out = tmp_path / "dropped.csv"

    status = main([
        "export", "users", str(chart_path), "--project", str(project_path), "--step", "2", "--dropped",
        "--out", str(out),
    ])
    assert status == 0
    with open(out, newline="", encoding="utf-8") as handle:
        users = sorted(row["user_id"] for row in csv.DictReader(handle))
    assert users == ["cy", "di"]
    capsys.readouterr()

    status = main([
        "cohort", "create", "Cart drop-offs", str(chart_path), "--project", str(project_path),
        "--step", "2", "--dropped", "--format", "csv",
    ])
    assert status == 0
    assert csv_rows(capsys.readouterr().out)[0]["size"] == "2"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ([], "--step: name a funnel step from 1 to 3"),
        (["--step", "4"], "--step: no step 4. This funnel has steps 1 to 3."),
        (["--step", "1", "--dropped"], "--dropped: step 1 has no dropped-off part"),
        (["--step", "2", "--point", "2024-03-05"], "--point: '2024-03-05' is outside the chart's range."),
        (["--step", "2", "--series", "1"], "--series: a funnel has one series"),
    ],
)
def test_funnel_point_errors(chart_path, project_path, capsys, options, message):
    status = loupe("users", chart_path, project_path, *options)

    assert status == 2
    assert message in capsys.readouterr().err


def test_step_is_rejected_on_segmentation(tmp_path, project_path, capsys):
    chart = {"type": "segmentation", "events": [{"event": "Open"}], "range": {"from": "2024-03-01", "to": "2024-03-01"}}
    chart_path = write_chart(tmp_path, chart)

    status = loupe("users", chart_path, project_path, "--point", "2024-03-01", "--step", "2")

    assert status == 2
    assert "--step: not used by this chart; it picks a point of a funnel or a retention chart." in capsys.readouterr().err


def test_streams_are_for_segmentation_points(chart_path, project_path, capsys):
    # bo is not among step 3's converted users, and the message is still about streams.
    status = loupe("stream", chart_path, project_path, "--step", "3", "--user", "bo")

    assert status == 2
    assert "user streams are for event segmentation points, not funnel points" in capsys.readouterr().err
