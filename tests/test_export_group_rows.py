"""Download users of a point counted by groups: one row per (user, group), with the group named, and the dialog's note.

The project is ``groups_data``'s accounts. Day one's Buy events, counted by
company: alice for Acme, bob for Acme and Globex in one event, dora (as the
device d-9) for "Ünïcode 🚀", and carol for no company. So the point has 3
groups and 3 users, and its download has 4 rows.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from builders import build_project
from groups_data import ACCOUNT_EVENTS, UNICODE_COMPANY, build_accounts, chart, event, group_id
from microscope_app import error_messages, press, running, settle
from tui.analytics.definition import parse_chart
from tui.analytics.export import (
    GROUP_ROWS_NOTICE,
    NOTICE,
    cap_warning,
    export_users,
    user_row_count,
    users_notice,
    writes_group_rows,
)
from tui.analytics.point import Point
from tui.app.microscope.download_dialog import DownloadDialog, GroupsDownloadDialog
from tui.store.project import open_project
from tui.store.saved_charts import save_chart

HEADER = "user_id,group_id,group_name,first_seen,last_seen,events_in_point"
ALICE_TIMES = "2024-03-01T09:00:00+00:00,2024-03-02T13:00:00+00:00"
BOB_TIMES = "2024-03-01T09:00:00+00:00,2024-03-02T14:00:00+00:00"
DORA_TIMES = "2024-03-01T08:00:00+00:00,2024-03-02T12:00:00+00:00"
CAROL_TIMES = "2024-03-01T10:00:00+00:00,2024-03-01T10:00:00+00:00"


@pytest.fixture
def project(tmp_path):
    project = build_accounts(tmp_path)
    yield project
    project.close()


def day_one(**changes) -> Point:
    return Point(parse_chart(chart(**changes)), bucket=0)


def expected_lines(project) -> list[str]:
    acme, globex, unicode = (group_id(project, name) for name in ("Acme", "Globex", UNICODE_COMPANY))
    return [
        HEADER,
        f"alice,{acme},Acme,{ALICE_TIMES},1",
        # bob's one event named two companies, so it counts once for each.
        f"bob,{acme},Acme,{BOB_TIMES},1",
        f"bob,{globex},Globex,{BOB_TIMES},1",
        f"dora,{unicode},{UNICODE_COMPANY},{DORA_TIMES},1",
    ]


def read_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_group_point_rows(project, tmp_path):
    out = tmp_path / "users.csv"
    result = export_users(project.con, day_one(), project, out)
    assert read_lines(out) == expected_lines(project)
    assert (result.rows, result.total, result.capped, result.noun) == (4, 4, False, "rows")


def test_group_point_row_count(project):
    assert user_row_count(project.con, day_one(), project) == 4
    # Counted by users, the count is the point's users: alice, bob, carol and dora on day one, alice and bob on day two.
    assert user_row_count(project.con, day_one(count_by=None), project) == 4
    assert user_row_count(project.con, Point(parse_chart(chart(count_by=None)), bucket=1), project) == 2


def test_user_point_file_unchanged(project, tmp_path):
    # Counted by users, the file has no group columns: byte for byte what it was.
    out = tmp_path / "users.csv"
    result = export_users(project.con, day_one(count_by=None), project, out)
    expected = (
        "user_id,first_seen,last_seen,events_in_point\n"
        f"alice,{ALICE_TIMES},1\n"
        f"bob,{BOB_TIMES},1\n"
        f"carol,{CAROL_TIMES},1\n"
        f"dora,{DORA_TIMES},1\n"
    )
    assert out.read_bytes() == expected.encode("utf-8")
    assert result.noun == "users"


def test_group_point_events_per_pair(project, tmp_path):
    # Over both days, alice bought twice for Acme, and bob's second purchase named no company.
    out = tmp_path / "users.csv"
    point = Point(parse_chart(chart(interval="week")), bucket=0)
    export_users(project.con, point, project, out)
    acme = group_id(project, "Acme")
    lines = read_lines(out)
    assert lines[1] == f"alice,{acme},Acme,{ALICE_TIMES},2"
    assert lines[2] == f"bob,{acme},Acme,{BOB_TIMES},1"
    assert len(lines) == 5


def test_group_point_cap_counts_rows(project, tmp_path):
    out = tmp_path / "users.csv"
    result = export_users(project.con, day_one(), project, out, cap=3)
    assert read_lines(out) == expected_lines(project)[:4]
    assert (result.rows, result.total, result.capped) == (3, 4, True)
    assert cap_warning(result) == (
        "The list was cut at 3 of 4 rows (export cap; raise it with loupe settings --export-cap)."
    )


def test_group_name_neutralised(tmp_path):
    project = build_project(tmp_path, [event("Buy", "2024-03-01T09:00:00Z", "ann", company="=SUM(A1)")])
    out = tmp_path / "users.csv"
    export_users(project.con, day_one(), project, out)
    rows = list(csv.reader(out.open(encoding="utf-8", newline="")))
    assert rows[1][:3] == ["ann", str(group_id(project, "=SUM(A1)")), "'=SUM(A1)"]
    project.close()


def test_notice_by_target():
    assert writes_group_rows(day_one())
    assert not writes_group_rows(day_one(count_by=None))
    assert users_notice(day_one()) == f"{NOTICE} {GROUP_ROWS_NOTICE}"
    assert users_notice(day_one(count_by=None)) == NOTICE


@pytest.fixture
def accounts(tmp_path):
    with build_project(tmp_path, ACCOUNT_EVENTS) as project:
        save_chart(project.con, "Buyers by company", chart())
        path = project.path
    return path


async def test_download_dialog_names_group_rows(accounts, tmp_path):
    out = tmp_path / "users.csv"
    async with running(accounts) as (app, pilot):
        dialog = DownloadDialog(app.project, day_one(), app.settings)
        await app.push_screen(dialog)
        await settle(app, pilot)
        note = dialog.query_one("#form-note").content.plain
        assert note == f"{NOTICE} {GROUP_ROWS_NOTICE}\n4 rows will be written (export cap 1,000,000)."
        # The banner still counts the point's groups and the users behind them.
        assert "point = 3 groups, list = 3 users" in dialog.query_one("#point-header").plain()

        dialog.query_one("#download-path").value = str(out)
        await press(app, pilot, "enter")
        assert f"Wrote 4 rows to {out}." in [note.message for note in app._notifications]
        assert error_messages(app) == []

    with open_project(accounts) as project:
        assert read_lines(out) == expected_lines(project)


async def test_groups_dialog_keeps_its_note(accounts):
    async with running(accounts) as (app, pilot):
        dialog = GroupsDownloadDialog(app.project, day_one(), app.settings)
        await app.push_screen(dialog)
        await settle(app, pilot)
        note = dialog.query_one("#form-note").content.plain
        assert note == (
            "Columns: group_id, group_name, first_time (Unix seconds), creator_id.\n"
            "3 groups will be written (export cap 1,000,000)."
        )


async def test_group_rows_note_fits_small_terminal(accounts):
    # In 80x24 the longer note leaves the file field and the button above the footer.
    async with running(accounts, size=(80, 24)) as (app, pilot):
        dialog = DownloadDialog(app.project, day_one(), app.settings)
        await app.push_screen(dialog)
        await settle(app, pilot)
        note = dialog.query_one("#form-note")
        assert note.content.plain.endswith("4 rows will be written (export cap 1,000,000).")
        assert dialog.query_one("#form-submit").region.bottom <= dialog.size.height - 1
