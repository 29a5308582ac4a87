"""``loupe cohort create|list|show|delete`` and a chart filtered by the cohort it made."""

from __future__ import annotations

import csv
import io
import json

import pytest

from builders import build_project
from tui.cli import main

CHART = {
    "type": "segmentation",
    "events": [{"event": "Purchase"}],
    "range": {"from": "2024-03-01", "to": "2024-03-02"},
    "group_by": "platform",
}


@pytest.fixture
def project_path(tmp_path):
    with build_project(tmp_path, [
        {"event_type": "Purchase", "event_time": "2024-03-01T09:00:00Z", "user_id": "alice", "platform": "iOS"},
        {"event_type": "Purchase", "event_time": "2024-03-01T10:00:00Z", "user_id": "bob", "platform": "iOS"},
        {"event_type": "Purchase", "event_time": "2024-03-01T11:00:00Z", "user_id": "carol", "platform": "Web"},
        {"event_type": "Open", "event_time": "2024-03-02T09:00:00Z", "user_id": "alice"},
        {"event_type": "Open", "event_time": "2024-03-02T09:30:00Z", "user_id": "carol"},
    ]) as project:
        path = project.path
    return path


@pytest.fixture
def chart_path(tmp_path):
    path = tmp_path / "chart.json"
    path.write_text(json.dumps(CHART), encoding="utf-8")
    return path


def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def create(chart_path, project_path, name="iOS buyers", *extra) -> int:
    return main([
        "cohort", "create", name, str(chart_path), "--project", str(project_path),
        "--point", "2024-03-01", "--segment", "iOS", "--format", "csv", *extra,
    ])


def test_create_prints_cohort(chart_path, project_path, capsys):
    status = create(chart_path, project_path, "iOS buyers", "--description", "bought on iOS")

    captured = capsys.readouterr()
    assert status == 0
    printed = rows(captured.out)
    assert [(row["name"], row["description"], row["size"]) for row in printed] == [("iOS buyers", "bought on iOS", "2")]
    assert "Created cohort 'iOS buyers' with 2 users." in captured.err


def test_list_and_show(chart_path, project_path, capsys):
    create(chart_path, project_path)
    capsys.readouterr()

    assert main(["cohort", "list", "--project", str(project_path), "--format", "csv"]) == 0
    listed = rows(capsys.readouterr().out)
    assert [(row["name"], row["size"]) for row in listed] == [("iOS buyers", "2")]

    assert main(["cohort", "show", "iOS buyers", "--project", str(project_path), "--format", "csv"]) == 0
    members = rows(capsys.readouterr().out)
    assert [(row["user_id"], row["first_seen"]) for row in members] == [
        ("alice", "2024-03-01T09:00:00+00:00"),
        ("bob", "2024-03-01T10:00:00+00:00"),
    ]


def test_duplicate_create_fails(chart_path, project_path, capsys):
    create(chart_path, project_path)
    capsys.readouterr()

    status = create(chart_path, project_path)

    assert status == 2
    assert "A cohort called 'iOS buyers' already exists" in capsys.readouterr().err


def test_delete(chart_path, project_path, capsys):
    create(chart_path, project_path)
    capsys.readouterr()

    assert main(["cohort", "delete", "iOS buyers", "--project", str(project_path)]) == 0
    assert main(["cohort", "list", "--project", str(project_path), "--format", "csv"]) == 0
    assert rows(capsys.readouterr().out) == []

    assert main(["cohort", "show", "iOS buyers", "--project", str(project_path)]) == 2
    assert "No cohort is called 'iOS buyers'" in capsys.readouterr().err


def test_chart_filtered_by_created_cohort(tmp_path, chart_path, project_path, capsys):
    create(chart_path, project_path)
    opens = tmp_path / "opens.json"
    opens.write_text(json.dumps({
        "type": "segmentation",
        "events": [{"event": "Open"}],
        "range": {"from": "2024-03-01", "to": "2024-03-02"},
        "cohort": "iOS buyers",
    }), encoding="utf-8")
    capsys.readouterr()

    assert main(["chart", str(opens), "--project", str(project_path), "--format", "csv"]) == 0

    # alice and carol opened on 2 March, but only alice bought on iOS.
    assert [row["value"] for row in rows(capsys.readouterr().out)] == ["0", "1"]


def test_unknown_segment_named(chart_path, project_path, capsys):
    status = main([
        "cohort", "create", "x", str(chart_path), "--project", str(project_path),
        "--point", "2024-03-01", "--segment", "Android",
    ])

    assert status == 2
    assert "--segment: no segment 'Android'" in capsys.readouterr().err
