"""Settings through the store and ``loupe settings``: the gap always re-keys, and path_max_days is checked."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from builders import build_project, file_state
from tui.analytics.microscope.paths import path_day_limit
from tui.analytics.session_span import max_session_span_us
from tui.cli import main
from tui.store.project import GAP_CHANGES_SETTING, ProjectError, create_project, open_project
from tui.store.session_gap import change_session_gap

MINUTE_US = 60 * 1_000_000


def event(time: str, name: str) -> dict:
    """Return alice's event ``name`` at ``time`` (HH:MM on 2024-03-01), with no session id."""
    return {"event_type": name, "event_time": f"2024-03-01T{time}:00Z", "user_id": "alice"}


def session_keys(project) -> dict[str, int]:
    return dict(project.con.execute("SELECT event_type, session_key FROM events").fetchall())


def settings_rows(output: str) -> dict[str, str]:
    """Return the name -> value of the ``setting`` rows of ``loupe settings --format csv``."""
    return {row["name"]: row["value"] for row in csv.DictReader(io.StringIO(output)) if row["kind"] == "setting"}


@pytest.fixture
def minutes_apart(tmp_path):
    # 29, then 31 minutes between alice's events: two gap sessions under the default gap of 30 minutes.
    project = build_project(tmp_path, [event("10:00", "A"), event("10:29", "B"), event("11:00", "C")])
    yield project
    project.close()


def test_set_setting_rejects_gap(minutes_apart):
    keys = session_keys(minutes_apart)

    with pytest.raises(ProjectError) as rejected:
        minutes_apart.set_setting("session_gap_minutes", 60)

    assert "change_session_gap" in str(rejected.value)
    assert minutes_apart.setting("session_gap_minutes") == 30
    assert session_keys(minutes_apart) == keys


def test_set_setting_rejects_gap_changes(minutes_apart):
    with pytest.raises(ProjectError, match="change_session_gap"):
        minutes_apart.set_setting(GAP_CHANGES_SETTING, 7)

    assert minutes_apart.setting(GAP_CHANGES_SETTING) is None


def test_change_session_gap_rekeys_and_counts(minutes_apart):
    keys = session_keys(minutes_apart)
    assert keys["A"] == keys["B"] != keys["C"]

    change_session_gap(minutes_apart, 60)

    merged = session_keys(minutes_apart)
    assert merged["A"] == merged["B"] == merged["C"]
    assert minutes_apart.setting("session_gap_minutes") == 60
    assert minutes_apart.setting(GAP_CHANGES_SETTING) == 1

    # The same gap again still counts as a change, because it re-keys and caches must notice.
    change_session_gap(minutes_apart, 60)

    assert session_keys(minutes_apart) == merged
    assert minutes_apart.setting(GAP_CHANGES_SETTING) == 2


def test_failed_change_keeps_count(minutes_apart):
    with pytest.raises(ProjectError, match="Invalid session gap"):
        change_session_gap(minutes_apart, 0)

    assert minutes_apart.setting(GAP_CHANGES_SETTING) is None
    assert minutes_apart.setting("session_gap_minutes") == 30


def test_span_cache_after_same_gap(minutes_apart):
    # Older versions stored a new gap without re-keying, so the events keep sessions of the
    # 30-minute gap while the stored setting is already 60.
    minutes_apart.con.execute("UPDATE settings SET value = '60' WHERE key = 'session_gap_minutes'")
    assert max_session_span_us(minutes_apart.cursor()) == 29 * MINUTE_US

    change_session_gap(minutes_apart, 60)

    # One session from 10:00 to 11:00 now, and the span cached before must not be returned.
    assert max_session_span_us(minutes_apart.cursor()) == 60 * MINUTE_US


def test_span_cache_after_gap_change(minutes_apart):
    assert max_session_span_us(minutes_apart.cursor()) == 29 * MINUTE_US

    change_session_gap(minutes_apart, 10)

    assert max_session_span_us(minutes_apart.cursor()) == 0


@pytest.mark.parametrize("value", [0, -3, 2.5, True, "30", None, 36_501])
def test_set_setting_rejects_bad_path_days(tmp_path, value):
    with create_project(tmp_path / "p.duckdb") as project:
        with pytest.raises(ProjectError) as rejected:
            project.set_setting("path_max_days", value)

        assert "path_max_days" in str(rejected.value)
        assert "whole number from 1 to 36,500" in str(rejected.value)
        assert project.setting("path_max_days") == 30


def test_set_setting_stores_path_days(tmp_path):
    with create_project(tmp_path / "p.duckdb") as project:
        project.set_setting("path_max_days", 45)

        assert project.setting("path_max_days") == 45
        assert path_day_limit(project) == 45


def test_cli_sets_path_max_days(tmp_path, capsys):
    path = tmp_path / "p.duckdb"
    create_project(path).close()

    status = main(["settings", "--project", str(path), "--path-max-days", "45", "--format", "csv"])

    assert status == 0
    assert settings_rows(capsys.readouterr().out)["path_max_days"] == "45"
    with open_project(path) as project:
        assert project.setting("path_max_days") == 45
        assert path_day_limit(project) == 45


def test_cli_shows_default_path_days(tmp_path, capsys):
    path = tmp_path / "p.duckdb"
    create_project(path).close()

    status = main(["settings", "--project", str(path), "--format", "csv"])

    assert status == 0
    assert settings_rows(capsys.readouterr().out)["path_max_days"] == "30"


@pytest.mark.parametrize("text", ["0", "-3", "2.5", "abc", ""])
def test_cli_rejects_bad_path_days(tmp_path, capsys, text):
    path = tmp_path / "p.duckdb"
    create_project(path).close()
    before = file_state(path)

    with pytest.raises(SystemExit) as stopped:
        main(["settings", "--project", str(path), "--path-max-days", text])

    assert stopped.value.code == 2
    error = capsys.readouterr().err
    assert "--path-max-days" in error
    assert f"{text!r} is not a whole number of at least 1" in error
    assert file_state(path) == before


def test_cli_bad_path_days_changes_nothing(tmp_path, capsys):
    path = tmp_path / "p.duckdb"
    create_project(path).close()
    before = file_state(path)

    # The other options are valid, and none of them is applied.
    with pytest.raises(SystemExit):
        main(["settings", "--project", str(path), "--timezone", "Europe/Berlin", "--path-max-days", "0"])

    assert file_state(path) == before
    with open_project(path) as project:
        assert project.timezone == "UTC"


def test_cli_hides_gap_changes(minutes_apart, capsys):
    path = str(minutes_apart.path)
    minutes_apart.close()

    status = main(["settings", "--project", path, "--session-gap", "60", "--format", "csv"])

    output = capsys.readouterr().out
    assert status == 0
    assert settings_rows(output)["session_gap_minutes"] == "60"
    assert GAP_CHANGES_SETTING not in output
    with open_project(Path(path)) as project:
        assert project.setting(GAP_CHANGES_SETTING) == 1
