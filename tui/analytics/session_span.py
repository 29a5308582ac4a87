"""The maximum session span of a project: the bound that lets a sessions query read one time range of events.

A session's events may lie outside a chart's range: one that starts just
before the range is not counted, and one that starts inside may end after it.
Every event of a session is within the span of that session (its last minus
its first ``event_time``) of any other of its events. So the events within
the maximum span around a range include every event of every session that
touches the range. A filtered session is a subset of its unfiltered one, so
its span is no longer.

Finding the maximum span groups every in-session event of the project (about
1 s for 10M events on 2 cores), so it is kept per project file and state of
its imports and its session gap. Imports change ``events``, and each one
adds a row to ``imports``. A change of the session gap changes
``session_key`` in the transaction that stores the new gap and counts the
change in the ``session_gap_changes`` setting.
"""

from __future__ import annotations

import threading

import duckdb

from tui.store.project import GAP_CHANGES_SETTING, GAP_SETTING

# Database file -> (state of its imports, span in microseconds); one entry per file.
_SPANS: dict[str, tuple[tuple, int]] = {}
_LOCK = threading.Lock()

SPAN_SQL = """
SELECT coalesce(max(span_us), 0) FROM (
    SELECT epoch_us(max(event_time)) - epoch_us(min(event_time)) AS span_us
    FROM events WHERE session_key IS NOT NULL GROUP BY session_key
)
"""


def max_session_span_us(cursor: duckdb.DuckDBPyConnection) -> int:
    """Return the maximum span of ``event_time`` within one session of the project, in microseconds."""
    path = cursor.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()[0]
    state = imports_state(cursor)
    with _LOCK:
        cached = _SPANS.get(path)
    if path is not None and cached is not None and cached[0] == state:
        return cached[1]

    span = int(cursor.execute(SPAN_SQL).fetchone()[0])
    if path is not None:
        with _LOCK:
            _SPANS[path] = (state, span)
    return span


def imports_state(cursor: duckdb.DuckDBPyConnection) -> tuple:
    """Return the count, last id and last finish time of the project's imports, its session gap and gap changes.

    The tuple changes with every import and every change of the gap, the
    only writes that change sessions. The count of gap changes grows on a
    change to the gap already stored too, which can still re-key sessions.
    """
    return cursor.execute(
        """
        SELECT count(*), max(import_id), max(finished_at),
               (SELECT any_value(value) FROM settings WHERE key = $gap),
               (SELECT any_value(value) FROM settings WHERE key = $gap_changes)
        FROM imports
        """,
        {"gap": GAP_SETTING, "gap_changes": GAP_CHANGES_SETTING},
    ).fetchone()
