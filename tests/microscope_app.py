"""Helpers for the microscope's app tests: the e-commerce project with a monthly chart, and the expected users.

The project is imported once per test module and copied for each test, so
every test opens its own file. Expected values come from the CSV itself,
read by DuckDB here, not from the analytics under test.
"""

from __future__ import annotations

import shutil
from contextlib import asynccontextmanager
from pathlib import Path

import duckdb
import pytest

from tui.app.loupe_app import LoupeApp
from tui.app.microscope.row_view import Row, RowView
from tui.store.importing import import_files
from tui.store.project import create_project
from tui.store.saved_charts import save_chart

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
ECOM_CSV = SHARED_DATA / "retentioneering-ecom" / "ecom.csv.gz"
ECOM_MAPPING = {"event_type": "event", "event_time": "timestamp"}

# Users who opened the catalog, per month of the first half of 2024 (UTC): 437 in May, 394 in June.
CATALOG_BY_MONTH = {
    "type": "segmentation",
    "events": [{"event": "catalog"}],
    "measure": "uniques",
    "interval": "month",
    "range": {"from": "2024-01-01", "to": "2024-06-30"},
}
MAY = ("2024-05-01", "2024-06-01")
JUNE = ("2024-06-01", "2024-07-01")


@pytest.fixture(scope="module")
def ecom_template(tmp_path_factory) -> Path:
    """Import the e-commerce events once and save the monthly catalog chart in the project."""
    if not ECOM_CSV.is_file():
        pytest.fail(f"public data file {ECOM_CSV} not found: tests expect ../shared/data beside the repository")
    path = tmp_path_factory.mktemp("ecom") / "ecom.duckdb"
    project = create_project(path)
    import_files(project, [ECOM_CSV], format="csv", mapping=ECOM_MAPPING)
    save_chart(project.con, "Catalog by month", CATALOG_BY_MONTH)
    project.close()
    return path


@pytest.fixture
def ecom(tmp_path, ecom_template) -> Path:
    """Return this test's own copy of the e-commerce project."""
    path = tmp_path / "ecom.duckdb"
    shutil.copyfile(ecom_template, path)
    return path


def catalog_users(month: tuple[str, str]) -> dict[str, int]:
    """Return each user who opened the catalog in ``month`` with their number of catalog events, from the CSV."""
    rows = duckdb.connect().execute(
        "SELECT user_id, count(*) FROM read_csv(?) WHERE event = 'catalog' "
        "AND timestamp >= CAST(? AS TIMESTAMP) AND timestamp < CAST(? AS TIMESTAMP) GROUP BY user_id",
        [str(ECOM_CSV), month[0], month[1]],
    ).fetchall()
    return dict(rows)


def first_seen(user_id: str) -> str:
    """Return the time of the user's first event in the CSV, as ``YYYY-MM-DD HH:MM:SS``."""
    rows = duckdb.connect().execute(
        "SELECT strftime(min(timestamp), '%Y-%m-%d %H:%M:%S') FROM read_csv(?) WHERE user_id = ?",
        [str(ECOM_CSV), user_id],
    ).fetchall()
    return rows[0][0]


async def settle(app: LoupeApp, pilot) -> None:
    """Wait until no worker runs, including those started by the results of others, and the screen is drawn."""
    for _ in range(50):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if all(worker.is_finished for worker in app.workers):
            return


@asynccontextmanager
async def running(path: Path, size=(120, 36)):
    """Run the app on the project at ``path`` and yield it with its pilot once the first chart is drawn."""
    app = LoupeApp(path)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        yield app, pilot


async def press(app: LoupeApp, pilot, *keys: str) -> None:
    """Press ``keys`` and wait for the queries they start."""
    await pilot.press(*keys)
    await settle(app, pilot)


async def open_menu_on_may(app: LoupeApp, pilot) -> None:
    """Move the chart cursor from June to May and open the microscope menu there."""
    await press(app, pilot, "h", "enter")


async def open_on_may(app: LoupeApp, pilot, key: str):
    """Open the microscope on May's point, run the menu entry ``key``, and return the screen it opens."""
    await open_menu_on_may(app, pilot)
    await press(app, pilot, key)
    return app.screen


def readout(app: LoupeApp) -> str:
    return app.home.query_one("#readout").content.plain


async def scroll_through(app: LoupeApp, pilot, view: RowView) -> None:
    """Move the cursor down ``view`` a page at a time to its end, so every page gets loaded."""
    await press(app, pilot, "g")
    while view.cursor_row < view.row_count - 1:
        await press(app, pilot, "pagedown")


def table_rows(view: RowView) -> list[Row]:
    """Return every row of ``view``, failing if one is not loaded."""
    rows = [view.row(index) for index in range(view.row_count)]
    assert all(row is not None for row in rows), "some rows were never loaded"
    return rows


def facts_of(profile) -> dict[str, str]:
    """Return a ProfileScreen's facts table as label -> text."""
    labels = [str(label) for label in profile.facts.columns[0].cells]
    return dict(zip(labels, (value.plain for value in profile.facts.columns[1].cells)))


def shown_line(view: RowView, index: int) -> str:
    """Scroll row ``index`` of ``view`` into view and return the text the view draws for it."""
    view.move_cursor(index, to_top=True)
    # Line 0 is the column header.
    strip = view.render_line(index - round(view.scroll_offset.y) + 1)
    return "".join(segment.text for segment in strip)


def error_messages(app: LoupeApp) -> list[str]:
    return [note.message for note in app._notifications if note.severity == "error"]
