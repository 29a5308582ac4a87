"""Static cohorts: named sets of actors (or groups) saved with the definition they came from.

A cohort row and its ``cohort_members`` rows are written in one transaction,
so a cohort is never seen half-filled. ``as_of`` is the time that transaction
started, which is when its members were read. The members of a cohort of
users (``member_kind`` ``users``) are actor ids, so a chart's ``cohort``
filter (``tui.analytics.filters.cohort_sql``) matches them against
``events.actor_id`` directly. A cohort of groups (``member_kind``
``groups:TYPE``) holds group ids of that type.

Creating and deleting a cohort needs the member role or higher; viewers only view.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime

import duckdb
import pandas as pd

from tui.store.saved_objects import can_change, connection_of, require_role, transaction
from tui.store.users import DISPLAY_ID

log = logging.getLogger(__name__)

# Long enough for a descriptive name, short enough for a list row and a chart's cohort picker.
MAX_NAME_LENGTH = 200
# The start of the ``member_kind`` of a cohort of groups; the group type follows.
GROUP_KIND_PREFIX = "groups:"


Fragment = tuple[str, list]


class CohortError(ValueError):
    """A cohort cannot be created or found; the message names the cohort and the fix."""


@dataclass(frozen=True)
class Cohort:
    """One saved cohort and its number of members."""

    cohort_id: int
    name: str
    description: str | None
    member_kind: str
    as_of: datetime
    definition: dict | None
    created_by: str | None
    size: int

    @property
    def members_are_groups(self) -> bool:
        """Whether the members are group ids (``member_kind`` ``groups:TYPE``) rather than actor ids."""
        return self.member_kind.startswith(GROUP_KIND_PREFIX.rstrip(":"))

    @property
    def member_noun(self) -> str:
        """What the members are, for messages: ``groups`` or ``users``."""
        return "groups" if self.members_are_groups else "users"


def check_cohort_name(name: str) -> str:
    """Return ``name`` without surrounding white space, or raise CohortError if it is unusable."""
    cleaned = name.strip()
    if not cleaned:
        raise CohortError("Cohort name is empty: type a name for the cohort.")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise CohortError(f"Cohort name is {len(cleaned)} characters long: use at most {MAX_NAME_LENGTH}.")
    return cleaned


def can_create_cohort(project) -> tuple[bool, str]:
    """Return whether the current member may create a cohort (member or higher), and why not."""
    return can_change(project, "member", "Create cohort")


def save_cohort(
    project,
    name: str,
    members: Fragment,
    definition: dict | None,
    description: str | None = None,
    member_kind: str = "users",
) -> Cohort:
    """Save a static cohort of the members that the query ``members`` selects in its only column.

    The members are actor ids for ``member_kind`` ``users``, and group ids
    for ``groups:TYPE``. Raises CohortError when the name is taken or the
    kind is unknown, PermissionError for a viewer.
    """
    name = check_cohort_name(name)
    _check_kind(member_kind)
    created_by = require_role(project, "member", "Create cohort")
    members_sql, params = members
    try:
        with transaction(project) as cursor:
            _check_name_free(cursor, name)
            cohort_id = cursor.execute("SELECT nextval('object_ids')").fetchall()[0][0]
            cursor.execute(
                "INSERT INTO cohorts (cohort_id, name, description, member_kind, as_of, definition, created_by, "
                "created_at) VALUES (?, ?, ?, ?, now(), ?, ?, now())",
                [cohort_id, name, description, member_kind, _json_text(definition), created_by],
            )
            cursor.execute(
                f"INSERT INTO cohort_members SELECT DISTINCT ?, * FROM ({members_sql})",
                [cohort_id, *params],
            )
    except duckdb.ConstraintException:
        # Another process saved the same name between the check and the insert.
        raise CohortError(_name_taken(name)) from None
    cohort = load_cohort(project, name)
    log.info("created cohort %r with %d %s", name, cohort.size, cohort.member_noun)
    return cohort


def load_cohort(source, name: str) -> Cohort:
    """Return the cohort called ``name`` from a Project or DuckDB connection, or raise CohortError."""
    rows = connection_of(source).execute(f"{_SELECT} WHERE cohorts.name = ? {_GROUP}", [name]).fetchall()
    if not rows:
        raise CohortError(f"No cohort is called {name!r}: {_known_names(source)}")
    return _to_cohort(rows[0])


def list_cohorts(source) -> list[Cohort]:
    """Return every cohort with its size, by name."""
    rows = connection_of(source).execute(f"{_SELECT} {_GROUP} ORDER BY cohorts.name").fetchall()
    return [_to_cohort(row) for row in rows]


def cohort_names(source) -> list[str]:
    """Return the names of every cohort, sorted."""
    rows = connection_of(source).execute("SELECT name FROM cohorts ORDER BY name").fetchall()
    return [name for (name,) in rows]


def cohort_members(source, name: str) -> pd.DataFrame:
    """Return the members of the cohort of users ``name``: ``actor_id``, ``user_id``, ``first_seen``, ``last_seen``, by user id.

    Raises CohortError for a cohort of groups, whose members ``cohort_groups`` returns.
    """
    cohort = load_cohort(source, name)
    if cohort.members_are_groups:
        raise CohortError(f"Cohort {name!r} contains groups, not users: list its groups instead.")
    return connection_of(source).execute(
        f"SELECT users.actor_id, {DISPLAY_ID} AS user_id, users.first_seen, users.last_seen "
        "FROM cohort_members JOIN users ON users.actor_id = cohort_members.member_id "
        "WHERE cohort_members.cohort_id = ? ORDER BY user_id, users.actor_id",
        [cohort.cohort_id],
    ).df()


def cohort_groups(source, name: str) -> pd.DataFrame:
    """Return the members of the cohort of groups ``name``: ``group_id``, ``group_type``, ``group_name``, ``first_time``.

    Rows are by group name. Raises CohortError for a cohort of users.
    """
    cohort = load_cohort(source, name)
    if not cohort.members_are_groups:
        raise CohortError(f"Cohort {name!r} contains users, not groups: list its users instead.")
    return connection_of(source).execute(
        "SELECT groups.group_id, groups.group_type, groups.group_name, groups.first_time "
        "FROM cohort_members JOIN groups ON groups.group_id = cohort_members.member_id "
        "WHERE cohort_members.cohort_id = ? ORDER BY groups.group_name, groups.group_id",
        [cohort.cohort_id],
    ).df()


def delete_cohort(project, name: str) -> None:
    """Delete the cohort ``name`` and its members; raise CohortError if there is none."""
    require_role(project, "member", "Delete cohort")
    cohort = load_cohort(project, name)
    with transaction(project) as cursor:
        cursor.execute("DELETE FROM cohort_members WHERE cohort_id = ?", [cohort.cohort_id])
        cursor.execute("DELETE FROM cohorts WHERE cohort_id = ?", [cohort.cohort_id])
    log.info("deleted cohort %r", name)


_SELECT = (
    "SELECT cohorts.cohort_id, cohorts.name, cohorts.description, cohorts.member_kind, cohorts.as_of, "
    "cohorts.definition, cohorts.created_by, count(cohort_members.member_id) AS size "
    "FROM cohorts LEFT JOIN cohort_members ON cohort_members.cohort_id = cohorts.cohort_id"
)
_GROUP = "GROUP BY ALL"


def _check_kind(member_kind: str) -> None:
    # A bare "groups" is accepted as a cohort of groups of no stated type.
    if member_kind != "users" and not member_kind.startswith(GROUP_KIND_PREFIX.rstrip(":")):
        raise CohortError(f"Cohort kind {member_kind!r} is unknown: use 'users' or 'groups:TYPE'.")


def _check_name_free(cursor, name: str) -> None:
    if cursor.execute("SELECT count(*) FROM cohorts WHERE name = ?", [name]).fetchall()[0][0]:
        raise CohortError(_name_taken(name))


def _name_taken(name: str) -> str:
    return f"A cohort called {name!r} already exists: choose another name, or delete that cohort first."


def _known_names(source) -> str:
    names = cohort_names(source)
    if not names:
        return "this project has no cohorts yet."
    return "cohorts are " + ", ".join(repr(name) for name in names[:20]) + (", ..." if len(names) > 20 else ".")


def _json_text(definition: dict | None) -> str | None:
    return None if definition is None else json.dumps(definition, ensure_ascii=False, default=str)


def _to_cohort(row: tuple) -> Cohort:
    cohort_id, name, description, member_kind, as_of, definition, created_by, size = row
    return Cohort(
        cohort_id=cohort_id,
        name=name,
        description=description,
        member_kind=member_kind,
        as_of=as_of,
        definition=json.loads(definition) if definition else None,
        created_by=created_by,
        size=int(size),
    )
