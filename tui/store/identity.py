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

from tui.store.statements import order_key_sql, run, scalar

log = logging.getLogger(__name__)

# Orders one actor's events: by client_time, then seq.
ORDER = order_key_sql("client_time")

# Compared with lower(trim(user_id)); "0" has no letter case.
NOT_USER_IDS = ("", "0", "null", "undefined", "none")


# The longest of NOT_USER_IDS: a longer id without spaces around it is a user id.
LONGEST_NOT_USER_ID = max(len(word) for word in NOT_USER_IDS)


def user_id_sql(column: str) -> str:
    """Return SQL for ``column`` with the ids that are not user ids replaced by NULL."""
    words = ", ".join(f"'{word}'" for word in NOT_USER_IDS)
    # The first branch spares most ids the lower(trim()) copies; list_contains, unlike IN,
    # stays a per-row function instead of becoming a join.
    return (
        f"(CASE WHEN strlen({column}) > {LONGEST_NOT_USER_ID} AND NOT starts_with({column}, ' ') "
        f"AND NOT ends_with({column}, ' ') THEN {column} "
        f"WHEN list_contains([{words}], lower(trim({column}))) THEN NULL ELSE {column} END)"
    )


def device_id_sql(column: str) -> str:
    """Return SQL for ``column`` with blank device ids replaced by NULL."""
    return f"(CASE WHEN trim({column}) = '' THEN NULL ELSE {column} END)"


def is_user_id(value: str | None) -> bool:
    """Tell whether ``value`` counts as a user id (the Python form of ``user_id_sql``)."""
    return value is not None and value.strip().lower() not in NOT_USER_IDS


def resolve_actors(cur: duckdb.DuckDBPyConnection) -> None:
    """Resolve the actor of every row of the temporary ``new_events`` view.

    Creates actors for new user ids and new anonymous devices, moves devices
    to the first user they were identified with, and re-points the earlier
    anonymous events of moved devices. Leaves the temporary view
    ``resolved_events`` (``new_events`` with ``actor_id``), the table
    ``moved_devices(device_id, old_owner, owner)``, and the table
    ``touched_actors(actor_id)`` of every actor whose events changed, so the
    caller can refresh users and sessions for them. Runs inside the import's
    transaction.
    """
    _collect_import_ids(cur)
    _create_user_actors(cur)
    _find_device_owners(cur)
    moved = _move_devices(cur)
    _create_device_actors(cur)
    _repoint_old_events(cur)
    _collect_import_actors(cur)
    _collect_touched_actors(cur)
    _create_resolved_view(cur)
    if moved:
        log.info("re-pointed %d devices to the users they were identified with", moved)


def _collect_import_ids(cur: duckdb.DuckDBPyConnection) -> None:
    """Store the user ids and devices of the new events, each with what resolution needs, in one pass each.

    ``import_devices.first_identified`` is the order key (client_time, then
    seq) of the device's first new event with a user id, and ``first_user``
    that user id.
    """
    run(cur, "collect user ids", """
        CREATE OR REPLACE TEMP TABLE import_users AS
        SELECT user_id, min(seq) AS first_seq FROM new_events
        WHERE user_id IS NOT NULL GROUP BY user_id
    """)
    run(cur, "collect devices", f"""
        CREATE OR REPLACE TEMP TABLE import_devices AS
        SELECT device_id, min(seq) AS first_seq, bool_or(user_id IS NULL) AS has_anonymous_events,
               arg_min(user_id, {ORDER}) FILTER (WHERE user_id IS NOT NULL) AS first_user,
               min({ORDER}) FILTER (WHERE user_id IS NOT NULL) AS first_identified
        FROM new_events WHERE device_id IS NOT NULL GROUP BY device_id
    """)


def _create_user_actors(cur: duckdb.DuckDBPyConnection) -> None:
    run(cur, "create user actors", """
        INSERT INTO actors (actor_id, user_id, device_id)
        SELECT (SELECT coalesce(max(actor_id), 0) FROM actors) + row_number() OVER (ORDER BY first_seq),
               user_id, NULL
        FROM import_users
        WHERE user_id NOT IN (SELECT user_id FROM actors WHERE user_id IS NOT NULL)
    """)


