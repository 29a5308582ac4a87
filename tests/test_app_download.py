"""Download users in the app: the CSV read back, asking before replacing a file, cancelling, the export cap."""

import csv
from datetime import date

from textual.widgets import Button, ProgressBar

from builders import build_project
from ecom_app import VIEWS_BY_PLATFORM, csv_users, endless_set, messages, run_menu_action, with_chart
from microscope_app import ecom, ecom_template, error_messages, press, running, settle
from tui.analytics.export import NOTICE
from tui.app.confirm import ConfirmScreen
from tui.app.home_screen import HomeScreen
from tui.app.microscope.download_dialog import DownloadDialog
from tui.app.microscope.menu import MicroscopeMenu

__all__ = ["ecom", "ecom_template"]

OLD_CONTENT = "an older file the user keeps\n"


def read_csv(path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


async def start_endless_download(app, pilot, target) -> DownloadDialog:
    """Open Download users on an endless actor set and submit ``target``; the export then runs until cancelled."""
    dialog = DownloadDialog(app.project, endless_set(), app.settings)
    await app.push_screen(dialog)
    dialog.query_one("#download-path").value = str(target)
    await pilot.press("enter")
    await pilot.pause()
    return dialog


async def test_download_writes_point_users(ecom, tmp_path, monkeypatch):
    # A home folder without Downloads: the dialog suggests a file there.
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    async with running(with_chart(ecom, VIEWS_BY_PLATFORM)) as (app, pilot):
        users = csv_users("product_view", "2024-03-16", "2024-03-17", platform="desktop")
        dialog = await run_menu_action(app, pilot, "d", DownloadDialog)

        path_input = dialog.query_one("#download-path")
        assert path_input.value == f"~/loupe-users-{date.today().isoformat()}.csv"
        note = dialog.query_one("#form-note").content.plain
        assert note == f"{NOTICE}\n{len(users)} users will be written (export cap 1,000,000)."

        # The dialog closes when done, so the bar is kept to read afterwards.
        bar = dialog.query_one(ProgressBar)
        await press(app, pilot, "enter")
        assert isinstance(app.screen, MicroscopeMenu)
        written = tmp_path / f"loupe-users-{date.today().isoformat()}.csv"
        rows = read_csv(written)
        assert len(rows) == app.points.point().value == len(users) == 10
        assert list(rows[0])[:4] == ["user_id", "first_seen", "last_seen", "events_in_point"]
        assert {row["user_id"] for row in rows} == users
        assert f"Wrote 10 users to {written}." in messages(app)
        assert bar.total == bar.progress == 10
        assert error_messages(app) == []


async def test_download_asks_before_replacing(ecom, tmp_path):
    target = tmp_path / "users.csv"
    target.write_text(OLD_CONTENT, encoding="utf-8")
    async with running(with_chart(ecom, VIEWS_BY_PLATFORM)) as (app, pilot):
        dialog = await run_menu_action(app, pilot, "d", DownloadDialog)
        dialog.query_one("#download-path").value = str(target)

        await press(app, pilot, "enter")
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.question == f"{target} already exists. Replace it? (y/n)"
        await press(app, pilot, "n")
        assert app.screen is dialog
        assert target.read_text(encoding="utf-8") == OLD_CONTENT
        assert "left as it is" in dialog.query_one("#form-error").content.plain

        await press(app, pilot, "ctrl+s")
        assert isinstance(app.screen, ConfirmScreen)
        await press(app, pilot, "y")
        assert isinstance(app.screen, MicroscopeMenu)
        rows = read_csv(target)
        assert len(rows) == 10
        assert list(rows[0])[0] == "user_id"


async def test_download_cancel_keeps_old_file(ecom, tmp_path):
    target = tmp_path / "users.csv"
    target.write_text(OLD_CONTENT, encoding="utf-8")
    async with running(with_chart(ecom, VIEWS_BY_PLATFORM)) as (app, pilot):
        dialog = await start_endless_download(app, pilot, target)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert dialog.save_job.running
        assert dialog.query_one("#form-submit", Button).disabled

        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        assert dialog.cancelled.is_set()
        assert target.read_text(encoding="utf-8") == OLD_CONTENT
        assert sorted(path.name for path in tmp_path.iterdir() if path.name.startswith(".users.csv")) == []
        assert "Download cancelled: no file was written." in messages(app)
        assert error_messages(app) == []
        assert app.is_running


async def test_download_cancel_leaves_no_file(ecom, tmp_path):
    target = tmp_path / "new.csv"
    async with running(with_chart(ecom, VIEWS_BY_PLATFORM)) as (app, pilot):
        dialog = await start_endless_download(app, pilot, target)
        assert dialog.save_job.running

        await pilot.press("escape")
        await settle(app, pilot)
        assert not target.exists()
        assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".new.csv")] == []


async def test_download_cap_cuts_list(tmp_path):
    events = [{"event_type": "Buy", "event_time": "2024-03-03T10:00:00Z", "user_id": f"u{user}"} for user in range(5)]
    project = build_project(tmp_path, events)
    project.set_setting("export_user_cap", 3)
    project.close()
    chart = {"type": "segmentation", "events": [{"event": "Buy"}], "measure": "uniques",
             "interval": "day", "range": {"from": "2024-03-01", "to": "2024-03-03"}}
    target = tmp_path / "capped.csv"
    async with running(with_chart(tmp_path / "p.duckdb", chart)) as (app, pilot):
        dialog = await run_menu_action(app, pilot, "d", DownloadDialog)
        note = dialog.query_one("#form-note").content.plain
        assert note.endswith("The export cap of 3 users cuts the list: 2 of 5 users are left out.")

        dialog.query_one("#download-path").value = str(target)
        await press(app, pilot, "enter")
        assert [row["user_id"] for row in read_csv(target)] == ["u0", "u1", "u2"]
        warnings = messages(app, "warning")
        assert warnings == ["The list was cut at 3 of 5 users (export cap; raise it with loupe settings --export-cap)."]


async def test_download_missing_folder_shown_inline(ecom, tmp_path):
    async with running(with_chart(ecom, VIEWS_BY_PLATFORM)) as (app, pilot):
        dialog = await run_menu_action(app, pilot, "d", DownloadDialog)
        dialog.query_one("#download-path").value = str(tmp_path / "missing" / "users.csv")
        await press(app, pilot, "enter")

        assert app.screen is dialog
        error = dialog.query_one("#form-error").content.plain
        assert error == f"Folder {tmp_path / 'missing'} not found: create it or choose another file."
        assert not dialog.query_one("#form-submit", Button).disabled
        assert not dialog.query_one(ProgressBar).display
        assert app.is_running
