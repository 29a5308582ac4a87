"""``loupe users --step K [--dropped] --point WHEN`` on a funnel: the users who entered in the bucket WHEN."""

from __future__ import annotations

import csv
import io

import pytest

from builders import build_project
from microscope_data import write_chart
from test_funnel_over_time_points import EVENTS, EXPECTED, SHOP
from tui.cli import main


@pytest.fixture
def paths(tmp_path):
    with build_project(tmp_path, EVENTS) as project:
        project_path = project.path
    return write_chart(tmp_path, SHOP, "funnel.json"), project_path


def loupe(command, paths, *options) -> int:
    chart_path, project_path = paths
    return main([command, str(chart_path), "--project", str(project_path), *options, "--format", "csv"])


def csv_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_users_of_entry_bucket(paths, capsys):
    for (bucket, step, dropped), users in EXPECTED.items():
        day = f"2024-03-0{bucket + 1}"
        options = ["--step", str(step), "--point", day] + (["--dropped"] if dropped else [])
        assert loupe("users", paths, *options) == 0

        captured = capsys.readouterr()
        assert {row["user_id"] for row in csv_rows(captured.out)} == users, (bucket, step, dropped)
        assert f"[{day} 00:00, " in captured.err


def test_users_match_chart_over_time(paths, capsys):
    assert loupe("chart", paths, "--over-time") == 0
    chart_rows = csv_rows(capsys.readouterr().out)

    for row in chart_rows:
        assert loupe("users", paths, "--step", row["step"], "--point", row["bucket_start"]) == 0
        assert len(csv_rows(capsys.readouterr().out)) == int(row["converted"])


def test_point_outside_range(paths, capsys):
    assert loupe("users", paths, "--step", "2", "--point", "2024-03-05") == 2

    assert "--point: '2024-03-05' is outside the chart's range." in capsys.readouterr().err
