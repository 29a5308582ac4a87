"""Scripted commands without ``--project`` use the demo project that plain ``loupe`` opens, and name it on stderr."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tui.cli import main
from tui.paths import demo_project_path
from tui.store.demo import build_demo_project
from tui.store.project import create_project, open_project


@pytest.fixture
def demo_path():
    # A small demo in the per-test data folder, so no command has to build the full one.
    return build_demo_project(demo_project_path(), n_events=2_000, seed=1)


def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def notice(command: str, path) -> str:
    return f"loupe {command}: no --project given, so using the demo project {path}"


def test_cohort_list_uses_demo(demo_path, capsys):
    status = main(["cohort", "list", "--format", "csv"])

    output = capsys.readouterr()
    assert status == 0
    assert output.err.splitlines() == [notice("cohort", demo_path)]
    assert output.out.splitlines()[0].startswith("name,description,size")


def test_settings_uses_demo(demo_path, capsys):
    status = main(["settings", "--format", "csv"])

    output = capsys.readouterr()
    assert status == 0
    assert output.err.splitlines() == [notice("settings", demo_path)]
    settings = {row["name"]: row["value"] for row in rows(output.out)}
    assert settings["timezone"] == "UTC"
    assert settings["session_gap_minutes"] == "30"


def test_settings_change_goes_to_demo(demo_path, capsys):
    status = main(["settings", "--week-start", "sunday", "--format", "csv"])

    assert status == 0
    assert capsys.readouterr().err.splitlines() == [notice("settings", demo_path), "week_start: monday -> sunday"]
    with open_project(demo_path) as project:
        assert project.setting("week_start") == "sunday"


def test_annotations_list_demo(demo_path, capsys):
    status = main(["annotations", "--format", "csv"])

    output = capsys.readouterr()
    assert status == 0
    assert output.err.splitlines() == [notice("annotations", demo_path)]
    labels = [row["label"] for row in rows(output.out) if row["kind"] == "annotation"]
    assert labels == ["Email campaign"]


def test_chart_counts_demo_events(tmp_path, demo_path, capsys):
    with open_project(demo_path) as project:
        first, last, opens = project.con.execute(
            "SELECT min(event_time)::DATE, max(event_time)::DATE, count(*) FILTER (WHERE event_type = 'App Open') "
            "FROM events"
        ).fetchall()[0]
    chart = {
        "type": "segmentation", "events": [{"event": "App Open"}], "measure": "totals", "interval": "month",
        "range": {"from": first.isoformat(), "to": last.isoformat()},
    }
    chart_path = tmp_path / "opens.json"
    chart_path.write_text(json.dumps(chart), encoding="utf-8")

    status = main(["chart", str(chart_path), "--format", "csv"])

    output = capsys.readouterr()
    assert status == 0
    assert notice("chart", demo_path) in output.err.splitlines()
    assert opens > 0
    assert sum(int(row["value"]) for row in rows(output.out)) == opens


def test_given_project_prints_no_notice(tmp_path, demo_path, capsys):
    with create_project(tmp_path / "own.duckdb") as project:
        path = project.path

    status = main(["cohort", "list", "--project", str(path), "--format", "csv"])

    assert status == 0
    assert capsys.readouterr().err == ""


def test_import_still_needs_project(tmp_path, demo_path, capsys):
    events = tmp_path / "events.jsonl"
    events.write_text('{"event_type": "A", "event_time": "2024-03-01T10:00:00Z", "user_id": "u"}\n', encoding="utf-8")
    with open_project(demo_path) as project:
        before = project.con.execute("SELECT count(*) FROM events").fetchall()[0][0]

    with pytest.raises(SystemExit) as stopped:
        main(["import", str(events)])

    assert stopped.value.code == 2
    assert "the following arguments are required: --project" in capsys.readouterr().err
    with open_project(demo_path) as project:
        assert project.con.execute("SELECT count(*) FROM events").fetchall()[0][0] == before
