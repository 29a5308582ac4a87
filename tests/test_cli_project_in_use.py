"""Commands that write exit with status 3, naming what to close, while another process writes to the project.

The other process holds DuckDB's write lock, as the Loupe app does while it
has the project open. Commands that only read work on a snapshot meanwhile.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from builders import build_project, file_state
from locking import write_lock_held
from tui.cli import main
from tui.store.project import open_project

CHART = {"type": "segmentation", "events": [{"event": "Open"}], "range": {"from": "2024-03-01", "to": "2024-03-01"}}


@pytest.fixture
def project_path(tmp_path):
    with build_project(tmp_path, [
        {"event_type": "Open", "event_time": "2024-03-01T09:00:00Z", "user_id": "alice"},
        {"event_type": "Open", "event_time": "2024-03-01T10:00:00Z", "user_id": "bob"},
    ]) as project:
        path = project.path
    return path


def in_use_message(command: str, path) -> str:
    return (
        f"loupe {command}: {path} cannot be changed now, because another process has it open for writing. "
        f"Close the Loupe app (or the other process) using {path} and run the command again."
    )


def write_commands(tmp_path, path) -> dict[str, list[str]]:
    """Return the argument lists of the commands that write to the project at ``path``, by a short name."""
    chart = tmp_path / "chart.json"
    chart.write_text(json.dumps(CHART), encoding="utf-8")
    events = tmp_path / "more.jsonl"
    new_event = {"event_type": "Open", "event_time": "2024-03-02T09:00:00Z", "user_id": "carl"}
    events.write_text(json.dumps(new_event) + "\n", encoding="utf-8")
    project = ["--project", str(path)]
    return {
        "session gap": ["settings", *project, "--session-gap", "45"],
        "time zone": ["settings", *project, "--timezone", "Europe/Berlin"],
        "member": ["settings", *project, "--member", "ann=viewer"],
        "cohort create": ["cohort", "create", "openers", str(chart), *project, "--point", "2024-03-01"],
        "cohort delete": ["cohort", "delete", "openers", *project],
        "annotation": ["annotations", "add", "2024-03-01", "Launch", *project],
        "release": ["annotations", "release", "1.0", "First", "--day", "2024-03-01", *project],
        "import": ["import", str(events), *project],
    }


@pytest.mark.parametrize("name", [
    "session gap", "time zone", "member", "cohort create", "cohort delete", "annotation", "release", "import",
])
def test_write_stops_while_in_use(tmp_path, project_path, capsys, name):
    argv = write_commands(tmp_path, project_path)[name]
    before = file_state(project_path)

    with write_lock_held(project_path):
        status = main(argv)

    output = capsys.readouterr()
    assert status == 3
    assert output.err.splitlines() == [in_use_message(argv[0], project_path)]
    assert output.out == ""
    assert file_state(project_path) == before


def test_write_works_once_closed(tmp_path, project_path, capsys):
    argv = write_commands(tmp_path, project_path)["session gap"]
    with write_lock_held(project_path):
        assert main(argv) == 3

    assert main(argv) == 0

    with open_project(project_path) as project:
        assert project.setting("session_gap_minutes") == 45


def test_settings_read_while_in_use(project_path, capsys):
    with write_lock_held(project_path):
        status = main(["settings", "--project", str(project_path), "--format", "csv"])

    output = capsys.readouterr()
    assert status == 0
    settings = {row["name"]: row["value"] for row in csv.DictReader(io.StringIO(output.out))}
    assert settings["session_gap_minutes"] == "30"


def test_bad_option_still_usage_error(project_path, capsys):
    # A wrong value is reported as such, with status 2, even while the project is in use.
    with write_lock_held(project_path):
        status = main(["settings", "--project", str(project_path), "--member", "ann=owner"])

    assert status == 2
    assert "invalid role 'owner'" in capsys.readouterr().err
