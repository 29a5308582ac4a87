"""``loupe export users``: the file it writes, its messages, --cap and --force."""

from __future__ import annotations

import csv
import json

import pytest

from builders import build_project
from tui.cli import main

CHART = {
    "type": "segmentation",
    "events": [{"event": "Purchase"}],
    "range": {"from": "2024-03-01", "to": "2024-03-02"},
}


@pytest.fixture
def project_path(tmp_path):
    events = [
        {"event_type": "Purchase", "event_time": "2024-03-01T09:00:00Z", "user_id": user,
         "user_properties": {"plan": plan}}
        for user, plan in [("alice", "=pro"), ("bob", "free"), ("carol", "free")]
    ]
    with build_project(tmp_path, events) as project:
        path = project.path
    return path


@pytest.fixture
def chart_path(tmp_path):
    path = tmp_path / "chart.json"
    path.write_text(json.dumps(CHART), encoding="utf-8")
    return path


def export(chart_path, project_path, out, *extra) -> int:
    return main([
        "export", "users", str(chart_path), "--project", str(project_path), "--point", "2024-03-01",
        "--out", str(out), *extra,
    ])


def read_rows(path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_writes_file_and_notice(tmp_path, chart_path, project_path, capsys):
    out = tmp_path / "users.csv"

    status = export(chart_path, project_path, out)

    captured = capsys.readouterr()
    assert status == 0
    assert read_rows(out) == [
        ["user_id", "first_seen", "last_seen", "events_in_point", "plan"],
        ["alice", "2024-03-01T09:00:00+00:00", "2024-03-01T09:00:00+00:00", "1", "'=pro"],
        ["bob", "2024-03-01T09:00:00+00:00", "2024-03-01T09:00:00+00:00", "1", "free"],
        ["carol", "2024-03-01T09:00:00+00:00", "2024-03-01T09:00:00+00:00", "1", "free"],
    ]
    assert captured.out == f"Wrote 3 of 3 users to {out}.\n"
    assert "Values are each user's latest user properties, not the values at event time." in captured.err
    assert "Warning" not in captured.err


def test_cap_warning(tmp_path, chart_path, project_path, capsys):
    out = tmp_path / "users.csv"

    status = export(chart_path, project_path, out, "--cap", "2")

    captured = capsys.readouterr()
    assert status == 0
    assert len(read_rows(out)) == 3
    assert captured.out == f"Wrote 2 of 3 users to {out}.\n"
    assert "Warning: The list was cut at 2 of 3 users" in captured.err
    assert "raise it with a larger --cap" in captured.err


def test_existing_file_needs_force(tmp_path, chart_path, project_path, capsys):
    out = tmp_path / "users.csv"
    out.write_text("mine\n", encoding="utf-8")

    status = export(chart_path, project_path, out)

    error = capsys.readouterr().err
    assert status == 2
    assert f"{out} already exists" in error
    assert error.strip().endswith(f"{out} already exists: choose another file name, or pass --force to replace it.")
    assert out.read_text(encoding="utf-8") == "mine\n"

    assert export(chart_path, project_path, out, "--force") == 0
    assert read_rows(out)[0][0] == "user_id"


def test_bad_cap_rejected(tmp_path, chart_path, project_path, capsys):
    with pytest.raises(SystemExit):
        export(chart_path, project_path, tmp_path / "users.csv", "--cap", "0")

    assert "--cap" in capsys.readouterr().err
    assert not (tmp_path / "users.csv").exists()
