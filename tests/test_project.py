"""Project files: creation, settings, members, and opening a file another process writes to."""

import sys

import duckdb
import pytest
from builders import build_project
from locking import write_lock_held

from tui.cli import main
from tui.store.importing.keys import FINGERPRINT_SETTING
from tui.store.project import ProjectError, create_project, open_project


def test_new_project_has_defaults(tmp_path):
    with create_project(tmp_path / "p.duckdb") as project:
        assert project.timezone == "UTC"
        assert project.setting("week_start") == "monday"
        assert project.setting("session_gap_minutes") == 30
        assert project.role_of(project.current_member()) == "admin"


def test_settings_survive_reopen(tmp_path):
    path = tmp_path / "p.duckdb"
    with create_project(path) as project:
        project.set_setting("timezone", "America/Los_Angeles")
        project.set_member("viewer-bob", "viewer")
    with open_project(path) as project:
        assert project.timezone == "America/Los_Angeles"
        assert project.role_of("viewer-bob") == "viewer"


def test_invalid_timezone_and_role_rejected(tmp_path):
    with create_project(tmp_path / "p.duckdb") as project:
        with pytest.raises(ProjectError, match="Mars/Base"):
            project.set_setting("timezone", "Mars/Base")
        with pytest.raises(ProjectError, match="king"):
            project.set_member("bob", "king")


def test_missing_file_and_foreign_file(tmp_path):
    with pytest.raises(ProjectError, match="not found"):
        open_project(tmp_path / "absent.duckdb")

    foreign = tmp_path / "other.duckdb"
    duckdb.connect(str(foreign)).execute("CREATE TABLE t (a INT)").close()
    with pytest.raises(ProjectError, match="not a Loupe project"):
        open_project(foreign)


def test_locked_project_opens_read_only(tmp_path):
    path = tmp_path / "p.duckdb"
    with create_project(path) as project:
        project.set_setting("timezone", "Europe/Berlin")

    with write_lock_held(path) as holder_pid:
        with open_project(path) as project:
            assert project.read_only
            assert "read-only" in project.notice
            assert str(holder_pid) in project.notice
            assert project.timezone == "Europe/Berlin"
            with pytest.raises(ProjectError, match="read-only"):
                project.set_setting("timezone", "UTC")


def test_settings_command_changes_and_prints(tmp_path, capsys):
    path = tmp_path / "p.duckdb"
    create_project(path).close()

    status = main(["settings", "--project", str(path), "--timezone", "Africa/Cairo",
                   "--member", "ann=manager", "--format", "csv"])

    output = capsys.readouterr().out
    assert status == 0
    assert "setting,timezone,Africa/Cairo" in output
    assert "member,ann,manager" in output


def test_settings_command_hides_key_fingerprint(tmp_path, capsys):
    project = build_project(tmp_path, [{"event_type": "Open", "event_time": "2024-03-01T10:00:00Z", "user_id": "ann"}])
    assert project.setting(FINGERPRINT_SETTING) is not None
    project.close()

    status = main(["settings", "--project", str(project.path), "--format", "csv"])

    output = capsys.readouterr().out
    assert status == 0
    assert "setting,session_gap_minutes,30" in output
    assert FINGERPRINT_SETTING not in output


def test_settings_command_rejects_bad_member(tmp_path, capsys):
    path = tmp_path / "p.duckdb"
    create_project(path).close()

    status = main(["settings", "--project", str(path), "--member", "ann"])

    assert status == 2
    assert "NAME=ROLE" in capsys.readouterr().err
