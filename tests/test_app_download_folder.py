"""The folder the Download users dialog suggests: the user's Downloads folder, else the home folder, never the working folder.

Each test points ``HOME`` and ``XDG_CONFIG_HOME`` at its own folders, so
platformdirs finds no ``user-dirs.dirs`` of the machine's user and looks
for ``~/Downloads``.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from builders import build_project
from ecom_app import run_menu_action
from microscope_app import error_messages, press, running
from tui.app.microscope.download_dialog import DownloadDialog, default_file_name, resolve_path
from tui.app.microscope.menu import MicroscopeMenu
from tui.store.saved_charts import save_chart

DAY = date(2024, 3, 5)
OPENS = {
    "type": "segmentation",
    "events": [{"event": "Open"}],
    "measure": "uniques",
    "interval": "day",
    "range": {"from": "2024-03-01", "to": "2024-03-02"},
}
EVENTS = [
    {"event_type": "Open", "event_time": "2024-03-02T10:00:00Z", "user_id": "ann"},
    {"event_type": "Open", "event_time": "2024-03-02T11:00:00Z", "user_id": "bo"},
]


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """Return a fresh home folder, set as ``HOME``, with the working folder elsewhere."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    working = tmp_path / "checkout"
    working.mkdir()
    monkeypatch.chdir(working)
    return home


def test_default_in_downloads(home):
    (home / "Downloads").mkdir()

    assert default_file_name(DAY) == "~/Downloads/loupe-users-2024-03-05.csv"
    assert default_file_name(DAY, noun="groups") == "~/Downloads/loupe-groups-2024-03-05.csv"
    assert resolve_path(default_file_name(DAY)) == home / "Downloads" / "loupe-users-2024-03-05.csv"


def test_default_in_home_without_downloads(home):
    assert default_file_name(DAY) == "~/loupe-users-2024-03-05.csv"
    assert resolve_path(default_file_name(DAY)) == home / "loupe-users-2024-03-05.csv"


def test_default_downloads_outside_home(home, tmp_path):
    # The XDG user-dirs file may name a Downloads folder anywhere, and one outside the home folder is written in full.
    elsewhere = tmp_path / "shared-downloads"
    elsewhere.mkdir()
    config = tmp_path / "config"
    config.mkdir(mode=0o700)
    (config / "user-dirs.dirs").write_text(f'XDG_DOWNLOAD_DIR="{elsewhere}"\n', encoding="utf-8")

    assert default_file_name(DAY) == str(elsewhere / "loupe-users-2024-03-05.csv")


async def test_dialog_writes_to_downloads(home, tmp_path):
    downloads = home / "Downloads"
    downloads.mkdir()
    project = build_project(tmp_path, EVENTS)
    save_chart(project.con, "Opens", OPENS)
    project.close()
    name = f"loupe-users-{date.today().isoformat()}.csv"

    async with running(tmp_path / "p.duckdb") as (app, pilot):
        dialog = await run_menu_action(app, pilot, "d", DownloadDialog)
        assert dialog.query_one("#download-path").value == f"~/Downloads/{name}"

        await press(app, pilot, "enter")
        assert isinstance(app.screen, MicroscopeMenu)
        with open(downloads / name, newline="", encoding="utf-8") as handle:
            assert sorted(row["user_id"] for row in csv.DictReader(handle)) == ["ann", "bo"]
        assert list(Path.cwd().iterdir()) == []
        assert error_messages(app) == []
