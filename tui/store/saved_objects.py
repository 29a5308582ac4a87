"""Role checks, connections, transactions and checkpoints shared by the saved objects (cohorts, annotations, releases).

Roles rank viewer < member < manager < admin. A viewer only views. A name
missing from ``members`` has no role and may change nothing that a role gates.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import duckdb

from tui.store.schema import ROLES

log = logging.getLogger(__name__)


def check_role(project, minimum: str, action: str) -> tuple[bool, str]:
    """Return whether the current member may do ``action`` (needs ``minimum`` or higher), and the reason if not."""
    member = project.current_member()
    role = project.role_of(member)
    allowed = ROLES[ROLES.index(minimum):]
    needed = " or ".join(allowed) if len(allowed) <= 2 else f"{minimum} or higher"
    fix = f"An admin can change that with loupe settings --member {member}=ROLE."
    if role is None:
        return False, f"{action}: needs {needed}; {member} is not a member of this project. {fix}"
    if role not in allowed:
        return False, f"{action}: needs {needed}; {member} is {role}. {fix}"
    return True, ""


def can_change(project, minimum: str, action: str) -> tuple[bool, str]:
    """Return whether the current member may do ``action`` now: the project is writable and their role suffices."""
    if project.read_only:
        return False, f"{action}: {project.notice}"
    return check_role(project, minimum, action)


def require_role(project, minimum: str, action: str) -> str:
    """Return the current member's name, or raise PermissionError unless their role is ``minimum`` or higher."""
    allowed, reason = check_role(project, minimum, action)
    if not allowed:
        raise PermissionError(reason)
    project.require_writable()
    return project.current_member()


def connection_of(source: Any):
    """Return the DuckDB connection of a Project, or ``source`` itself when it is a connection or cursor."""
    return getattr(source, "con", source)


@contextmanager
def transaction(project) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a new cursor inside a transaction that commits and checkpoints at the end of the block.

    Any error rolls the transaction back.
    """
    cursor = project.cursor()
    try:
        cursor.execute("BEGIN TRANSACTION")
        yield cursor
        cursor.execute("COMMIT")
        checkpoint(cursor)
    except BaseException:
        # A failed COMMIT has already ended the transaction, so there may be nothing to roll back.
        with suppress(duckdb.TransactionException):
            cursor.execute("ROLLBACK")
        raise
    finally:
        cursor.close()


def checkpoint(source) -> None:
    """Write committed changes from the write-ahead log into the project file.

    A process that opens the project while this one has it open reads a copy
    of the file without its write-ahead log (``tui.store.project._open_snapshot``),
    so every write path calls this after it commits. Never call it inside a
    transaction, because DuckDB rejects the checkpoint there and aborts that transaction.
    """
    try:
        connection_of(source).execute("CHECKPOINT")
    except duckdb.Error as error:
        # The change stays committed. DuckDB (2.0.1) rejects a checkpoint while another transaction
        # has uncommitted updates or deletes, as an import has, and a later checkpoint
        # (at the latest when the project closes) writes the change to the file.
        log.warning(
            "checkpoint after a committed write failed, so a read-only copy opened before the next "
            "checkpoint misses the change: %s",
            error,
        )
