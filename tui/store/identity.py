"""Actor identity: which ids are real user ids, and which actor each event belongs to.

Rules, applied at the end of every import (see ``resolve_actors``):

- A user id that is empty, ``"0"``, ``"null"``, ``"undefined"`` or ``"None"``
  (after trimming white space; the words in any letter case) is not a user
  id. SDKs send these for logged-out users, and counting them as one user
  would merge everybody. Such events fall back to their device id.
- Each user id has one actor (table ``actors``).
- A device belongs (table ``devices``) to the actor of the first user it was
  seen identified with, first by ``client_time`` then by ``seq``, across every
  import. Anonymous events of that device belong to that user, including
  events imported before the device was identified: they are re-pointed.
- A device never identified is its own actor. When a later import identifies
  it, its events move to the user's actor. The device's actor stays in
  ``actors`` without events or ``users`` row, so its id is never given again
  (a saved cohort holding that id keeps meaning that device).

Actor ids are given as ``max(actor_id) + n`` in order of first appearance,
so the same files imported in the same order give the same ids.
"""

from __future__ import annotations

import logging

import duckdb

log = logging.getLogger(__name__)

# Compared with lower(trim(user_id)); "0" has no letter case.
NOT_USER_IDS = ("", "0", "null", "undefined", "none")


def user_id_sql(column: str) -> str:
    """Return SQL for ``column`` with the ids that are not user ids replaced by NULL."""
    words = ", ".join(f"'{word}'" for word in NOT_USER_IDS)
    return f"(CASE WHEN lower(trim({column})) IN ({words}) THEN NULL ELSE {column} END)"


def device_id_sql(column: str) -> str:
    """Return SQL for ``column`` with blank device ids replaced by NULL."""
    return f"(CASE WHEN trim({column}) = '' THEN NULL ELSE {column} END)"


def is_user_id(value: str | None) -> bool:
    """Tell whether ``value`` counts as a user id (the Python form of ``user_id_sql``)."""
    return value is not None and value.strip().lower() not in NOT_USER_IDS


def resolve_actors(cur: duckdb.DuckDBPyConnection) -> None:
    """Give every row of the temporary ``new_events`` table its ``actor_id``.

    Creates actors for new user ids and new anonymous devices, moves devices
    to the first user they were identified with, re-points the earlier
    anonymous events of moved devices, and fills the temporary table
    ``touched_actors(actor_id)`` with every actor whose events changed, so the
    caller can refresh users and sessions for them. Runs inside the import's
    transaction.
    """
    _create_user_actors(cur)
    _find_device_owners(cur)
    moved = _move_devices(cur)
    _create_device_actors(cur)
    _assign_new_events(cur)
    _repoint_old_events(cur)
    _collect_touched_actors(cur)
    if moved:
        log.info("re-pointed %d devices to the users they were identified with", moved)


def _create_user_actors(cur: duckdb.DuckDBPyConnection) -> None:
    cur.execute("""
        INSERT INTO actors (actor_id, user_id, device_id)
        SELECT (SELECT coalesce(max(actor_id), 0) FROM actors) + row_number() OVER (ORDER BY first_seq),
               user_id, NULL
        FROM (
            SELECT user_id, min(seq) AS first_seq FROM new_events
            WHERE user_id IS NOT NULL GROUP BY user_id
        ) AS new_users
        WHERE user_id NOT IN (SELECT user_id FROM actors WHERE user_id IS NOT NULL)
    """)


