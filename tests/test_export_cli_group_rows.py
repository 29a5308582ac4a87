"""``loupe export users`` on a chart counted by company: the rows it writes, its count in rows and its notice.

The project is ``groups_data``'s accounts. Day one's Buy events, counted by
company, make 4 (user, group) rows: alice for Acme, bob for Acme and for
Globex (one event naming both), and dora for "Ünïcode 🚀". carol bought
for no company, so she has no row.
"""

from __future__ import annotations

import csv
import json

import pytest

from groups_data import UNICODE_COMPANY, build_accounts, chart, group_id
from tui.analytics.export import GROUP_ROWS_NOTICE, NOTICE
from tui.cli import main


@pytest.fixture
def accounts(tmp_path):
    with build_accounts(tmp_path) as project:
        ids = {name: group_id(project, name) for name in ("Acme", "Globex", UNICODE_COMPANY)}
        path = project.path
    return path, ids


def write_chart(tmp_path, obj) -> str:
    path = tmp_path / "chart.json"
    path.write_text(json.dumps(obj), encoding="utf-8")
    return str(path)


def export_users(chart_path, project_path, out, *extra) -> int:
    return main([
        "export", "users", chart_path, "--project", str(project_path), "--point", "2024-03-01",
        "--out", str(out), *extra,
    ])


def read_rows(path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_group_rows_written(tmp_path, accounts, capsys):
    project_path, ids = accounts
    out = tmp_path / "users.csv"

    status = export_users(write_chart(tmp_path, chart()), project_path, out)

    captured = capsys.readouterr()
    assert status == 0
    assert [row[:3] + row[5:] for row in read_rows(out)] == [
        ["user_id", "group_id", "group_name", "events_in_point"],
        ["alice", str(ids["Acme"]), "Acme", "1"],
        ["bob", str(ids["Acme"]), "Acme", "1"],
        ["bob", str(ids["Globex"]), "Globex", "1"],
        ["dora", str(ids[UNICODE_COMPANY]), UNICODE_COMPANY, "1"],
    ]
    # Four rows but three users: the count names rows.
    assert captured.out == f"Wrote 4 of 4 rows to {out}.\n"


def test_group_rows_notice(tmp_path, accounts, capsys):
    project_path, _ = accounts

    export_users(write_chart(tmp_path, chart()), project_path, tmp_path / "users.csv")

    err = capsys.readouterr().err
    # The same text the download dialog shows, on one line.
    assert f"{NOTICE} {GROUP_ROWS_NOTICE}\n" in err
    assert "group_id, group_name" in err
    assert "Warning" not in err


def test_group_rows_cap_counts_rows(tmp_path, accounts, capsys):
    project_path, ids = accounts
    out = tmp_path / "users.csv"

    status = export_users(write_chart(tmp_path, chart()), project_path, out, "--cap", "2")

    captured = capsys.readouterr()
    assert status == 0
    # The cap cuts bob's two rows apart: it counts rows, not users.
    assert [row[:3] for row in read_rows(out)[1:]] == [
        ["alice", str(ids["Acme"]), "Acme"],
        ["bob", str(ids["Acme"]), "Acme"],
    ]
    assert captured.out == f"Wrote 2 of 4 rows to {out}.\n"
    assert "Warning: The list was cut at 2 of 4 rows (export cap; raise it with a larger --cap)." in captured.err


def test_user_counted_chart_keeps_notice(tmp_path, accounts, capsys):
    project_path, _ = accounts
    out = tmp_path / "users.csv"

    status = export_users(write_chart(tmp_path, chart(count_by=None)), project_path, out)

    captured = capsys.readouterr()
    assert status == 0
    assert read_rows(out)[0] == ["user_id", "first_seen", "last_seen", "events_in_point"]
    assert [row[0] for row in read_rows(out)[1:]] == ["alice", "bob", "carol", "dora"]
    assert captured.out == f"Wrote 4 of 4 users to {out}.\n"
    assert NOTICE in captured.err
    assert GROUP_ROWS_NOTICE not in captured.err


def test_cap_help_names_rows(capsys):
    with pytest.raises(SystemExit):
        main(["export", "users", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "write at most N rows: users, or (user, group) pairs on a chart counted by groups" in help_text
