"""``loupe drivers`` on a funnel counted by groups and on an entry bucket (``--point``) of its conversion over time."""

from __future__ import annotations

import csv
import io
import json

import pytest

from builders import build_project
from test_drivers_groups import COMPANY_EVENTS, by_company
from test_drivers_over_time import ENTRY_EVENTS, FUNNEL
from tui.cli import main


def loupe_drivers(tmp_path, events, chart, *options) -> int:
    chart_path = tmp_path / "chart.json"
    chart_path.write_text(json.dumps(chart), encoding="utf-8")
    with build_project(tmp_path, events) as project:
        project_path = str(project.path)
    return main(["drivers", str(chart_path), "--project", project_path, *options])


def csv_rows(text: str) -> dict[str, tuple[str, str]]:
    return {row["event"]: (row["converted_users"], row["dropped_users"]) for row in csv.DictReader(io.StringIO(text))}


def test_group_funnel_drivers(tmp_path, capsys):
    status = loupe_drivers(tmp_path, COMPANY_EVENTS, by_company(), "--step", "2", "--format", "csv")

    output = capsys.readouterr()
    assert status == 0
    assert csv_rows(output.out) == {"Help": ("1", "2"), "Chat": ("1", "1")}
    assert "population 4, converted 2, dropped 2" in output.err
    assert "a driver needs 1 or more groups who did it" in output.err
    assert "converted_users and dropped_users count groups" in output.err


def test_entry_bucket_drivers(tmp_path, capsys):
    status = loupe_drivers(tmp_path, ENTRY_EVENTS, FUNNEL, "--step", "2", "--point", "2024-03-02", "--format", "csv")

    output = capsys.readouterr()
    assert status == 0
    assert csv_rows(output.out) == {"help": ("0", "1"), "chat": ("1", "1")}
    entered = "step 2, entered in [2024-03-02 00:00, 2024-03-03 00:00) UTC: population 3, converted 1, dropped 2"
    assert entered in output.err


def test_entry_bucket_totals_match_over_time_chart(tmp_path, capsys):
    project_dir = tmp_path / "chart-run"
    project_dir.mkdir()
    chart_path = tmp_path / "chart.json"
    chart_path.write_text(json.dumps(FUNNEL), encoding="utf-8")
    with build_project(project_dir, ENTRY_EVENTS) as project:
        project_path = str(project.path)
    main(["chart", str(chart_path), "--project", project_path, "--over-time", "--format", "json"])
    points = [row for row in json.loads(capsys.readouterr().out) if row["step"] == 2]
    assert len(points) == 2

    for point in points:
        when = point["bucket_start"][:10]
        main(["drivers", str(chart_path), "--project", project_path, "--step", "2", "--point", when])
        err = capsys.readouterr().err
        assert f"converted {point['converted']}, dropped {point['dropped']}" in err, when


def test_point_outside_range_rejected(tmp_path, capsys):
    status = loupe_drivers(tmp_path, ENTRY_EVENTS, FUNNEL, "--step", "2", "--point", "2024-04-01")

    assert status == 2
    assert "--point: '2024-04-01' is outside the chart's range" in capsys.readouterr().err


@pytest.mark.parametrize("text", ["yesterday", "2024-13-01"])
def test_bad_point_rejected(tmp_path, capsys, text):
    status = loupe_drivers(tmp_path, ENTRY_EVENTS, FUNNEL, "--step", "2", "--point", text)

    assert status == 2
    assert f"--point: {text!r} is not a date or timestamp" in capsys.readouterr().err


def test_point_inside_bucket_named_after_drivers(tmp_path, capsys):
    status = loupe_drivers(
        tmp_path, ENTRY_EVENTS, FUNNEL, "--step", "2", "--point", "2024-03-02T12:00", "--format", "csv"
    )

    output = capsys.readouterr()
    assert status == 0
    assert csv_rows(output.out) == {"help": ("0", "1"), "chat": ("1", "1")}
    assert output.err.splitlines()[0] == (
        "loupe drivers: --point 2024-03-02T12:00: not a bucket start, so the bucket containing it is used: "
        "[2024-03-02T00:00:00+00:00, 2024-03-03T00:00:00+00:00) UTC"
    )


def test_point_errors_share_prefix(tmp_path, capsys):
    status = loupe_drivers(tmp_path, ENTRY_EVENTS, FUNNEL, "--step", "2", "--point", "2024-04-01")

    assert status == 2
    assert capsys.readouterr().err.startswith("loupe drivers: --point: '2024-04-01' is outside the chart's range")
