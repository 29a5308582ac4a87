"""Session keys: a project-wide session number on every event that is in a session.

- An event with a session id (other than ``-1``) belongs to the session
  (actor, session id). Its key is a hash of the two (see ``keys``), so it
  needs no lookup and no window: new events join their old session by
  computing the same key, and only events re-pointed to another actor get
  a new one.
- An event from a source that gives session ids but sent none, or sent
  ``-1``, is out of session: its key is NULL.
- Any other event is sessionised by inactivity: a new session starts when
  more than the project's ``session_gap_minutes`` passed since the actor's
  previous such event, by ``client_time`` then ``seq``. These sessions are
  numbered from 1 up.

Gap sessions are recomputed only for the actors that have new gap events or
moved devices, over their old and new gap events together, so late events,
a gap bridged by new events and devices re-pointed to a user are all
handled. A change of the gap recomputes them for every actor
(``tui.store.session_gap``) with the same two steps: ``split_gap_sessions``
and ``number_gap_sessions``.

A gap session keeps the key of its earliest old event, so keys of untouched
sessions never change. When several sessions would keep one key (an old
session split by a smaller gap, or by a device moving to another actor),
only the earliest of them keeps it and the others get new keys.
"""

from __future__ import annotations

import duckdb

from tui.store.importing.keys import SOURCE_SESSION, session_key_sql
from tui.store.statements import order_key_sql, run, scalar

# New events sessionised by the inactivity gap.
NEW_GAP_EVENTS = "session_id IS NULL AND NOT sessions_from_source"

# Stored events sessionised by the inactivity gap. An event without a session id from a
# source that gives them was stored with a NULL key, so it is left out.
STORED_GAP_EVENTS = "session_id IS NULL AND session_key IS NOT NULL"

# Orders one actor's events: by client_time, then seq.
EVENT_ORDER = order_key_sql("client_time")


def new_session_key_sql(row: str, gap_keys: str) -> str:
    """Return SQL for the ``session_key`` of the new event ``row`` given its ``gap_keys`` row (or NULLs)."""
    return (
        f"CASE WHEN {row}.session_id IS NOT NULL AND {row}.session_id <> '-1' "
        f"THEN {session_key_sql(f'{row}.actor_id', f'{row}.session_id')} ELSE {gap_keys}.session_key END"
    )


def assign_sessions(cur: duckdb.DuckDBPyConnection, gap_minutes: float) -> None:
    """Fill ``gap_keys(seq, is_new, old_key, session_key)`` and fix old events' session keys.

    New events in gap sessions get their key from ``gap_keys``; the others
    from ``new_session_key_sql``. Reads ``resolved_events`` and
    ``moved_devices`` from actor resolution.
    """
    _rekey_moved_sessions(cur)
    _collect_gap_actors(cur)
    split_gap_sessions(cur, f"""
        SELECT actor_id, client_time, seq, session_key AS old_key, false AS is_new FROM events
        WHERE actor_id IN (SELECT actor_id FROM gap_actors) AND {STORED_GAP_EVENTS}
        UNION ALL
        SELECT actor_id, client_time, seq, NULL, true FROM resolved_events
        WHERE {NEW_GAP_EVENTS}
    """, gap_minutes)
    number_gap_sessions(cur, next_gap_key(cur))
    update_stored_gap_keys(cur)


def _rekey_moved_sessions(cur: duckdb.DuckDBPyConnection) -> None:
    """Give re-pointed old events the key of their session under their new actor."""
    if not scalar(cur, "count moved devices", "SELECT count(*) FROM moved_devices"):
        return
    run(cur, "rekey moved sessions", f"""
        UPDATE events SET session_key = {session_key_sql("actor_id", "session_id")}
        WHERE user_id IS NULL AND {SOURCE_SESSION}
          AND device_id IN (SELECT device_id FROM moved_devices)
    """)


def _collect_gap_actors(cur: duckdb.DuckDBPyConnection) -> None:
    """Store the actors whose gap sessions may change: those with new gap events, and both owners of moved devices."""
    run(cur, "collect gap actors", f"""
        CREATE OR REPLACE TEMP TABLE gap_actors AS
        SELECT DISTINCT actor_id FROM (
            SELECT actor_id FROM resolved_events WHERE {NEW_GAP_EVENTS}
            UNION ALL SELECT owner FROM moved_devices
            UNION ALL SELECT old_owner FROM moved_devices
        )
    """)