def _find_device_owners(cur: duckdb.DuckDBPyConnection) -> None:
    """Store in ``device_owners`` the actor each device of this import belongs to now.

    That is the actor of the first user id the device was seen with, in old
    and new events together, or NULL for a device never identified.
    """
    run(cur, "find device owners", f"""
        CREATE OR REPLACE TEMP TABLE device_owners AS
        WITH identified AS (
            SELECT device_id, first_user AS user_id, first_identified AS identified_at FROM import_devices
            WHERE first_user IS NOT NULL
            UNION ALL
            SELECT device_id, user_id, {ORDER} FROM events
            WHERE user_id IS NOT NULL AND device_id IN (SELECT device_id FROM import_devices)
        ),
        first_user AS (
            SELECT device_id, arg_min(user_id, identified_at) AS user_id
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
    run(cur, "find moved devices", """
        CREATE OR REPLACE TEMP TABLE moved_devices AS
        SELECT device_id, old_owner, owner FROM device_owners
        WHERE owner IS NOT NULL AND old_owner IS NOT NULL AND owner <> old_owner
    """)
    run(cur, "move devices", """
        UPDATE devices SET actor_id = m.owner
        FROM moved_devices AS m WHERE devices.device_id = m.device_id
    """)
    run(cur, "add identified devices", """
        INSERT INTO devices (device_id, actor_id)
        SELECT device_id, owner FROM device_owners WHERE old_owner IS NULL AND owner IS NOT NULL
    """)
    return scalar(cur, "count moved devices", "SELECT count(*) FROM moved_devices")


def _create_device_actors(cur: duckdb.DuckDBPyConnection) -> None:
    """Give each device that is neither identified nor known an actor of its own."""
    run(cur, "number device actors", """
        CREATE OR REPLACE TEMP TABLE new_device_actors AS
        SELECT device_id,
               (SELECT coalesce(max(actor_id), 0) FROM actors) + row_number() OVER (ORDER BY first_seq) AS actor_id
        FROM device_owners WHERE owner IS NULL AND old_owner IS NULL
    """)
    run(cur, "create device actors",
        "INSERT INTO actors (actor_id, user_id, device_id) SELECT actor_id, NULL, device_id FROM new_device_actors")
    run(cur, "add device actors",
        "INSERT INTO devices (device_id, actor_id) SELECT device_id, actor_id FROM new_device_actors")


def _repoint_old_events(cur: duckdb.DuckDBPyConnection) -> None:
    """Move earlier anonymous events of moved devices to the new owner."""
    if not scalar(cur, "count moved devices", "SELECT count(*) FROM moved_devices"):
        return
    run(cur, "re-point old events", """
        UPDATE events SET actor_id = m.owner
        FROM moved_devices AS m
        WHERE events.user_id IS NULL AND events.device_id = m.device_id
    """)
    # NOTE: only a device's own actor is replaced as group creator. When a device
    # moves from one user to an earlier one, groups it created keep the first user.
    run(cur, "re-point group creators", """
        UPDATE groups SET creator_actor_id = m.owner
        FROM moved_devices AS m
        WHERE groups.creator_actor_id = m.old_owner
          AND m.old_owner IN (SELECT actor_id FROM actors WHERE user_id IS NULL)
    """)


def _collect_import_actors(cur: duckdb.DuckDBPyConnection) -> None:
    """Store ``import_actors(id, anonymous, actor_id)``: the actor of each user id and anonymous device of the import.

    Keyed by the id an event is resolved by, it lets each new event probe
    one hash table of this import's ids instead of ``actors`` and ``devices``
    both: the append of 10 million events took 34 to 35 CPU seconds instead
    of 36 to 39 (DuckDB 2.0.1, 2 cores, two runs each).
    """
    run(cur, "collect import actors", """
        CREATE OR REPLACE TEMP TABLE import_actors AS
        SELECT u.user_id AS id, false AS anonymous, a.actor_id FROM import_users AS u JOIN actors AS a USING (user_id)
        UNION ALL
        SELECT i.device_id, true, d.actor_id FROM import_devices AS i JOIN devices AS d USING (device_id)
        WHERE i.has_anonymous_events
    """)


def _collect_touched_actors(cur: duckdb.DuckDBPyConnection) -> None:
    """Store the actors of the new events and of moved devices, from the per-id tables, not per event."""
    run(cur, "collect touched actors", """
        CREATE OR REPLACE TEMP TABLE touched_actors AS
        SELECT DISTINCT actor_id FROM (
            SELECT actor_id FROM import_actors
            UNION ALL SELECT owner FROM moved_devices
            UNION ALL SELECT old_owner FROM moved_devices
        )
    """)


def _create_resolved_view(cur: duckdb.DuckDBPyConnection) -> None:
    """Create ``resolved_events``: each new event with its user's actor, else its device's actor."""
    run(cur, "create resolved view", """
        CREATE OR REPLACE TEMP VIEW resolved_events AS
        SELECT n.*, k.actor_id
        FROM new_events AS n
        LEFT JOIN import_actors AS k ON k.id = coalesce(n.user_id, n.device_id) AND k.anonymous = (n.user_id IS NULL)
    """)
