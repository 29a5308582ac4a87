"""Helpers for the app tests of paths, cohorts, downloads, markers and chart changes.

They build on ``microscope_app`` (the e-commerce project copied per test,
the running app). Expected values are counted from the CSV by DuckDB here,
not by the analytics under test.
"""

from __future__ import annotations

import functools
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from microscope_app import ECOM_CSV, press
from tui.analytics.microscope.actor_set import ActorSet
from tui.app.chart_view import ChartView
from tui.app.loupe_app import LoupeApp
from tui.app.microscope.menu import MicroscopeMenu
from tui.app.plotting import CURSOR_MARKER
from tui.store.project import open_project
from tui.store.saved_charts import save_chart

# Daily product views and purchases over a week of March 2024, split by platform.
VIEWS_BY_PLATFORM = {
    "type": "segmentation",
    "events": [{"event": "product_view"}, {"event": "purchase"}],
    "measure": "uniques",
    "interval": "day",
    "range": {"from": "2024-03-10", "to": "2024-03-16"},
    "group_by": "platform",
}
VIEWS_DAYS = [f"2024-03-{day}" for day in range(10, 17)]


async def run_menu_action(app: LoupeApp, pilot, key: str, screen_type: type):
    """Open the microscope on the point under the cursor, press ``key``, and return the screen it leads to.

    Fails unless that screen is a ``screen_type``.
    """
    await press(app, pilot, "enter")
    assert isinstance(app.screen, MicroscopeMenu)
    await press(app, pilot, key)
    assert isinstance(app.screen, screen_type)
    return app.screen


def with_chart(path: Path, chart: dict, name: str = "Views by platform") -> Path:
    """Save ``chart`` in the project at ``path`` as the most recent chart, which the app opens; return ``path``."""
    with open_project(path) as project:
        save_chart(project.con, name, chart)
    return path


@functools.cache
def csv_events() -> duckdb.DuckDBPyConnection:
    """Return an in-memory database with the CSV's rows in table ``ecom``, read once for all tests."""
    connection = duckdb.connect()
    connection.execute("CREATE TABLE ecom AS SELECT * FROM read_csv(?)", [str(ECOM_CSV)])
    return connection


def csv_users(event: str, start: str, end: str, **columns: str) -> set[str]:
    """Return the users with ``event`` from ``start`` to ``end`` (UTC, end excluded) whose CSV ``columns`` match."""
    conditions = "".join(f" AND {column} = ?" for column in columns)
    rows = csv_events().execute(
        "SELECT DISTINCT user_id FROM ecom WHERE event = ? "
        f"AND timestamp >= CAST(? AS TIMESTAMP) AND timestamp < CAST(? AS TIMESTAMP){conditions}",
        [event, start, end, *columns.values()],
    ).fetchall()
    return {user for (user,) in rows}


def endless_set(event: str = "catalog") -> ActorSet:
    """Return an actor set whose queries run until interrupted: every ``event`` event repeated a trillion times."""
    events = (
        "SELECT events.* EXCLUDE (dedupe_key) FROM events, range(1000000000000) AS copies(copy) "
        f"WHERE events.event_type = '{event}'"
    )
    actors = (
        "SELECT actor_id, count(*) AS events_in_point, min(event_time) AS first_in_point, "
        f"max(event_time) AS last_in_point FROM ({events}) GROUP BY actor_id"
    )
    start, end = datetime(2024, 3, 1, tzinfo=timezone.utc), datetime(2024, 3, 2, tzinfo=timezone.utc)
    return ActorSet(f"every {event} event, endlessly repeated", (events, []), (actors, []), start, end)


def line_values(app: LoupeApp) -> dict[tuple[int, str | None], tuple[float, ...]]:
    """Return the values of every line of the app's chart, by (series, segment)."""
    return {(line.series, line.segment): line.values for line in app.points.lines}


def chart_lines(app: LoupeApp) -> list[str]:
    """Return the chart canvas as plain text lines."""
    return app.home.query_one(ChartView).render().plain.split("\n")


def columns_of(app: LoupeApp, symbol: str) -> list[int]:
    """Return the canvas columns where ``symbol`` appears, on any row of the chart."""
    return sorted({column for line in chart_lines(app) for column, text in enumerate(line) if text == symbol})


async def cursor_column(app: LoupeApp, pilot, bucket: int) -> int:
    """Move the chart cursor to ``bucket`` and return the canvas column of its marker."""
    await press(app, pilot, "g", *["l"] * bucket)
    (column,) = columns_of(app, CURSOR_MARKER)
    return column


def messages(app: LoupeApp, severity: str | None = None) -> list[str]:
    return [note.message for note in app._notifications if severity is None or note.severity == severity]