def _find_device_owners(cur: duckdb.DuckDBPyConnection) -> None:
    """Store in ``device_owners`` the actor each device of this import belongs to now.

    That is the actor of the first user id the device was seen with, in old
    and new events together, or NULL for a device never identified.
    """
    cur.execute("""
        CREATE OR REPLACE TEMP TABLE import_devices AS
        SELECT device_id, min(seq) AS first_seq FROM new_events
        WHERE device_id IS NOT NULL GROUP BY device_id
    """)
    cur.execute("""
        CREATE OR REPLACE TEMP TABLE device_owners AS
        WITH identified AS (
            SELECT device_id, user_id, client_time, seq FROM new_events
            WHERE device_id IS NOT NULL AND user_id IS NOT NULL
            UNION ALL
            SELECT device_id, user_id, client_time, seq FROM events
            WHERE user_id IS NOT NULL AND device_id IN (SELECT device_id FROM import_devices)
        ),
        first_user AS (
            SELECT device_id, arg_min(user_id, (client_time, seq)) AS user_id
            FROM identified GROUP BY device_id
        )
        SELECT d.device_id, d.first_seq, a.actor_id AS owner, old.actor_id AS old_owner
        FROM import_devices AS d
        LEFT JOIN first_user AS f USING (device_id)
        LEFT JOIN actors AS a ON a.user_id = f.user_id
        LEFT JOIN devices AS old ON old.device_id = d.device_id
    """)


def _move_devices(cur: duckdb.DuckDBPyConnection) -> int:
    """Point known devices at their new owner and record the moves in ``moved_devices``."""
    cur.execute("""
        CREATE OR REPLACE TEMP TABLE moved_devices AS
        SELECT device_id, old_owner, owner FROM device_owners
        WHERE owner IS NOT NULL AND old_owner IS NOT NULL AND owner <> old_owner
    """)
    cur.execute("""
        UPDATE devices SET actor_id = m.owner
        FROM moved_devices AS m WHERE devices.device_id = m.device_id
    """)
    cur.execute("""
        INSERT INTO devices (device_id, actor_id)
        SELECT device_id, owner FROM device_owners WHERE old_owner IS NULL AND owner IS NOT NULL
    """)
    return cur.execute("SELECT count(*) FROM moved_devices").fetchone()[0]


def _create_device_actors(cur: duckdb.DuckDBPyConnection) -> None:
    """Give each device that is neither identified nor known an actor of its own."""
    cur.execute("""
        CREATE OR REPLACE TEMP TABLE new_device_actors AS
        SELECT device_id,
               (SELECT coalesce(max(actor_id), 0) FROM actors) + row_number() OVER (ORDER BY first_seq) AS actor_id
        FROM device_owners WHERE owner IS NULL AND old_owner IS NULL
    """)
    cur.execute("INSERT INTO actors (actor_id, user_id, device_id) SELECT actor_id, NULL, device_id FROM new_device_actors")
    cur.execute("INSERT INTO devices (device_id, actor_id) SELECT device_id, actor_id FROM new_device_actors")


def _assign_new_events(cur: duckdb.DuckDBPyConnection) -> None:
    cur.execute("""
        UPDATE new_events SET actor_id = a.actor_id
        FROM actors AS a WHERE new_events.user_id IS NOT NULL AND a.user_id = new_events.user_id
    """)
    cur.execute("""
        UPDATE new_events SET actor_id = d.actor_id
        FROM devices AS d WHERE new_events.user_id IS NULL AND d.device_id = new_events.device_id
    """)


def _repoint_old_events(cur: duckdb.DuckDBPyConnection) -> None:
    """Move earlier anonymous events of moved devices to the new owner."""
    cur.execute("""
        UPDATE events SET actor_id = m.owner
        FROM moved_devices AS m
        WHERE events.user_id IS NULL AND events.device_id = m.device_id
    """)
    # NOTE: only a device's own actor is replaced as group creator; when a device
    # moves from one user to an earlier one, groups it created keep the first user.
    cur.execute("""
        UPDATE groups SET creator_actor_id = m.owner
        FROM moved_devices AS m
        WHERE groups.creator_actor_id = m.old_owner
          AND m.old_owner IN (SELECT actor_id FROM actors WHERE user_id IS NULL)
    """)


def _collect_touched_actors(cur: duckdb.DuckDBPyConnection) -> None:
    cur.execute("""
        CREATE OR REPLACE TEMP TABLE touched_actors AS
        SELECT DISTINCT actor_id FROM (
            SELECT actor_id FROM new_events
            UNION ALL SELECT owner FROM moved_devices
            UNION ALL SELECT old_owner FROM moved_devices
        )
    """)
