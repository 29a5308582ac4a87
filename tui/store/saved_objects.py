"""Role checks, connections and transactions shared by the saved objects (cohorts, annotations, releases).

Roles rank viewer < member < manager < admin. A viewer only views. A name
missing from ``members`` has no role and may change nothing that a role gates.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import duckdb

from tui.store.schema import ROLES


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
    """Yield a new cursor inside a transaction that commits at the end of the block, or rolls back on any error."""
    cursor = project.cursor()
    try:
        cursor.execute("BEGIN TRANSACTION")
        yield cursor
        cursor.execute("COMMIT")
    except BaseException:
        # A failed COMMIT has already ended the transaction, so there may be nothing to roll back.
        with suppress(duckdb.TransactionException):
            cursor.execute("ROLLBACK")
        raise
    finally:
        cursor.close()