def next_gap_key(cur: duckdb.DuckDBPyConnection) -> int:
    """Return the first gap session key that no stored event uses."""
    return scalar(cur, "next session key", "SELECT greatest(coalesce(max(session_key), 0), 0) + 1 FROM events")


def split_gap_sessions(
    cur: duckdb.DuckDBPyConnection, gap_events_sql: str, gap_minutes: float, parameters: dict | None = None
) -> None:
    """Split the events of ``gap_events_sql`` into sessions per actor, into the temporary ``session_groups``.

    ``gap_events_sql`` (with ``parameters``) selects ``actor_id, client_time,
    seq, old_key, is_new`` for every gap event of the actors it covers:
    ``old_key`` is a stored event's key and NULL for a new event. Each row of
    ``session_groups`` is one of those events with three columns of its
    session. ``first_seq`` is the session's lowest ``seq`` and names it.
    ``first_order`` is the order key of its first event. ``candidate`` is the
    key of its earliest old event, NULL when it has none. Only the columns
    the windows need are carried.
    """
    run(
        cur,
        "split gap sessions",
        f"""
        CREATE OR REPLACE TEMP TABLE session_groups AS
        WITH gap_events AS ({gap_events_sql}),
        marked AS (
            SELECT *, CASE
                WHEN client_time - lag(client_time) OVER by_time <= to_microseconds(CAST($gap * 60e6 AS BIGINT))
                THEN 0 ELSE 1 END AS starts_session
            FROM gap_events
            WINDOW by_time AS (PARTITION BY actor_id ORDER BY client_time, seq)
        ),
        numbered AS (
            SELECT *, {EVENT_ORDER} AS event_order, sum(starts_session) OVER (
                PARTITION BY actor_id ORDER BY client_time, seq ROWS UNBOUNDED PRECEDING) AS session_number
            FROM marked
        )
        SELECT seq, is_new, old_key,
               min(seq) OVER by_session AS first_seq,
               min(event_order) OVER by_session AS first_order,
               arg_min(old_key, event_order) FILTER (WHERE old_key IS NOT NULL) OVER by_session AS candidate
        FROM numbered
        WINDOW by_session AS (PARTITION BY actor_id, session_number)
        """,
        {**(parameters or {}), "gap": gap_minutes},
    )


def number_gap_sessions(cur: duckdb.DuckDBPyConnection, next_key: int, reserved_keys: str | None = None) -> None:
    """Key the sessions of ``session_groups`` into the temporary ``gap_keys(seq, is_new, old_key, session_key)``.

    A session keeps its candidate key when no earlier session (by first
    event) has the same candidate and the key is not in the temporary table
    ``reserved_keys(session_key)``. Every other session gets a new key from
    ``next_key`` up, in order of ``first_seq``.
    """
    reserved = f"ANTI JOIN {reserved_keys} AS reserved ON reserved.session_key = s.candidate" if reserved_keys else ""
    run(
        cur,
        "number gap sessions",
        f"""
        CREATE OR REPLACE TEMP TABLE gap_keys AS
        WITH claims AS (
            SELECT s.first_seq, s.candidate,
                   row_number() OVER (PARTITION BY s.candidate ORDER BY s.first_order) AS claim_rank
            FROM (SELECT DISTINCT first_seq, first_order, candidate FROM session_groups
                  WHERE candidate IS NOT NULL) AS s
            {reserved}
        ),
        kept AS (
            SELECT first_seq, candidate AS session_key FROM claims WHERE claim_rank = 1
        ),
        fresh AS (
            SELECT first_seq, $next_key - 1 + row_number() OVER (ORDER BY first_seq) AS session_key
            FROM (SELECT DISTINCT first_seq FROM session_groups) AS s
            ANTI JOIN kept USING (first_seq)
        )
        SELECT g.seq, g.is_new, g.old_key, k.session_key
        FROM session_groups AS g
        JOIN (SELECT * FROM kept UNION ALL SELECT * FROM fresh) AS k USING (first_seq)
        """,
        {"next_key": next_key},
    )


def update_stored_gap_keys(cur: duckdb.DuckDBPyConnection) -> None:
    """Write the ``gap_keys`` of stored events whose key changed to ``events``."""
    run(cur, "update gap session keys", """
        UPDATE events SET session_key = k.session_key
        FROM gap_keys AS k
        WHERE NOT k.is_new AND k.old_key <> k.session_key AND events.seq = k.seq
    """)
