"""Session keys: a project-wide session number on every event that is in a session.

- An event with a session id (other than ``-1``) belongs to the session
  (actor, session id).
- An event from a source that gives session ids but sent none, or sent
  ``-1``, is out of session: its key is NULL.
- Any other event is sessionised by inactivity: a new session starts when
  more than the project's ``session_gap_minutes`` passed since the actor's
  previous such event, by ``client_time`` then ``seq``.

Only the touched actors are recomputed, over their old and new events
together, so late events, a gap bridged by new events and devices re-pointed
to a user are all handled. A session keeps the key its earliest old event
had, so keys of untouched sessions never change; only merged sessions update
old rows.
"""

from __future__ import annotations

import duckdb

# Old events of touched actors and the new events that belong to sessions keyed by session id.
SOURCE_SESSION_EVENTS = """
    SELECT actor_id, session_id, client_time, seq, session_key AS old_key, false AS is_new FROM events
    WHERE actor_id IN (SELECT actor_id FROM touched_actors)
      AND session_id IS NOT NULL AND session_id <> '-1' AND session_key IS NOT NULL
    UNION ALL
    SELECT actor_id, session_id, client_time, seq, NULL, true FROM new_events
    WHERE session_id IS NOT NULL AND session_id <> '-1'
"""

# Old and new events that are sessionised by the inactivity gap.
GAP_SESSION_EVENTS = """
    SELECT actor_id, client_time, seq, session_key AS old_key, false AS is_new FROM events
    WHERE actor_id IN (SELECT actor_id FROM touched_actors)
      AND session_id IS NULL AND session_key IS NOT NULL
    UNION ALL
    SELECT actor_id, client_time, seq, NULL, true FROM new_events
    WHERE session_id IS NULL AND NOT sessions_from_source
"""


def assign_sessions(cur: duckdb.DuckDBPyConnection, gap_minutes: float) -> None:
    """Fill ``session_keys(seq, is_new, old_key, session_key)`` and fix the keys of merged sessions in ``events``.

    New events missing from ``session_keys`` are out of session.
    """
    next_key = cur.execute("SELECT coalesce(max(session_key), 0) + 1 FROM events").fetchone()[0]
    next_key = _key_source_sessions(cur, next_key)
    _key_gap_sessions(cur, next_key, gap_minutes)
    _update_old_events(cur)


def _key_source_sessions(cur: duckdb.DuckDBPyConnection, next_key: int) -> int:
    cur.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE session_groups AS
        WITH combined AS ({SOURCE_SESSION_EVENTS})
        SELECT actor_id, session_id, seq, is_new, old_key,
               arg_min(old_key, (client_time, seq)) FILTER (WHERE old_key IS NOT NULL)
                   OVER (PARTITION BY actor_id, session_id) AS kept_key,
               min(seq) OVER (PARTITION BY actor_id, session_id) AS first_seq
        FROM combined
        """
    )
    return _number_sessions(cur, next_key, replace=True)


def _key_gap_sessions(cur: duckdb.DuckDBPyConnection, next_key: int, gap_minutes: float) -> None:
    cur.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE session_groups AS
        WITH combined AS ({GAP_SESSION_EVENTS}),
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
    _number_sessions(cur, next_key, replace=False)


def _number_sessions(cur: duckdb.DuckDBPyConnection, next_key: int, replace: bool) -> int:
    """Append ``(seq, is_new, old_key, session_key)`` rows for ``session_groups`` to ``session_keys``.

    A session without an old key gets the next free key, in order of its
    first event. Returns the next free key after them.
    """
    create = "CREATE OR REPLACE TEMP TABLE session_keys AS" if replace else "INSERT INTO session_keys"
    cur.execute(
        f"""
        {create}
        WITH fresh AS (
            SELECT first_seq, $next_key - 1 + row_number() OVER (ORDER BY first_seq) AS fresh_key
            FROM (SELECT DISTINCT first_seq FROM session_groups WHERE kept_key IS NULL)
        )
        SELECT g.seq, g.is_new, g.old_key, coalesce(g.kept_key, f.fresh_key) AS session_key
        FROM session_groups AS g LEFT JOIN fresh AS f USING (first_seq)
        """,
        {"next_key": next_key},
    )
    fresh = cur.execute("SELECT count(DISTINCT first_seq) FROM session_groups WHERE kept_key IS NULL").fetchone()[0]
    return next_key + fresh


def _update_old_events(cur: duckdb.DuckDBPyConnection) -> None:
    cur.execute("""
        UPDATE events SET session_key = k.session_key
        FROM session_keys AS k
        WHERE NOT k.is_new AND k.old_key <> k.session_key AND events.seq = k.seq
    """)
