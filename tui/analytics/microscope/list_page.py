"""The sort, the page bounds and the count of a microscope list (users, groups), shared by every list query."""

from __future__ import annotations

import duckdb

from tui.analytics.filters import Fragment
from tui.analytics.microscope.actor_set import MicroscopeError


def page_clause(
    sort: str,
    descending: bool,
    offset: int,
    limit: int | None,
    sort_columns: tuple[str, ...],
    key: str,
    noun: str,
) -> Fragment:
    """Return the ``ORDER BY … LIMIT ? OFFSET ?`` clause of one page of a subquery aliased ``listed``.

    Ties in ``sort`` are ordered by ``key``, a column unique per row, so pages
    never overlap. ``limit=None`` returns every row from ``offset``. Raises
    MicroscopeError naming ``noun`` (``user``, ``group``) when ``sort`` is
    not one of ``sort_columns``.
    """
    order = order_clause(sort, descending, sort_columns, key, noun)
    # DuckDB reads a NULL limit as "no limit".
    return f"{order} LIMIT ? OFFSET ?", [None if limit is None else int(limit), int(offset)]


def order_clause(sort: str, descending: bool, sort_columns: tuple[str, ...], key: str, noun: str) -> str:
    """Return the ``ORDER BY`` clause of ``page_clause`` without its bounds, for a subquery aliased ``listed``."""
    # ``sort`` is spliced into the SQL, so only a known column name gets that far.
    if sort not in sort_columns:
        raise MicroscopeError(f"sort: {sort!r} is not a {noun} list column. Sort by one of {', '.join(sort_columns)}.")
    direction = "DESC" if descending else "ASC"
    return f"ORDER BY listed.{sort} {direction} NULLS LAST, listed.{key}"


def count_rows(cursor: duckdb.DuckDBPyConnection, rows: Fragment) -> int:
    """Return how many rows the query ``rows`` returns."""
    sql, params = rows
    return cursor.execute(f"SELECT count(*) FROM ({sql})", params).fetchall()[0][0]
