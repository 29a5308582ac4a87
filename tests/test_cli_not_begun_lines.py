"""The command line on a retention cell whose period has not begun, and booleans in its table output.

``loupe users``, ``loupe paths`` and ``loupe export`` all print the same
line on stderr for such a cell, so 0 rows do not read as a cohort that did
not return. The chart, events and line come from ``test_cli_open_cells``:
day 2 of the March 1 cohort has not begun, day 0 of March 2's has.
"""

from __future__ import annotations

import csv
import io

import pandas as pd

from builders import build_project
from microscope_data import write_chart
from test_chart_types_cli import RETENTION
from test_cli_open_cells import NOT_BEGUN, RETENTION_EVENTS
from tui.cli import main
from tui.cli.output import print_frame


def project_and_chart(tmp_path) -> tuple[str, str]:
    chart_path = write_chart(tmp_path, RETENTION)
    with build_project(tmp_path, RETENTION_EVENTS) as project:
        path = str(project.path)
    return str(chart_path), path


def test_paths_of_not_begun_period(tmp_path, capsys):
    chart, project = project_and_chart(tmp_path)

    status = main(["paths", chart, "--project", project, "--point", "2024-03-01", "--period", "2", "--format", "csv"])

    output = capsys.readouterr()
    assert status == 0
    assert list(csv.DictReader(io.StringIO(output.out))) == []
    assert output.err.splitlines() == [NOT_BEGUN]


def test_paths_of_begun_empty_period(tmp_path, capsys):
    # bo did not come back on day 0, which has begun: no paths, and nothing about a period not begun.
    chart, project = project_and_chart(tmp_path)

    status = main(["paths", chart, "--project", project, "--point", "2024-03-02", "--period", "0", "--format", "csv"])

    output = capsys.readouterr()
    assert status == 0
    assert "has not begun" not in output.err


def test_export_of_not_begun_period(tmp_path, capsys):
    chart, project = project_and_chart(tmp_path)
    out = tmp_path / "users.csv"

    status = main(["export", "users", chart, "--project", project, "--point", "2024-03-01", "--period", "2", "--out", str(out)])

    output = capsys.readouterr()
    assert status == 0
    assert output.out == f"Wrote 0 of 0 users to {out}.\n"
    assert NOT_BEGUN in output.err.splitlines()
    with open(out, newline="", encoding="utf-8") as handle:
        assert list(csv.DictReader(handle)) == []


def test_export_of_begun_period(tmp_path, capsys):
    chart, project = project_and_chart(tmp_path)
    out = tmp_path / "users.csv"

    status = main(["export", "users", chart, "--project", project, "--point", "2024-03-02", "--period", "0", "--out", str(out)])

    output = capsys.readouterr()
    assert status == 0
    assert output.out == f"Wrote 0 of 0 users to {out}.\n"
    assert "has not begun" not in output.err


def test_chart_table_booleans(tmp_path, capsys):
    chart, project = project_and_chart(tmp_path)

    status = main(["chart", chart, "--project", project, "--format", "table"])

    lines = capsys.readouterr().out.splitlines()
    assert status == 0
    assert lines[0].split()[-2:] == ["complete", "started"]
    # Day 0 of March 1's cohort is over. Its day 2 has not begun, so it is neither complete nor started.
    assert lines[1].split()[-2:] == ["true", "true"]
    assert lines[3].split()[-2:] == ["false", "false"]
    assert not any("True" in line or "False" in line for line in lines)


def test_table_booleans_match_csv():
    frame = pd.DataFrame({"name": ["a", "b", None], "counted": [True, False, True], "mixed": [True, "x", None]})
    table, csv_text = io.StringIO(), io.StringIO()

    print_frame(frame, "table", table)
    print_frame(frame, "csv", csv_text)

    rows = [line.split() for line in table.getvalue().splitlines()]
    assert rows[0] == ["name", "counted", "mixed"]
    assert rows[1] == ["a", "true", "true"]
    assert rows[2] == ["b", "false", "x"]
    # Missing values stay blank, as in the CSV.
    assert rows[3] == ["true"]
    assert csv_text.getvalue().splitlines() == ["name,counted,mixed", "a,true,true", "b,false,x", ",true,"]
