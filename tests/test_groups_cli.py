"""``loupe export groups``, ``loupe cohort create|show`` on a chart counted by company, and ``loupe chart`` with groups."""

from __future__ import annotations

import csv
import io
import json

import pytest

from groups_data import HOUR, MARCH_1, UNICODE_COMPANY, build_accounts, chart, day_one_csv_rows, group_id
from tui.cli import main


@pytest.fixture
def project_path(tmp_path):
    with build_accounts(tmp_path) as project:
        ids = {name: group_id(project, name) for name in ("Acme", "Globex", UNICODE_COMPANY)}
        path = project.path
    return path, ids


def write_chart(tmp_path, obj, name="chart.json"):
    path = tmp_path / name
    path.write_text(json.dumps(obj), encoding="utf-8")
    return path


def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def read_rows(path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def export_groups(chart_path, project_path, out, *extra) -> int:
    return main([
        "export", "groups", str(chart_path), "--project", str(project_path), "--point", "2024-03-01",
        "--out", str(out), *extra,
    ])


def test_export_groups_writes_four_columns(tmp_path, project_path, capsys):
    path, ids = project_path
    out = tmp_path / "groups.csv"

    status = export_groups(write_chart(tmp_path, chart()), path, out)

    captured = capsys.readouterr()
    assert status == 0
    assert read_rows(out) == [["group_id", "group_name", "first_time", "creator_id"], *day_one_csv_rows(ids)]
    assert captured.out == f"Wrote 3 of 3 groups to {out}.\n"
    assert captured.err == ""


def test_export_groups_of_a_segment(tmp_path, project_path, capsys):
    path, ids = project_path
    out = tmp_path / "groups.csv"
    chart_path = write_chart(tmp_path, chart(group_by="group:company"))

    status = export_groups(chart_path, path, out, "--segment", "Globex")

    assert status == 0
    assert read_rows(out)[1:] == [[str(ids["Globex"]), "Globex", str(MARCH_1 + 9 * HOUR), "bob"]]


def test_export_groups_cap_and_force(tmp_path, project_path, capsys):
    path, _ = project_path
    out = tmp_path / "groups.csv"
    out.write_text("mine\n", encoding="utf-8")
    chart_path = write_chart(tmp_path, chart())

    assert export_groups(chart_path, path, out) == 2
    assert "already exists: choose another file name, or pass --force to replace it." in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "mine\n"

    assert export_groups(chart_path, path, out, "--force", "--cap", "1") == 0
    captured = capsys.readouterr()
    assert len(read_rows(out)) == 2
    assert "Warning: The list was cut at 1 of 3 groups" in captured.err


def test_export_groups_needs_count_by(tmp_path, project_path, capsys):
    path, _ = project_path
    out = tmp_path / "groups.csv"
    chart_path = write_chart(tmp_path, chart(count_by=None))

    status = export_groups(chart_path, path, out)

    error = capsys.readouterr().err
    assert status == 2
    assert f"{chart_path}: count_by: this chart counts users" in error
    assert "'group:TYPE'" in error
    assert not out.exists()


def test_cohort_create_and_show_groups(tmp_path, project_path, capsys):
    path, ids = project_path
    chart_path = write_chart(tmp_path, chart())

    status = main([
        "cohort", "create", "Day one accounts", str(chart_path), "--project", str(path),
        "--point", "2024-03-01", "--format", "csv",
    ])

    captured = capsys.readouterr()
    assert status == 0
    assert rows(captured.out)[0]["size"] == "3"
    assert "Created cohort 'Day one accounts' with 3 groups." in captured.err

    assert main(["cohort", "show", "Day one accounts", "--project", str(path), "--format", "csv"]) == 0
    captured = capsys.readouterr()
    members = rows(captured.out)
    assert [(row["group_id"], row["group_name"], row["first_time"]) for row in members] == [
        (str(ids["Acme"]), "Acme", "2024-03-01T09:00:00+00:00"),
        (str(ids["Globex"]), "Globex", "2024-03-01T09:00:00+00:00"),
        (str(ids[UNICODE_COMPANY]), UNICODE_COMPANY, "2024-03-01T08:00:00+00:00"),
    ]
    assert "Cohort 'Day one accounts': 3 groups" in captured.err


def test_chart_filtered_by_group_cohort(tmp_path, project_path, capsys):
    path, _ = project_path
    main([
        "cohort", "create", "Accounts", str(write_chart(tmp_path, chart())), "--project", str(path),
        "--point", "2024-03-01",
    ])
    users_chart = write_chart(tmp_path, chart(count_by=None, cohort="Accounts"), "users.json")
    capsys.readouterr()

    assert main(["chart", str(users_chart), "--project", str(path), "--format", "csv"]) == 0

    assert [row["value"] for row in rows(capsys.readouterr().out)] == ["3", "1"]


def test_chart_grouped_by_company(tmp_path, project_path, capsys):
    path, _ = project_path
    grouped = write_chart(tmp_path, chart(count_by=None, group_by="group:company"))

    assert main(["chart", str(grouped), "--project", str(path), "--format", "csv"]) == 0

    printed = [(row["segment"], row["bucket_start"][:10], row["value"]) for row in rows(capsys.readouterr().out)]
    assert ("Acme", "2024-03-01", "2") in printed
    assert (UNICODE_COMPANY, "2024-03-01", "1") in printed
    assert ("(none)", "2024-03-02", "1") in printed
