"""The SQL of the users CSV: a header row and one row of text cells per user, written by DuckDB's ``COPY``.

Spreadsheet formulas are neutralised here: a text cell starting with ``=``,
``+``, ``-``, ``@``, tab or carriage return gets a leading ``'``. JSON numbers
are not text, so ``-5`` stays ``-5``. Header cells are neutralised the same
way. ``csv_lines_sql`` and ``text_cell_sql`` serve the groups CSV too.

The users of a point counted by groups get a row per (user, group) instead,
with the group's ``group_id`` and ``group_name`` after ``user_id``.
"""

from __future__ import annotations

import duckdb

from tui.analytics.filters import Fragment, json_pointer
from tui.store.users import DISPLAY_ID

FIXED_COLUMNS = ("user_id", "first_seen", "last_seen", "events_in_point")
# The columns after ``user_id`` naming the group a row of a group-counted point stands for.
GROUP_COLUMNS = ("group_id", "group_name")
# First characters that make a spreadsheet read a text cell as a formula.
FORMULA_LEADERS = ("=", "+", "-", "@", "\t", "\r")


def property_keys(cursor: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """Return every user property key of the actors in ``table``, sorted.

    The keys come from the key sets of the listed users, so their JSON is not
    parsed. Users without a key set (rows that the import did not write) get
    their keys from ``json_keys``, so the header has the same keys either way.
    """
    listed = f"{table} JOIN users USING (actor_id)"
    rows = cursor.execute(f"""
        SELECT unnest(property_keys) FROM user_key_sets
        WHERE key_set_id IN (SELECT users.key_set_id FROM {listed})
        UNION
        SELECT unnest(json_keys(users.properties)) FROM {listed} WHERE users.key_set_id IS NULL
    """).fetchall()
    return sorted(key for (key,) in rows)


def users_csv_sql(table: str, keys: list[str], cap: int | None, with_groups: bool = False) -> Fragment:
    """Return the query of the CSV rows: a header row, then up to ``cap`` users (None: all) by user id, every cell text.

    With ``with_groups``, ``table`` has a row per (``actor_id``, ``group_id``),
    and each line is one of them: the user, the group's ``GROUP_COLUMNS``,
    and ``events_in_point`` counting the user's events that named the group.
    Lines of one user follow each other, by group name.
    """
    group_cells = ["CAST(group_id AS VARCHAR)", text_cell_sql("group_name")] if with_groups else []
    cells = [
        text_cell_sql("sort_id"),
        *group_cells,
        _iso_text_sql("first_seen_text"),
        _iso_text_sql("last_seen_text"),
        "CAST(events_in_point AS VARCHAR)",
        *(_property_cell_sql(index) for index in range(1, len(keys) + 1)),
    ]
    sort_keys = ("sort_id", "actor_id", "group_name", "group_id") if with_groups else ("sort_id", "actor_id")
    group_fields = "actors.group_id, groups.group_name, " if with_groups else ""
    group_join = " JOIN groups ON groups.group_id = actors.group_id" if with_groups else ""
    pointers = [json_pointer(key) for key in keys]
    users = (
        f"SELECT {', '.join(sort_keys)}, " + ", ".join(cells)
        + f" FROM (SELECT actors.actor_id, {group_fields}actors.events_in_point, users.properties, "
        f"{DISPLAY_ID} AS sort_id, "
        f"strftime(users.first_seen, '{_TIME_FORMAT}') AS first_seen_text, "
        f"strftime(users.last_seen, '{_TIME_FORMAT}') AS last_seen_text, "
        # One parse of the properties JSON per user gives every key's value.
        "json_extract_string(users.properties, CAST(? AS VARCHAR[])) AS property_text "
        f"FROM {table} AS actors JOIN users USING (actor_id){group_join})"
    )
    header = [FIXED_COLUMNS[0], *(GROUP_COLUMNS if with_groups else ()), *FIXED_COLUMNS[1:], *keys]
    # Each property cell's JSON type check, then the pointer list.
    return csv_lines_sql(header, (users, [*pointers, pointers]), sort_keys, cap)


def csv_lines_sql(header: list[str], rows: Fragment, sort_keys: tuple[str, ...], cap: int | None) -> Fragment:
    """Return the query of a CSV file's lines: the ``header`` cells, then the first ``cap`` of ``rows`` by ``sort_keys``.

    ``rows`` selects the sort keys, then one text cell per header name. The
    header cells are neutralised here, and every cell is text, so the header
    can be the first row of the same query (DuckDB's own header would rename
    duplicate or case-insensitively equal names). ``cap`` None keeps every row.
    """
    columns = [f"c{index}" for index in range(len(header))]
    keys = ", ".join(f"NULL AS {key}" for key in sort_keys)
    header_row = f"SELECT 0 AS part, {keys}, " + ", ".join(f"CAST(? AS VARCHAR) AS {column}" for column in columns)
    rows_sql, rows_params = rows
    sql = (
        f"SELECT {', '.join(columns)} FROM ({header_row} UNION ALL SELECT 1, * FROM ({rows_sql})) "
        # The header row sorts first, so a limit keeps it and ``cap`` rows.
        f"ORDER BY part, {', '.join(sort_keys)}"
    )
    params = [*(neutralise_text(name) for name in header), *rows_params]
    if cap is None:
        # DuckDB 2.0.1 streams a LIMIT above a full sort: a million-row download took 0.5 s longer with one.
        return sql, params
    return f"{sql} LIMIT ?", [*params, cap + 1]


def neutralise_text(text: str) -> str:
    """Return ``text`` with a leading ``'`` when a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_LEADERS) else text


# Code points of the leading characters, because comparing ``ascii(text)`` is cheaper than comparing ``left(text, 1)``.
_LEADER_CODES = ", ".join(str(ord(leader)) for leader in FORMULA_LEADERS)
_LEADER_CODES_BUT_MINUS = ", ".join(str(ord(leader)) for leader in FORMULA_LEADERS if leader != "-")
# ``%z`` is the session's UTC offset, written ``+01`` for whole hours and ``+05:30`` otherwise.
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%f%z"


def text_cell_sql(value: str) -> str:
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
