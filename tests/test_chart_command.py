"""``loupe chart``: data points as CSV, JSON and a table, and its error messages."""

from __future__ import annotations

import csv
import io
import json

import pytest

from builders import build_project
from tui.cli import main
from tui.cli.output import printable

CHART = {
    "type": "segmentation",
    "events": [{"event": "Open"}],
    "measure": "uniques",
    "interval": "day",
    "range": {"from": "2024-03-09", "to": "2024-03-11"},
    "group_by": "platform",
}


@pytest.fixture
def project_path(tmp_path):
    with build_project(tmp_path, [
        {"event_type": "Open", "event_time": "2024-03-09T20:00:00Z", "user_id": "a", "platform": "iOS"},
        {"event_type": "Open", "event_time": "2024-03-10T20:00:00Z", "user_id": "a", "platform": "iOS"},
        {"event_type": "Open", "event_time": "2024-03-10T21:00:00Z", "user_id": "b", "platform": "Web"},
        {"event_type": "Open", "event_time": "2024-03-11T21:00:00Z", "user_id": "c", "platform": "iOS"},
    ], timezone="America/Los_Angeles") as project:
        path = project.path
    return path


def write_chart(tmp_path, obj, name="chart.json"):
    path = tmp_path / name
    path.write_text(json.dumps(obj), encoding="utf-8")
    return path


def test_csv_rows_per_point(tmp_path, project_path, capsys):
    chart = write_chart(tmp_path, CHART)

    status = main(["chart", str(chart), "--project", str(project_path), "--format", "csv"])

    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert status == 0
    assert list(rows[0]) == ["series", "segment", "bucket_start", "bucket_end", "value"]
    assert [(row["segment"], row["bucket_start"], row["value"]) for row in rows] == [
        ("iOS", "2024-03-09T00:00:00-08:00", "1"),
        ("iOS", "2024-03-10T00:00:00-08:00", "1"),
        ("iOS", "2024-03-11T00:00:00-07:00", "1"),
        ("Web", "2024-03-09T00:00:00-08:00", "0"),
        ("Web", "2024-03-10T00:00:00-08:00", "1"),
        ("Web", "2024-03-11T00:00:00-07:00", "0"),
    ]
    assert rows[1]["bucket_end"] == "2024-03-11T00:00:00-07:00"
    assert {row["series"] for row in rows} == {"0"}


def test_json_output(tmp_path, project_path, capsys):
    chart = write_chart(tmp_path, {k: v for k, v in CHART.items() if k != "group_by"})

    status = main(["chart", str(chart), "--project", str(project_path), "--format", "json"])

    points = json.loads(capsys.readouterr().out)
    assert status == 0
    assert points[1] == {
        "series": 0,
        "segment": None,
        "bucket_start": "2024-03-10T00:00:00-08:00",
        "bucket_end": "2024-03-11T00:00:00-07:00",
        "value": 2,
    }
    assert len(points) == 3


def test_table_output(tmp_path, project_path, capsys):
    chart = write_chart(tmp_path, CHART)

    status = main(["chart", str(chart), "--project", str(project_path), "--format", "table"])

    lines = capsys.readouterr().out.splitlines()
    assert status == 0
    assert lines[0].split() == ["series", "segment", "bucket_start", "bucket_end", "value"]
    assert lines[2].split() == ["0", "iOS", "2024-03-10T00:00:00-08:00", "2024-03-11T00:00:00-07:00", "1"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"type": "segmentation", ', "chart.json: invalid JSON at line 1"),
        (json.dumps(dict(CHART, measure="median")), "chart.json: measure: unknown measure 'median'"),
        (json.dumps(dict(CHART, cohort="Nobody")), "chart.json: cohort: no cohort named 'Nobody'"),
        (json.dumps({"type": "funnel", "steps": [{"event": "a"}], "range": CHART["range"]}),
         "chart.json: steps: has 1 entries. Give 2 to 10."),
    ],
)
def test_bad_chart_exits_with_message(tmp_path, project_path, capsys, content, expected):
    chart = tmp_path / "chart.json"
    chart.write_text(content, encoding="utf-8")

    status = main(["chart", str(chart), "--project", str(project_path)])

    captured = capsys.readouterr()
    assert status != 0
    assert expected in captured.err
    assert captured.out == ""


def test_missing_files_exit_with_message(tmp_path, project_path, capsys):
    chart = write_chart(tmp_path, CHART)

    missing_chart = main(["chart", str(tmp_path / "nope.json"), "--project", str(project_path)])
    chart_error = capsys.readouterr().err
    missing_project = main(["chart", str(chart), "--project", str(tmp_path / "none.duckdb")])
    project_error = capsys.readouterr().err

    assert missing_chart != 0
    assert "nope.json: chart file not found" in chart_error
    assert missing_project != 0
    assert "none.duckdb not found" in project_error


def test_printable_escapes_control_characters():
    assert printable("\x1b[31mred\x07") == "\\x1b[31mred\\x07"
    assert printable("ünï [bold]") == "ünï [bold]"
    assert printable(3.0) == "3.0"
