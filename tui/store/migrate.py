"""Upgrade project files written with an older schema version, in one transaction per file."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import duckdb

from tui.store.key_sets import assign_key_sets
from tui.store.schema import SCHEMA_VERSION, USER_KEY_SETS

log = logging.getLogger(__name__)


def _add_key_sets(con: duckdb.DuckDBPyConnection) -> None:
    """Version 1 to 2: add ``users.key_set_id`` and ``user_key_sets``, and give every user its key set."""
    con.execute("ALTER TABLE users ADD COLUMN key_set_id INTEGER")
    con.execute(USER_KEY_SETS)
    assign_key_sets(con)


# The step that upgrades a file from each version to the next one.
STEPS: dict[int, Callable[[duckdb.DuckDBPyConnection], None]] = {1: _add_key_sets}


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
