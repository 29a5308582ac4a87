"""Saved charts: chart definitions kept by name in the project's ``saved_charts`` table.

A definition is stored as the JSON object the caller passes (the app passes
``ChartDefinition.to_json()``) and comes back as an equal dict, so the store
needs to know nothing about chart types.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime

from tui.store.saved_objects import checkpoint

log = logging.getLogger(__name__)

# Long enough for a descriptive title, short enough to fit a list row.
MAX_NAME_LENGTH = 200


class SavedChartError(ValueError):
    """A saved chart cannot be saved or found; the message names the chart and the fix."""


@dataclass(frozen=True)
class SavedChart:
    """One row of ``saved_charts``: the name, the definition and who saved it when."""

    name: str
    definition: dict
    created_by: str | None
    created_at: datetime
    updated_at: datetime


def check_name(name: str) -> str:
    """Return ``name`` without surrounding white space, or raise SavedChartError if it is unusable."""
    cleaned = name.strip()
    if not cleaned:
        raise SavedChartError("Chart name is empty: type a name to save the chart under.")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise SavedChartError(
            f"Chart name is {len(cleaned)} characters long: use at most {MAX_NAME_LENGTH}."
        )
    return cleaned


def save_chart(con, name: str, definition: dict, created_by: str | None = None) -> SavedChart:
    """Save ``definition`` under ``name``, replacing a chart of that name, and return the row.

    A replaced chart keeps its creator and creation time; ``updated_at`` moves on.
    """
    name = check_name(name)
    text = json.dumps(definition, ensure_ascii=False)
    # One statement, so DuckDB commits it as one transaction: no half-saved chart.
    con.execute(
        """
        INSERT INTO saved_charts (name, definition, created_by, created_at, updated_at)
        VALUES (?, ?, ?, now(), now())
        ON CONFLICT (name) DO UPDATE SET definition = excluded.definition, updated_at = now()
        """,
        [name, text, created_by],
    )
    checkpoint(con)
    log.info("saved chart %r", name)
    return load_chart(con, name)


def load_chart(con, name: str) -> SavedChart:
    """Return the saved chart called ``name``, or raise SavedChartError if there is none."""
    row = con.execute(f"{_SELECT} WHERE name = ?", [name]).fetchone()
    if row is None:
        raise SavedChartError(f"No saved chart is called {name!r}: pick one from the list of saved charts.")
    return _to_saved_chart(row)


def list_charts(con) -> list[SavedChart]:
    """Return every saved chart, the most recently saved first."""
    rows = con.execute(f"{_SELECT} ORDER BY updated_at DESC, name").fetchall()
    return [_to_saved_chart(row) for row in rows]


def latest_chart(con) -> SavedChart | None:
    """Return the most recently saved chart, or None when nothing is saved."""
    row = con.execute(f"{_SELECT} ORDER BY updated_at DESC, name LIMIT 1").fetchone()
    return _to_saved_chart(row) if row else None


def delete_chart(con, name: str) -> None:
    """Delete the saved chart called ``name``; raise SavedChartError if there is none."""
    load_chart(con, name)
    con.execute("DELETE FROM saved_charts WHERE name = ?", [name])
    checkpoint(con)
    log.info("deleted saved chart %r", name)


_SELECT = "SELECT name, definition, created_by, created_at, updated_at FROM saved_charts"


def _to_saved_chart(row: tuple) -> SavedChart:
    name, text, created_by, created_at, updated_at = row
    return SavedChart(
        name=name,
        definition=json.loads(text),
        created_by=created_by,
        created_at=created_at,
        updated_at=updated_at,
    )
