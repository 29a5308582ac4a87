"""The command line on grouped funnels: ``loupe chart`` prints a segment column, and ``--segment`` picks a part."""

from __future__ import annotations

import csv

import pytest

from builders import build_project
from microscope_data import write_chart
from test_funnel_cli import csv_rows, loupe
from tui.cli import main

FUNNEL = {
    "type": "funnel",
    "steps": [{"event": "Open"}, {"event": "Cart"}],
    "range": {"from": "2024-03-01", "to": "2024-03-01"},
    "window": "1h",
    "group_by": "platform",
}

# ann and bo open on iOS; ann reaches Cart. cy opens on Web and drops off, di opens with no platform.
EVENTS = [
    ("ann", "Open", "10:00", "iOS"), ("ann", "Cart", "10:05", "Web"), ("ann", "Look", "10:06", None),
    ("bo", "Open", "11:00", "iOS"), ("bo", "Help", "11:10", None),
    ("cy", "Open", "12:00", "Web"), ("cy", "Search", "12:01", None),
    ("di", "Open", "13:00", None), ("di", "Cart", "13:30", None),
]


@pytest.fixture
def project_path(tmp_path):
    events = []
    for user, event_type, time, platform in EVENTS:
        row = {"event_type": event_type, "event_time": f"2024-03-01T{time}:00Z", "user_id": user}
        if platform:
            row["platform"] = platform
        events.append(row)
    with build_project(tmp_path, events) as project:
        path = project.path
    return path


@pytest.fixture
def chart_path(tmp_path):
    return write_chart(tmp_path, FUNNEL, "funnel.json")


def test_chart_prints_segment_first(chart_path, project_path, capsys):
    status = loupe("chart", chart_path, project_path, "--format", "csv")

    rows = csv_rows(capsys.readouterr().out)
    assert status == 0
    assert list(rows[0])[:3] == ["segment", "step", "event"]
    assert [(row["segment"], row["step"], row["converted"], row["dropped"]) for row in rows] == [
        ("iOS", "1", "2", "0"), ("iOS", "2", "1", "1"),
        ("Web", "1", "1", "0"), ("Web", "2", "0", "1"),
        ("(none)", "1", "1", "0"), ("(none)", "2", "1", "0"),
    ]


def test_over_time_prints_segment(chart_path, project_path, capsys):
    status = loupe("chart", chart_path, project_path, "--over-time", "--format", "csv")

    rows = csv_rows(capsys.readouterr().out)
    assert status == 0
    assert list(rows[0])[:2] == ["segment", "bucket_start"]
    assert [row["converted"] for row in rows if row["segment"] == "iOS"] == ["2", "1"]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--step", "1", "--segment", "iOS"], ["ann", "bo"]),
        (["--step", "2", "--segment", "iOS"], ["ann"]),
        (["--step", "2", "--dropped", "--segment", "iOS"], ["bo"]),
        (["--step", "2", "--dropped", "--segment", "Web"], ["cy"]),
        (["--step", "2", "--segment", "(none)"], ["di"]),
    ],
)
def test_users_of_segment_parts(chart_path, project_path, capsys, options, expected):
    status = loupe("users", chart_path, project_path, *options, "--format", "csv")

    rows = csv_rows(capsys.readouterr().out)
    assert status == 0
    assert sorted(row["user_id"] for row in rows) == expected


def test_paths_of_segment_drop_off(chart_path, project_path, capsys):
    status = loupe("paths", chart_path, project_path, "--step", "2", "--dropped", "--segment", "iOS", "--format", "csv")

    rows = csv_rows(capsys.readouterr().out)
    assert status == 0
    assert [(row["path"], row["users"]) for row in rows] == [("Open > Help > End", "1")]


def test_export_of_segment_part(tmp_path, chart_path, project_path):
    out = tmp_path / "web.csv"

    status = main([
        "export", "users", str(chart_path), "--project", str(project_path),
        "--step", "2", "--dropped", "--segment", "Web", "--out", str(out),
    ])
    assert status == 0
    with open(out, newline="", encoding="utf-8") as handle:
        assert [row["user_id"] for row in csv.DictReader(handle)] == ["cy"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--step", "2"], "--segment: this chart is grouped by 'platform'; name a segment, one of 'iOS', 'Web', '(none)'."),
        (["--step", "2", "--segment", "Android"], "--segment: no segment 'Android' in this chart."),
    ],
)
def test_segment_errors(chart_path, project_path, capsys, options, message):
    status = loupe("users", chart_path, project_path, *options)

    assert status == 2
    assert message in capsys.readouterr().err


def test_segment_rejected_without_group_by(tmp_path, project_path, capsys):
    chart_path = write_chart(tmp_path, {key: value for key, value in FUNNEL.items() if key != "group_by"})

    status = loupe("users", chart_path, project_path, "--step", "2", "--segment", "iOS")

    assert status == 2
    assert "--segment: 'iOS' given, but this chart has no group-by." in capsys.readouterr().err


def test_drivers_compare_one_segment(chart_path, project_path, capsys):
    status = loupe("drivers", chart_path, project_path, "--step", "2", "--segment", "iOS", "--format", "csv")

    captured = capsys.readouterr()
    rows = csv_rows(captured.out)
    assert status == 0
    assert "population 2, converted 1, dropped 1" in captured.err
    assert [(row["event"], row["converted_users"], row["dropped_users"]) for row in rows] == [("Help", "0", "1")]


def test_drivers_of_grouped_funnel_need_a_segment(chart_path, project_path, capsys):
    status = loupe("drivers", chart_path, project_path, "--step", "2")

    assert status != 0
    assert "--segment" in capsys.readouterr().err
