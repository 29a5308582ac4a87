"""The users of a data point (or of any actor set), one page at a time.

Sorting, searching and paging run in DuckDB, so a point with a million users
costs one grouped scan of its events and returns only the page asked for.
``first_seen``, ``last_seen`` and the latest user properties come from the
``users`` table, which the importer rebuilds for every actor it touches.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from tui.analytics.filters import Fragment
from tui.analytics.microscope.actor_set import Target, actor_count, as_actor_set
from tui.analytics.microscope.list_page import count_rows, order_clause, page_clause
from tui.analytics.microscope.properties import name_property_columns, property_columns_sql, property_names_sql
from tui.store.users import DISPLAY_ID

USER_COLUMNS = ["actor_id", "user_id", "first_seen", "last_seen", "events_in_point"]
SORT_COLUMNS = tuple(USER_COLUMNS)
# The sort columns that the actor relation has without ``users``.
ACTOR_SORT_COLUMNS = ("actor_id", "events_in_point")

# A user property whose name equals a fixed column is shown as ``user.NAME``.
PROPERTY_PREFIX = "user."


def point_users(
    cursor: duckdb.DuckDBPyConnection,
    target: Target,
    settings: Any,
    sort: str = "events_in_point",
    descending: bool = True,
    search: str | None = None,
    offset: int = 0,
    limit: int | None = 200,
    property_names: list[str] | tuple[str, ...] = (),
) -> pd.DataFrame:
    """Return one page of the users of ``target``, sorted and optionally searched.

    Columns: ``actor_id``, ``user_id`` (the device id for an actor never
    identified), ``first_seen``, ``last_seen``, ``events_in_point``, then one
    column per name in ``property_names`` with the latest value of that user
    property as text. ``search`` keeps users whose user id or a device id
    contains it, ignoring case. ``limit=None`` returns every row from ``offset``.
    Ties in the sort column are ordered by ``actor_id``, so pages never overlap.
    """
    page = page_clause(sort, descending, offset, limit, SORT_COLUMNS, "actor_id", "user")
    properties = property_columns_sql("users.properties", list(property_names))
    if sort in ACTOR_SORT_COLUMNS and not search:
        order = order_clause(sort, descending, SORT_COLUMNS, "actor_id", "user")
        sql, params = _page_of_actors_sql(target, settings, properties, page, order)
    else:
        sql, params = _page_of_users_sql(target, settings, search, properties, page)
    frame = cursor.execute(sql, params).df()
    return name_property_columns(frame, list(property_names), PROPERTY_PREFIX)


def point_users_count(cursor: duckdb.DuckDBPyConnection, target: Target, settings: Any, search: str | None = None) -> int:
    """Return how many users of ``target`` the same ``search`` keeps (all of them without one)."""
    if not search:
        return actor_count(cursor, target, settings)
    return count_rows(cursor, _users_sql(target, settings, search))


def user_property_names(cursor: duckdb.DuckDBPyConnection, target: Target, settings: Any) -> list[str]:
    """Return the names of the latest user properties of ``target``'s users, sorted."""
    actors, params = as_actor_set(target, settings).actors
    relation = (f"SELECT users.properties FROM ({actors}) AS listed JOIN users USING (actor_id)", params)
    names, names_params = property_names_sql("properties", relation)
    return sorted(name for (name,) in cursor.execute(names, names_params).fetchall())


def _page_of_actors_sql(target: Target, settings: Any, properties: Fragment, page: Fragment, order: str) -> Fragment:
    """Return SQL cutting the page from the set's actors first, then reading ``users`` for that page only.

    Only for a sort column of the actor relation and no search: joining
    ``users`` (and reading its device id lists) for every actor of a large
    point cost more than the rest of the page query.
    """
    actors, actor_params = as_actor_set(target, settings).actors
    columns, property_params = properties
    page_sql, page_params = page
    listed = f"SELECT actor_id, events_in_point FROM ({actors}) AS listed {page_sql}"
    sql = (
        f"SELECT listed.actor_id, {DISPLAY_ID} AS user_id, users.first_seen, users.last_seen, "
        f"listed.events_in_point{columns} FROM ({listed}) AS listed LEFT JOIN users USING (actor_id) {order}"
    )
    return sql, property_params + list(actor_params) + page_params


def _page_of_users_sql(target: Target, settings: Any, search: str | None, properties: Fragment, page: Fragment) -> Fragment:
    """Return SQL joining ``users`` to every actor of the set, then sorting, searching and cutting the page."""
    users, users_params = _users_sql(target, settings, search)
    columns, property_params = properties
    page_sql, page_params = page
    sql = f"SELECT listed.*{columns} FROM ({users}) AS listed LEFT JOIN users USING (actor_id) {page_sql}"
    return sql, property_params + users_params + page_params


def _users_sql(target: Target, settings: Any, search: str | None) -> Fragment:
    """Return SQL for the set's users: the user list columns, filtered by ``search``."""
    actors, params = as_actor_set(target, settings).actors
    sql = (
        f"SELECT point_actors.actor_id, {DISPLAY_ID} AS user_id, users.first_seen, users.last_seen, "
        "point_actors.events_in_point "
        f"FROM ({actors}) AS point_actors LEFT JOIN users USING (actor_id)"
    )
    if not search:
        return sql, list(params)
    # ``contains`` matches the text literally: % and _ in a search are not wildcards.
    matches = (
        "contains(lower(users.user_id), lower(?)) "
        "OR list_bool_or(list_transform(users.device_ids, lambda device: contains(lower(device), lower(?))))"
    )
    return f"{sql} WHERE coalesce({matches}, false)", list(params) + [search, search]
