"""``loupe settings`` prints a line per changed setting on stderr, and rejects numbers past their upper bound."""

from __future__ import annotations

import csv
import io

import pytest

from builders import file_state
from tui.cli import main
from tui.store.project import MAX_EXPORT_CAP, MAX_GAP_MINUTES, MAX_PATH_DAYS
from tui.store.project import create_project, open_project

HUGE = "99999999999999999999"


@pytest.fixture
def path(tmp_path):
    path = tmp_path / "p.duckdb"
    create_project(path).close()
    return path


def settings(path, capsys, *options) -> tuple[int, list[str], dict[str, str]]:
    """Run ``loupe settings`` with ``options``; return the status, the stderr lines and the setting rows."""
    status = main(["settings", "--project", str(path), *options, "--format", "csv"])
    captured = capsys.readouterr()
    rows = {row["name"]: row["value"] for row in csv.DictReader(io.StringIO(captured.out)) if row["kind"] == "setting"}
    return status, captured.err.splitlines(), rows


def test_path_days_change_line(path, capsys):
    status, err, rows = settings(path, capsys, "--path-max-days", "60")

    assert status == 0
    assert err == ["path_max_days: 30 -> 60"]
    assert rows["path_max_days"] == "60"


def test_every_option_has_line(path, capsys):
    status, err, _ = settings(
        path, capsys,
        "--timezone", "Europe/Berlin", "--week-start", "sunday", "--export-cap", "500", "--path-max-days", "7",
        "--current-member", "alice", "--member", "alice=viewer", "--member", "alice=manager",
    )

    assert status == 0
    assert err == [
        "timezone: UTC -> Europe/Berlin",
        "week_start: monday -> sunday",
        "export_user_cap: 1000000 -> 500",
        "path_max_days: 30 -> 7",
        "current_member: (not set) -> alice",
        "member alice: (not set) -> viewer",
        "member alice: viewer -> manager",
    ]


def test_same_value_unchanged(path, capsys):
    status, err, _ = settings(path, capsys, "--week-start", "monday")

    assert status == 0
    assert err == ["week_start: monday (unchanged)"]


def test_no_options_no_lines(path, capsys):
    status, err, rows = settings(path, capsys)

    assert status == 0
    assert err == []
    assert rows["path_max_days"] == "30"


def test_gap_and_other_lines(path, capsys):
    # The gap's own lines come first, because the re-keying runs before the quick changes.
    status, err, _ = settings(path, capsys, "--session-gap", "45", "--path-max-days", "60")

    assert status == 0
    assert err[0] == "session gap: 45 minutes (was 30)"
    assert err[-1] == "path_max_days: 30 -> 60"


@pytest.mark.parametrize(("option", "message"), [
    ("--path-max-days", f"--path-max-days {HUGE}: use a whole number of days from 1 to 36,500."),
    ("--export-cap", f"--export-cap {HUGE}: use a whole number of users from 1 to 1,000,000,000."),
    ("--session-gap", f"--session-gap {HUGE}: use a whole number of minutes from 1 to 52,560,000."),
])
def test_huge_number_rejected(path, capsys, option, message):
    before = file_state(path)

    status, err, _ = settings(path, capsys, option, HUGE)

    assert status == 2
    assert err == [f"loupe settings: {message}"]
    assert file_state(path) == before


@pytest.mark.parametrize(("option", "key", "maximum"), [
    ("--path-max-days", "path_max_days", MAX_PATH_DAYS),
    ("--export-cap", "export_user_cap", MAX_EXPORT_CAP),
    ("--session-gap", "session_gap_minutes", MAX_GAP_MINUTES),
])
def test_maximum_accepted(path, capsys, option, key, maximum):
    status, _, rows = settings(path, capsys, option, str(maximum))

    assert status == 0
    assert rows[key] == str(maximum)
    with open_project(path) as project:
        assert project.setting(key) == maximum


def test_bad_bound_changes_nothing(path, capsys):
    status, err, _ = settings(path, capsys, "--timezone", "Europe/Berlin", "--export-cap", str(MAX_EXPORT_CAP + 1))

    assert status == 2
    assert err == ["loupe settings: --export-cap 1000000001: use a whole number of users from 1 to 1,000,000,000."]
    with open_project(path) as project:
        assert project.timezone == "UTC"
