"""Upgrade project files written with an older schema version, in one transaction per file."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import duckdb

from tui.store.key_sets import assign_key_sets
from tui.store.schema import GROUP_PROPERTY_UPDATES, SCHEMA_VERSION, USER_KEY_SETS
from tui.store.statements import run, scalar

log = logging.getLogger(__name__)


def _version_2(con: duckdb.DuckDBPyConnection) -> None:
    """Version 1 to 2: give every user its key set, and keep group properties one operation per row.

    Adds ``users.key_set_id`` and ``user_key_sets``, and splits the
    whole-object rows of ``group_property_updates`` into ``$set`` rows.
    """
    con.execute("ALTER TABLE users ADD COLUMN key_set_id INTEGER")
    con.execute(USER_KEY_SETS)
    assign_key_sets(con)
    _split_group_property_objects(con)


def _split_group_property_objects(cur: duckdb.DuckDBPyConnection) -> None:
    """Turn a ``group_property_updates`` table of whole properties objects into one ``$set`` row per property.

    Version 1 files store one row per properties object, in a ``properties``
    column, and only ``$set`` existed then. Files made before the table
    existed have nothing to split; the next import creates the table.
    """
    old_layout = scalar(cur, "check group property updates layout", """
        SELECT count(*) FROM duckdb_columns()
        WHERE database_name = current_database() AND schema_name = 'main'
          AND table_name = 'group_property_updates' AND column_name = 'properties'
    """)
    if not old_layout:
        return
    run(cur, "move whole-object group updates",
        "ALTER TABLE group_property_updates RENAME TO group_property_objects")
    run(cur, "create group property updates", GROUP_PROPERTY_UPDATES)
    run(cur, "split whole-object group updates", """
        INSERT INTO group_property_updates (group_type, group_name, sent_at, operation, property, value)
        SELECT group_type, group_name, sent_at, '$set', entry.key, entry.value FROM (
            SELECT group_type, group_name, sent_at,
                   unnest(map_entries(CAST(properties AS MAP(VARCHAR, JSON)))) AS entry
            FROM group_property_objects
        ) WHERE entry.value IS NOT NULL
    """)
    run(cur, "drop whole-object group updates", "DROP TABLE group_property_objects")


# The step that upgrades a file from each version to the next one.
STEPS: dict[int, Callable[[duckdb.DuckDBPyConnection], None]] = {1: _version_2}


def can_upgrade(version: int) -> bool:
    """Tell whether a file of schema ``version`` can be upgraded to ``SCHEMA_VERSION``."""
    return version < SCHEMA_VERSION and all(step in STEPS for step in range(version, SCHEMA_VERSION))


def upgrade(con: duckdb.DuckDBPyConnection, version: int, name: str) -> None:
    """Run the steps from schema ``version`` to ``SCHEMA_VERSION`` on ``con`` and record the new version.

    Every step runs in one transaction, so a failed upgrade leaves the file
    at its old version. ``name`` names the file in the log.
    """
    started = time.perf_counter()
    con.execute("BEGIN TRANSACTION")
    try:
        for step in range(version, SCHEMA_VERSION):
            STEPS[step](con)
        con.execute("UPDATE schema_info SET version = ?", [SCHEMA_VERSION])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        log.exception("upgrading %s from schema version %d failed", name, version)
        raise
    log.info(
        "upgraded %s from schema version %d to %d in %.2f s",
        name, version, SCHEMA_VERSION, time.perf_counter() - started,
    )
