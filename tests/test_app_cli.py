"""``loupe [PROJECT]`` before the app starts: missing and invalid files, and the demo's progress line."""

import io

from tui.cli import main
from tui.cli.open_command import ProgressLine, demo_project
from tui.paths import demo_project_path
from tui.store.demo import build_demo_project


def test_missing_project_named(tmp_path, capsys):
    missing = tmp_path / "nowhere.duckdb"
    assert main([str(missing)]) == 2
    error = capsys.readouterr().err
    assert f"Project file {missing} not found" in error
    assert "loupe import" in error


def test_folder_rejected(tmp_path, capsys):
    assert main([str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err


def test_not_a_project_rejected(tmp_path, capsys):
    bogus = tmp_path / "notes.duckdb"
    bogus.write_text("shopping list\n")
    assert main([str(bogus)]) == 2
    error = capsys.readouterr().err
    assert str(bogus) in error
    assert "not a valid DuckDB database file" in error


def test_progress_line_updates_in_place():
    stream = io.StringIO()
    progress = ProgressLine(stream)
    progress("generate", 1, 4)
    progress("generate", 1, 4)
    progress("generate", 4, 4)
    progress("import", 50, 100)
    progress.finish()

    lines = stream.getvalue().split("\n")
    assert lines[0] == "Building the demo project (first run only)…"
    updates = lines[1].split("\r")[1:]
    assert [update.strip() for update in updates] == [
        "Generating demo events: 25%",
        "Generating demo events: 100%",
        "Importing demo events: 50%",
    ]


def test_existing_demo_opened_without_building(capsys):
    path = build_demo_project(demo_project_path(), n_events=2_000, seed=1)
    modified = path.stat().st_mtime_ns

    assert demo_project() == path
    assert path.stat().st_mtime_ns == modified
    assert capsys.readouterr().err == ""
