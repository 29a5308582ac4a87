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
handled. A gap session keeps the key its earliest old event had, so keys of
untouched sessions never change; only merged sessions update old rows.
"""

from __future__ import annotations

import duckdb

from tui.store.importing.keys import SOURCE_SESSION, session_key_sql
from tui.store.statements import run, scalar

# New events sessionised by the inactivity gap.
NEW_GAP_EVENTS = "session_id IS NULL AND NOT sessions_from_source"


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
    next_key = scalar(cur, "next session key",
                      "SELECT greatest(coalesce(max(session_key), 0), 0) + 1 FROM events")
    _key_gap_sessions(cur, next_key, gap_minutes)
    _update_old_events(cur)


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


def _key_gap_sessions(cur: duckdb.DuckDBPyConnection, next_key: int, gap_minutes: float) -> None:
    """Number the gap sessions of the gap actors into ``gap_keys``, carrying only the columns the windows need."""
    run(
        cur,
        "split gap sessions",
        f"""
        CREATE OR REPLACE TEMP TABLE session_groups AS
        WITH combined AS (
            SELECT actor_id, client_time, seq, session_key AS old_key, false AS is_new FROM events
            WHERE actor_id IN (SELECT actor_id FROM gap_actors)
              AND session_id IS NULL AND session_key IS NOT NULL
            UNION ALL
            SELECT actor_id, client_time, seq, NULL, true FROM resolved_events
            WHERE {NEW_GAP_EVENTS}
        ),
        marked AS (
            SELECT *, CASE
                WHEN client_time - lag(client_time) OVER by_time <= to_microseconds(CAST($gap * 60e6 AS BIGINT))
                THEN 0 ELSE 1 END AS starts_session
            FROM combined
            WINDOW by_time AS (PARTITION BY actor_id ORDER BY client_time, seq)
        ),
        numbered AS (
            SELECT *, sum(starts_session) OVER (
                PARTITION BY actor_id ORDER BY client_time, seq ROWS UNBOUNDED PRECEDING) AS session_number
            FROM marked
        )
        SELECT actor_id, session_number, seq, is_new, old_key,
               arg_min(old_key, (client_time, seq)) FILTER (WHERE old_key IS NOT NULL)
                   OVER (PARTITION BY actor_id, session_number) AS kept_key,
               min(seq) OVER (PARTITION BY actor_id, session_number) AS first_seq
        FROM numbered
        """,
        {"gap": gap_minutes},
    )
    # A session without an old key gets the next free key, in order of its first event.
    run(
        cur,
        "number gap sessions",
        """
        CREATE OR REPLACE TEMP TABLE gap_keys AS
        WITH fresh AS (
            SELECT first_seq, $next_key - 1 + row_number() OVER (ORDER BY first_seq) AS fresh_key
            FROM (SELECT DISTINCT first_seq FROM session_groups WHERE kept_key IS NULL)
        )
        SELECT g.seq, g.is_new, g.old_key, coalesce(g.kept_key, f.fresh_key) AS session_key
        FROM session_groups AS g LEFT JOIN fresh AS f USING (first_seq)
        """,
        {"next_key": next_key},
    )


def _update_old_events(cur: duckdb.DuckDBPyConnection) -> None:
    run(cur, "update merged sessions", """
        UPDATE events SET session_key = k.session_key
        FROM gap_keys AS k
        WHERE NOT k.is_new AND k.old_key <> k.session_key AND events.seq = k.seq
    """)
