"""A user's profile: ids, first and last seen, latest properties, cohorts, groups, and activity by session."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb
import pandas as pd

from tui.analytics.microscope.actor_set import MicroscopeError
from tui.analytics.microscope.sequence import session_blocks_sql, session_gap_us

# The maximum number of groups a profile names. It counts the others without naming them.
MAX_PROFILE_GROUPS = 100


@dataclass(frozen=True)
class Profile:
    """The facts Loupe stores about one actor.

    ``user_id`` is None for an actor never identified; ``display_id`` is then
    its device id. ``properties`` contains the latest value of each user property
    (decoded JSON), sorted by name. ``groups`` are the first ``MAX_PROFILE_GROUPS``
    (group type, group name) pairs that the actor's events name, sorted, out of
    ``group_count`` in all.
    """

    actor_id: int
    user_id: str | None
    display_id: str
    device_ids: tuple[str, ...]
    first_seen: datetime
    last_seen: datetime
    properties: tuple[tuple[str, Any], ...]
    cohorts: tuple[str, ...]
    event_count: int
    groups: tuple[tuple[str, str], ...]
    group_count: int


def find_actor(cursor: duckdb.DuckDBPyConnection, identifier: str) -> int | None:
    """Return the actor of a user id, else of a device id, or None when the project has neither."""
    for table in ("actors WHERE user_id = ?", "devices WHERE device_id = ?"):
        rows = cursor.execute(f"SELECT actor_id FROM {table}", [identifier]).fetchall()
        if rows:
            return rows[0][0]
    return None


def user_profile(cursor: duckdb.DuckDBPyConnection, actor_id: int) -> Profile:
    """Return the profile of ``actor_id``; raise MicroscopeError for an actor the project does not have."""
    rows = cursor.execute(
        "SELECT user_id, device_ids, first_seen, last_seen, CAST(properties AS VARCHAR) FROM users WHERE actor_id = ?",
        [actor_id],
    ).fetchall()
    if not rows:
        raise MicroscopeError(f"actor_id: no user with actor id {actor_id} in this project.")
    user_id, device_ids, first_seen, last_seen, properties = rows[0]
    display_id = user_id
    if display_id is None:
        display_id = device_ids[0] if device_ids else str(actor_id)
    groups, group_count = _groups_of(cursor, actor_id)

    return Profile(
        actor_id=actor_id,
        user_id=user_id,
        display_id=display_id,
        device_ids=tuple(device_ids or ()),
        first_seen=first_seen,
        last_seen=last_seen,
        properties=tuple(sorted(json.loads(properties or "{}").items())),
        cohorts=_cohorts_of(cursor, actor_id),
        event_count=cursor.execute("SELECT count(*) FROM events WHERE actor_id = ?", [actor_id]).fetchall()[0][0],
        groups=groups,
        group_count=group_count,
    )


def activity(
    cursor: duckdb.DuckDBPyConnection,
    actor_id: int,
    offset: int = 0,
    limit: int | None = 200,
    newest_first: bool = True,
) -> pd.DataFrame:
    """Return one page of the actor's events, grouped by session block (see ``tui.analytics.microscope.sequence``).

    Columns:
    - ``event_time``, ``event_type``;
    - ``session_id`` and ``session_key``: the event's own, with a NULL key
      for an event out of session;
    - ``session_start``: true for the first event of a block;
    - ``session_number``: 1 for the actor's first block with a session, 2
      for the next one, NULL in a block out of session;
    - ``block_session_key``, ``block_session_id``: the block's session;
    - ``event_properties`` (JSON text), ``seq``.

    A session that a gap next to an out-of-session event splits is two
    blocks, so it gets two numbers. Rows are in capture order, newest first
    unless ``newest_first`` is false.
    """
    direction = "DESC" if newest_first else "ASC"
    blocks = session_blocks_sql("""
        SELECT actor_id, event_time, client_time, seq, event_type, session_id, session_key,
               CAST(event_properties AS VARCHAR) AS event_properties
        FROM events WHERE actor_id = ?
    """)
    # Blocks out of session get no number, because they belong to no session.
    sql = f"""
        WITH blocks AS ({blocks}),
        numbered AS (
            SELECT *, CASE WHEN block_session_key IS NOT NULL THEN CAST(sum(
                CAST(session_break AND block_session_key IS NOT NULL AS INTEGER)
            ) OVER (ORDER BY client_time, seq ROWS UNBOUNDED PRECEDING) AS BIGINT) END AS session_number
            FROM blocks
        )
        SELECT event_time, event_type, session_id, session_key, session_break AS session_start, session_number,
               block_session_key, block_session_id, event_properties, seq
        FROM numbered ORDER BY client_time {direction}, seq {direction} LIMIT ? OFFSET ?
    """
    limit_param = None if limit is None else int(limit)
    return cursor.execute(sql, [actor_id, session_gap_us(cursor), limit_param, int(offset)]).df()


def activity_position(cursor: duckdb.DuckDBPyConnection, actor_id: int, seq: int) -> int | None:
    """Return how many of the actor's events come before event ``seq`` in ``activity``'s newest-first order.

    That is the ``offset`` at which ``activity`` returns the event. Returns
    None when the actor has no event ``seq``.
    """
    # Newer means later in capture order: a later client_time, or the same client_time and a later seq.
    rows = cursor.execute(
        """
        SELECT (SELECT count(*) FROM events AS newer
                WHERE newer.actor_id = focus.actor_id
                  AND (newer.client_time > focus.client_time
                       OR (newer.client_time = focus.client_time AND newer.seq > focus.seq)))
        FROM events AS focus WHERE focus.actor_id = ? AND focus.seq = ?
        """,
        [actor_id, seq],
    ).fetchall()
    return rows[0][0] if rows else None


def _cohorts_of(cursor: duckdb.DuckDBPyConnection, actor_id: int) -> tuple[str, ...]:
    """Return the names of the user cohorts that hold ``actor_id``, sorted."""
    # Group cohorts hold group ids in ``member_id``; they are not this actor's cohorts.
    rows = cursor.execute(
        "SELECT DISTINCT cohorts.name FROM cohort_members JOIN cohorts USING (cohort_id) "
        "WHERE cohort_members.member_id = ? AND NOT starts_with(cohorts.member_kind, 'group') ORDER BY cohorts.name",
        [actor_id],
    ).fetchall()
    return tuple(name for (name,) in rows)


def _groups_of(cursor: duckdb.DuckDBPyConnection, actor_id: int) -> tuple[tuple[tuple[str, str], ...], int]:
    """Return the first ``MAX_PROFILE_GROUPS`` (group type, group name) pairs the actor's events name, and their count.

    An actor belongs to the groups its events name, as in hosted analytics
    tools: an event's ``groups`` fill ``event_groups``, one row per group.
    """
    rows = cursor.execute(
        """
        WITH named AS (
            SELECT DISTINCT groups.group_type, groups.group_name
            FROM events
            JOIN event_groups ON event_groups.seq = events.seq
            JOIN groups ON groups.group_id = event_groups.group_id
            WHERE events.actor_id = ?
        )
        SELECT group_type, group_name, count(*) OVER () FROM named ORDER BY group_type, group_name LIMIT ?
        """,
        [actor_id, MAX_PROFILE_GROUPS],
    ).fetchall()
    count = rows[0][2] if rows else 0
    return tuple((group_type, group_name) for group_type, group_name, _ in rows), count
