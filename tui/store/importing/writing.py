"""The write phase of an import: deduplicate, resolve actors, key sessions, append, refresh, record.

Runs inside the import's one transaction on the import's cursor; the
temporary ``staged`` table holds the checked rows.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timezone

import duckdb

from tui.store.identity import resolve_actors
from tui.store.importing.refresh import refresh_groups, refresh_users
from tui.store.importing.sessions import assign_sessions
from tui.store.importing.summary import ImportSummary

EVENT_COLUMNS = (
    "event_type, event_time, client_time, seq, actor_id, user_id, device_id, session_id, session_key, "
    "insert_id, dedupe_key, event_properties, user_properties, groups, platform, os, country, city, "
    "app_version, import_id"
)


def write_events(
    cur: duckdb.DuckDBPyConnection,
    summary: ImportSummary,
    gap_minutes: float,
    started_at: datetime,
    step_done: Callable[[], None],
) -> None:
    """Append the staged rows to the project and fill the rest of ``summary``.

    ``step_done`` is called after each step, so a caller can show progress
    (and a KeyboardInterrupt raised there cancels the import).
    """
    summary.import_id = cur.execute("SELECT coalesce(max(import_id), 0) + 1 FROM imports").fetchone()[0]
    _select_new_events(cur)
    staged = cur.execute("SELECT count(*) FROM staged").fetchone()[0]
    summary.imported = cur.execute("SELECT count(*) FROM new_events").fetchone()[0]
    summary.duplicates = staged - summary.imported
    step_done()

    resolve_actors(cur)
    step_done()
    assign_sessions(cur, gap_minutes)
    step_done()
    _append(cur, summary.import_id)
    step_done()
    refresh_users(cur)
    refresh_groups(cur)
    step_done()

    _count_imported(cur, summary)
    _record_import(cur, summary, started_at)


def _select_new_events(cur: duckdb.DuckDBPyConnection) -> None:
    """Keep the first copy of each dedupe key that the project does not have yet, numbered in file order.

    ``seq`` continues the project's maximum, so equal times keep file order
    within and across imports.
    """
    cur.execute("""
        CREATE OR REPLACE TEMP TABLE new_events AS
        WITH first_copies AS (
            SELECT * FROM staged
            QUALIFY row_number() OVER (PARTITION BY dedupe_key ORDER BY file_order) = 1
        ),
        unseen AS (
            SELECT * FROM first_copies AS f
            WHERE NOT EXISTS (SELECT 1 FROM events AS e WHERE e.dedupe_key = f.dedupe_key)
        )
        SELECT (SELECT coalesce(max(seq), 0) FROM events) + row_number() OVER (ORDER BY file_order) AS seq,
               CAST(NULL AS BIGINT) AS actor_id, * EXCLUDE (file_order)
        FROM unseen
    """)


def _append(cur: duckdb.DuckDBPyConnection, import_id: int) -> None:
    """Insert the new events sorted by (event_type, event_time), so each import's row groups stay narrow."""
    cur.execute(
        f"""
        INSERT INTO events ({EVENT_COLUMNS})
        SELECT n.event_type, n.event_time, n.client_time, n.seq, n.actor_id, n.user_id, n.device_id,
               n.session_id, k.session_key, n.insert_id, n.dedupe_key, n.event_properties,
               n.user_properties, n.groups, n.platform, n.os, n.country, n.city, n.app_version, $import_id
        FROM new_events AS n LEFT JOIN session_keys AS k ON k.is_new AND k.seq = n.seq
        ORDER BY n.event_type, n.event_time, n.seq
        """,
        {"import_id": import_id},
    )


def _count_imported(cur: duckdb.DuckDBPyConnection, summary: ImportSummary) -> None:
    users, first_time, last_time = cur.execute(
        "SELECT count(DISTINCT actor_id), min(event_time), max(event_time) FROM new_events"
    ).fetchone()
    summary.users = users
    summary.first_time = first_time
    summary.last_time = last_time


def _record_import(cur: duckdb.DuckDBPyConnection, summary: ImportSummary, started_at: datetime) -> None:
    cur.execute(
        "INSERT INTO imports (import_id, started_at, finished_at, files, format, summary) VALUES (?, ?, ?, ?, ?, ?)",
        [
            summary.import_id,
            started_at,
            datetime.now(timezone.utc),
            json.dumps(summary.files),
            summary.format,
            json.dumps(summary.to_json()),
        ],
    )
