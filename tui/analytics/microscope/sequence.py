"""The order of one actor's events, and the session blocks that streams and profiles show.

An actor's events are ordered by ``client_time`` (the device's capture time),
then ``seq`` (import order), the same on every run. The importer sets
``session_key`` from ``session_id``, else by the inactivity gap, and leaves
it NULL for an event out of session (``session_id`` ``-1``, or no session
id from a source that sends them).

A session block is a run of an actor's events shown as one session. Blocks
split where paths split (``tui.analytics.microscope.paths``):
- The actor's first event starts a block.
- An event in a session starts a block when the block it would join has an
  event of another session.
- An event starts a block when more than the project's session gap
  (``session_gap_minutes``) passed since the previous event and either of
  the two is out of session.
So an out-of-session event stays in the block of the events around it
unless the gap passes, and a block has the events of at most one session.
The block's session is that one, or none for a block of out-of-session
events only.
"""

from __future__ import annotations

import duckdb

from tui.store.project import stored_setting
from tui.store.session_gap import GAP_SETTING

# The window of one actor's events in capture order.
ACTOR_ORDER = "PARTITION BY actor_id ORDER BY client_time, seq"

# The columns ``session_blocks_sql`` adds to each event.
BLOCK_COLUMNS = ("session_break", "block_session_key", "block_session_id")


def session_gap_us(cursor: duckdb.DuckDBPyConnection) -> int:
    """Return the project's session gap in microseconds, which splits blocks next to out-of-session events."""
    # Read from the project, because the app passes only the chart settings, and the stored gap is the
    # one that cut the project's gap sessions.
    return round(stored_setting(cursor, GAP_SETTING) * 60_000_000)


def session_blocks_sql(events: str) -> str:
    """Return SQL selecting the rows of ``events`` with ``BLOCK_COLUMNS`` added, for the blocks of each actor.

    ``events`` is a query with ``actor_id``, ``client_time``, ``seq``,
    ``session_key`` and ``session_id`` columns that holds each actor's
    events from the first on, because the first row of an actor starts a
    block. The SQL binds one parameter after those of ``events``: the
    session gap in microseconds (``session_gap_us``).

    Added columns:
    - ``session_break``: true for the first event of a block;
    - ``block_session_key``: the key of the block's session, NULL for a
      block out of session;
    - ``block_session_id``: the session id of the block's session, NULL for
      a block out of session and for a session cut by the gap.
    """
    # A gap next to an out-of-session event splits whatever the keys are, so the gap blocks come first.
    # Within one, an event in a session starts a block when its key differs from the last key before it.
    # The gap is compared in a step after ``events``, so that its parameter follows theirs in the text.
    return f"""
        WITH lagged AS (
            SELECT *, row_number() OVER ({ACTOR_ORDER}) = 1 AS is_first,
                   lag(session_key) OVER ({ACTOR_ORDER}) IS NULL AS after_out_of_session,
                   epoch_us(client_time) - epoch_us(lag(client_time) OVER ({ACTOR_ORDER})) AS since_previous_us
            FROM ({events})
        ),
        gap_starts AS (
            SELECT * EXCLUDE (is_first, after_out_of_session, since_previous_us), is_first
                OR ((session_key IS NULL OR after_out_of_session) AND since_previous_us > ?) AS gap_start
            FROM lagged
        ),
        gap_blocks AS (
            SELECT *, sum(CAST(gap_start AS INTEGER)) OVER ({ACTOR_ORDER} ROWS UNBOUNDED PRECEDING) AS gap_block
            FROM gap_starts
        ),
        breaks AS (
            SELECT * EXCLUDE (gap_start, gap_block), gap_start OR coalesce(
                session_key <> last_value(session_key IGNORE NULLS) OVER (
                    PARTITION BY actor_id, gap_block ORDER BY client_time, seq
                    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
                false) AS session_break
            FROM gap_blocks
        ),
        numbered AS (
            SELECT *, sum(CAST(session_break AS INTEGER)) OVER ({ACTOR_ORDER} ROWS UNBOUNDED PRECEDING) AS block_number
            FROM breaks
        )
        -- A block's events in a session all have its key, so min picks it and skips the NULLs.
        SELECT * EXCLUDE (block_number),
               min(session_key) OVER by_block AS block_session_key,
               min(CASE WHEN session_key IS NOT NULL THEN session_id END) OVER by_block AS block_session_id
        FROM numbered
        WINDOW by_block AS (PARTITION BY actor_id, block_number)
    """
