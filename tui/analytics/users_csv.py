"""The SQL of the users CSV: a header row and one row of text cells per user, written by DuckDB's ``COPY``.

Spreadsheet formulas are neutralised here: a text cell starting with ``=``,
``+``, ``-``, ``@``, tab or carriage return gets a leading ``'``. JSON numbers
are not text, so ``-5`` stays ``-5``. Header cells are neutralised the same
way. Every cell is text, so the header can be the first row of the same query
(DuckDB's own header would rename duplicate or case-insensitively equal names).
"""

from __future__ import annotations

import duckdb

from tui.analytics.filters import Fragment, json_pointer
from tui.store.users import DISPLAY_ID

FIXED_COLUMNS = ("user_id", "first_seen", "last_seen", "events_in_point")
# First characters that make a spreadsheet read a text cell as a formula.
FORMULA_LEADERS = ("=", "+", "-", "@", "\t", "\r")


def property_keys(cursor: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """Return every user property key of the actors in ``table``, sorted."""
    rows = cursor.execute(
        f"SELECT DISTINCT unnest(json_keys(users.properties)) FROM {table} JOIN users USING (actor_id)"
    ).fetchall()
    return sorted(key for (key,) in rows)


def users_csv_sql(table: str, keys: list[str], cap: int) -> Fragment:
    """Return the query of the CSV rows: a header row, then up to ``cap`` users by user id, every cell text."""
    header_cells = [neutralise_text(name) for name in (*FIXED_COLUMNS, *keys)]
    columns = [f"c{index}" for index in range(len(header_cells))]
    header = "SELECT 0 AS part, NULL AS sort_id, NULL AS actor_id, " + ", ".join(
        f"CAST(? AS VARCHAR) AS {column}" for column in columns
    )

    cells = [
        _text_cell_sql("sort_id"),
        _iso_text_sql("first_seen_text"),
        _iso_text_sql("last_seen_text"),
        "CAST(events_in_point AS VARCHAR)",
        *(_property_cell_sql(index) for index in range(1, len(keys) + 1)),
    ]
    pointers = [json_pointer(key) for key in keys]
    users = (
        "SELECT 1, sort_id, actor_id, " + ", ".join(f"{cell} AS {column}" for cell, column in zip(cells, columns))
        + " FROM (SELECT actors.actor_id, actors.events_in_point, users.properties, "
        f"{DISPLAY_ID} AS sort_id, "
        f"strftime(users.first_seen, '{_TIME_FORMAT}') AS first_seen_text, "
        f"strftime(users.last_seen, '{_TIME_FORMAT}') AS last_seen_text, "
        # One parse of the properties JSON per user gives every key's value.
        "json_extract_string(users.properties, CAST(? AS VARCHAR[])) AS property_text "
        f"FROM {table} AS actors JOIN users USING (actor_id))"
    )
    sql = (
        f"SELECT {', '.join(columns)} FROM ({header} UNION ALL {users}) "
        # The header row sorts first, so the limit keeps it and ``cap`` users.
        "ORDER BY part, sort_id, actor_id LIMIT ?"
    )
    # Parameters in the order their ``?`` appear: header, each cell's JSON type check, the pointer list, the limit.
    return sql, [*header_cells, *pointers, pointers, cap + 1]


def neutralise_text(text: str) -> str:
    """Return ``text`` with a leading ``'`` when a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_LEADERS) else text


# Code points of the leading characters, because comparing ``ascii(text)`` is cheaper than comparing ``left(text, 1)``.
_LEADER_CODES = ", ".join(str(ord(leader)) for leader in FORMULA_LEADERS)
_LEADER_CODES_BUT_MINUS = ", ".join(str(ord(leader)) for leader in FORMULA_LEADERS if leader != "-")
# ``%z`` is the session's UTC offset, written ``+01`` for whole hours and ``+05:30`` otherwise.
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%f%z"


def _text_cell_sql(value: str) -> str:
    """Return SQL for the text ``value`` with a leading ``'`` when it starts like a formula."""
    return f"CASE WHEN ascii({value}) IN ({_LEADER_CODES}) THEN '''' || {value} ELSE {value} END"


def _iso_text_sql(text: str) -> str:
    """Return SQL turning ``_TIME_FORMAT`` text into what Python's ``isoformat`` writes, as ``loupe users`` prints.

    Zero microseconds are dropped, and a whole-hour offset gets its ``:00``.
    """
    trimmed = f"replace({text}, '.000000', '')"
    return f"(CASE WHEN {text}[-3] IN ('+', '-') THEN {trimmed} || ':00' ELSE {trimmed} END)"


def _property_cell_sql(index: int) -> str:
    """Return SQL for the ``index``-th (1-based) property cell: numbers as written, text neutralised.

    A JSON value can start with ``-`` only when it is a number or a string, so
    the JSON type is read only for those cells, which keeps the common case to
    one JSON parse per user.
    """
    text = f"property_text[{index}]"
    return (
        f"CASE WHEN ascii({text}) IN ({_LEADER_CODES_BUT_MINUS}) THEN '''' || {text} "
        f"WHEN ascii({text}) = {ord('-')} AND json_type(properties, ?) = 'VARCHAR' THEN '''' || {text} "
        f"ELSE {text} END"
    )
