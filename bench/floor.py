"""The floors: bare DuckDB doing the least work the same task needs, with nothing of Loupe around it."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb

from tui.store.importing.formats.amplitude import FIELDS as AMPLITUDE_FIELDS

# The Amplitude keys Loupe keeps, typed as a DuckDB user would type them, so the floor parses
# the times and objects Loupe parses and skips the other keys, as Loupe does.
AMPLITUDE_TYPES = {key: "JSON" if kind == "json" else "VARCHAR" for _, keys, kind in AMPLITUDE_FIELDS for key in keys}
AMPLITUDE_TYPES.update({"event_time": "TIMESTAMP", "client_event_time": "TIMESTAMP"})
AMPLITUDE_COLUMNS = "{" + ", ".join(f"'{key}': '{type_name}'" for key, type_name in AMPLITUDE_TYPES.items()) + "}"

READERS = {
    "parquet": "read_parquet(?)",
    "amplitude": f"read_json(?, columns = {AMPLITUDE_COLUMNS}, format = 'newline_delimited')",
    # The generic reader keeps every key (the others become event properties), so its floor reads them all.
    "jsonl": "read_json(?, format = 'newline_delimited')",
}

DAILY_UNIQUES = """
SELECT date_trunc('day', event_time)::DATE AS day, count(DISTINCT actor_id) AS users
FROM events
WHERE event_type = ? AND event_time >= ?::TIMESTAMPTZ AND event_time < ?::TIMESTAMPTZ
GROUP BY day
ORDER BY day
"""


def load_file(database: Path, path: Path, file_format: str) -> int:
    """Copy a generated file into a new table of a new DuckDB file and return the row count.

    Parquet and generic JSON lines keep every column; Amplitude JSON lines keep the keys Loupe reads.
    """
    con = duckdb.connect(str(database))
    try:
        con.execute("SET enable_progress_bar = false")
        con.execute(f"CREATE TABLE events AS SELECT * FROM {READERS[file_format]}", [str(path)])
        return con.execute("SELECT count(*) FROM events").fetchone()[0]
    finally:
        con.close()


def utc_cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Return a new cursor on ``con`` that cuts days in UTC."""
    cursor = con.cursor()
    cursor.execute("SET TimeZone = 'UTC'")
    return cursor


def daily_uniques(con: duckdb.DuckDBPyConnection, event_type: str, first_day: date, last_day: date) -> dict[date, int]:
    """Count distinct actors per UTC day in a Loupe project's ``events`` who did ``event_type``.

    ``con`` must use the UTC time zone (see ``utc_cursor``).
    """
    start = f"{first_day.isoformat()} 00:00:00+00"
    end = f"{(last_day + timedelta(days=1)).isoformat()} 00:00:00+00"
    rows = con.execute(DAILY_UNIQUES, [event_type, start, end]).fetchall()
    return {day: users for day, users in rows}
