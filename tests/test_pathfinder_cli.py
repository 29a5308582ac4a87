"""``loupe pathfinder``: complete paths after a start event or before an end event, as CSV, JSON or a table."""

from __future__ import annotations

import csv
import io
import json

import pytest

from builders import build_project
from path_data import pathfinder_events
from tui.cli import main


@pytest.fixture
def project_path(tmp_path):
    with build_project(tmp_path, pathfinder_events()) as project:
        path = project.path
    return path


def run_pathfinder(project_path, *options, first="2024-03-03", last="2024-03-03"):
    return main(["pathfinder", "--project", str(project_path), "--from", first, "--to", last, *options])


def test_pathfinder_after_start_csv(project_path, capsys):
    status = run_pathfinder(project_path, "--start", "View", "--depth", "2", "--format", "csv")

    output = capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(output.out)))
    assert status == 0
    assert [(row["path"], row["users"]) for row in rows] == [
        ("View > Cart > Buy", "2"),
        ("View > Buy > End", "1"),
        ("View > Cart > End", "1"),
        ("View > Help > End", "1"),
        ("View > Home > End", "1"),
    ]
    assert "paths after 'View', 2024-03-03 to 2024-03-03 in UTC: 6 users" in output.err


def test_pathfinder_before_end_json(project_path, capsys):
    status = run_pathfinder(project_path, "--end", "Buy", "--depth", "1", "--top", "1", "--format", "json")

    rows = json.loads(capsys.readouterr().out)
    assert status == 0
    # Depth 1 before Buy: u1, u3 and u7 came from Cart, u6 from View (merged into Other), u2 from nothing.
    assert rows == [
        {"path": "Cart > Buy", "users": 3},
        {"path": "Other > Buy", "users": 1},
        {"path": "Start > Buy", "users": 1},
    ]


def test_pathfinder_keep_repeats(project_path, capsys):
    status = run_pathfinder(project_path, "--start", "View", "--keep-repeats", "--format", "csv")

    paths = [row["path"] for row in csv.DictReader(io.StringIO(capsys.readouterr().out))]
    assert status == 0
    assert "View > View > Cart > End" in paths


def test_pathfinder_range_outside_events(project_path, capsys):
    status = run_pathfinder(project_path, "--start", "View", "--format", "table", first="2024-03-04", last="2024-03-05")

    output = capsys.readouterr()
    assert status == 0
    assert output.out.strip() == "(no rows)"
    assert ": 0 users" in output.err


def test_pathfinder_rejects_reversed_range(project_path, capsys):
    status = run_pathfinder(project_path, "--start", "View", first="2024-03-05", last="2024-03-03")

    assert status == 2
    assert "--from, --to: 'to' (2024-03-03) is before 'from' (2024-03-05). Swap them." in capsys.readouterr().err


def test_pathfinder_rejects_bad_date(project_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        run_pathfinder(project_path, "--start", "View", first="March 3")

    assert exit_info.value.code == 2
    assert "'March 3' is not a date. Write it as YYYY-MM-DD" in capsys.readouterr().err


def test_pathfinder_needs_one_event(project_path, capsys):
    with pytest.raises(SystemExit):
        run_pathfinder(project_path, "--start", "View", "--end", "Buy")
    assert "not allowed with argument" in capsys.readouterr().err

    with pytest.raises(SystemExit):
        run_pathfinder(project_path)
    assert "one of the arguments --start --end is required" in capsys.readouterr().err


def test_pathfinder_missing_project(tmp_path, capsys):
    status = run_pathfinder(tmp_path / "nowhere.duckdb", "--start", "View")

    assert status == 2
    assert "not found" in capsys.readouterr().err
