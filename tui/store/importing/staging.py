"""The staging table every format fills, and the checks that split good rows from rejected ones.

A format builds a SELECT of *raw* columns (``RAW_COLUMNS``, any subset, any
types) for one file and hands it to ``insert_raw_rows``. That function
wraps it in one statement that parses the times, drops the ids that are not
user ids, checks each row and computes its dedupe key. The statement appends
the rows to the temporary ``staged`` table, so every source row is read and
written once.

``staged`` keeps the source's row order: DuckDB keeps insertion order
(``preserve_insertion_order``, on by default), so ``rowid`` is the row's
position in the import, which later gives ``seq``.
"""

from __future__ import annotations

import logging
import re

import duckdb

from tui.store.identity import device_id_sql, user_id_sql
from tui.store.importing.keys import content_key_sql, insert_key_sql
from tui.store.statements import run, scalar
from tui.store.importing.summary import ImportFailed, Rejection
from tui.store.importing.timestamps import SESSION_ZONE, time_sql

log = logging.getLogger(__name__)

STAGED = """
CREATE OR REPLACE TEMP TABLE staged (
    file_index           INTEGER NOT NULL,
    source_line          BIGINT NOT NULL,
    source_index         INTEGER NOT NULL,  -- position among the events of one line
    event_type           VARCHAR,
    event_time           TIMESTAMPTZ,
    client_time          TIMESTAMPTZ,
    user_id              VARCHAR,
    device_id            VARCHAR,
    session_id           VARCHAR,
    insert_id            VARCHAR,
    event_properties     JSON,
    user_properties      JSON,
    groups               JSON,
    -- Group type -> group name -> properties; kept apart from the event's columns, see refresh.py.
    group_properties     JSON,
    platform             VARCHAR,
    os                   VARCHAR,
    country              VARCHAR,
    city                 VARCHAR,
    app_version          VARCHAR,
    sessions_from_source BOOLEAN NOT NULL,
    dedupe_key           UHUGEINT,
    -- A source record that holds no event, such as an Airbyte record of another stream.
    skipped              BOOLEAN NOT NULL,
    reject_field         VARCHAR,
    reject_value         VARCHAR,
    reject_reason        VARCHAR,
    -- Set by the dedupe step for a row the project or an earlier row of this import already has.
    duplicate            BOOLEAN NOT NULL DEFAULT false
)
"""

# Columns a format's SELECT may give, with the value used when it gives none.
RAW_COLUMNS = {
    "file_index": None,  # required
    "source_line": None,  # required
    "source_index": "0",
    "event_type": "NULL",
    "event_time": "NULL",
    "client_time": "NULL",
    "user_id": "NULL",
    "device_id": "NULL",
    "session_id": "NULL",
    "insert_id": "NULL",
    "event_properties": "NULL",
    "user_properties": "NULL",
    "groups": "NULL",
    "group_properties": "NULL",
    "platform": "NULL",
    "os": "NULL",
    "country": "NULL",
    "city": "NULL",
    "app_version": "NULL",
    "sessions_from_source": "false",
    "skipped": "false",
    # Set by a format for a row it has already found bad, such as a line that is not a JSON object.
    "problem_field": "NULL",
    "problem_value": "NULL",
    "problem": "NULL",
}

JSON_FIELDS = ("event_properties", "user_properties", "groups", "group_properties")
TEXT_FIELDS = ("event_type", "platform", "os", "country", "city", "app_version")

# CASE, not AND: DuckDB evaluates both sides of AND, and json_type raises on invalid JSON.
JSON_OBJECT_MACRO = """
CREATE OR REPLACE TEMP MACRO json_object_or_null(text) AS
    CASE WHEN text IS NULL THEN true WHEN json_valid(text) THEN json_type(text) = 'OBJECT' ELSE false END
"""


def create_staging(cur: duckdb.DuckDBPyConnection) -> None:
    """Create the empty ``staged`` table and the SQL macro the formats use."""
    cur.execute(STAGED)
    cur.execute(JSON_OBJECT_MACRO)


def insert_raw_rows(cur: duckdb.DuckDBPyConnection, job, select: str, parameters: dict) -> None:
    """Check and normalise the rows of ``select`` and append them to ``staged``.

    ``select`` names its columns as ``RAW_COLUMNS`` does; ``job`` is the
    format's ``FileJob``, which gives the source time zone and names the file
    in an error. Raises ImportFailed when DuckDB cannot evaluate the rows.
    """
    try:
        _insert(cur, job, select, parameters)
    except duckdb.Error as error:
        # The file is read during this statement, so a truncated file fails here too.
        log.exception("reading and checking the rows of %s failed", job.name)
        raise ImportFailed(
            f"Cannot read the rows of {job.name}: {str(error).strip().splitlines()[0]}. "
            "Check that the file is complete and in the stated format."
        ) from None


def insert_numbered_on_demand(cur: duckdb.DuckDBPyConnection, job, build_select, parameters: dict) -> None:
    """Stage ``build_select(numbered)`` for one file, numbering its lines only when a row needs it.

    Numbering rows (ROW_NUMBER() OVER () on the reader) makes DuckDB keep the
    reader's order through the plan: reading and parsing 1 million Amplitude
    lines (1.5 GB) took 2.5 s instead of 1.5 s (DuckDB 2.0.1, 2 cores).
    File order does not need the numbers, because
    ``staged`` keeps insertion order; only rejection messages do. So the file
    is staged with line number 0 first, and staged again with numbers when
    one of its rows was rejected. ``build_select(False)`` may also raise on a
    bad row (invalid JSON, say) where the numbered form rejects it. Such an
    error leads to the numbered form too.
    """
    try:
        _insert(cur, job, build_select(False), parameters)
    except duckdb.InterruptException:
        raise
    except duckdb.Error as error:
        # A failed statement writes nothing, so the numbered form starts from a clean state.
        log.info("staging %s without line numbers failed (%s); staging it with them", job.name, error)
        insert_raw_rows(cur, job, build_select(True), parameters)
        return

    rejected = scalar(cur, "count file rejections",
                      "SELECT count(*) FROM staged WHERE file_index = ? AND reject_reason IS NOT NULL",
                      [job.file_index])
    if rejected:
        # The file's rows are the last in ``staged``, so the new copies take their place in file order.
        run(cur, "drop unnumbered rows", "DELETE FROM staged WHERE file_index = ?", [job.file_index])
        insert_raw_rows(cur, job, build_select(True), parameters)


def _insert(cur: duckdb.DuckDBPyConnection, job, select: str, parameters: dict) -> None:
    types = _column_types(cur, select, _used_parameters(select, parameters))
    sql = f"INSERT INTO staged BY NAME {_checked_select(select, types, job.source_timezone)}"
    run(cur, f"stage {job.name}", sql, _used_parameters(sql, {**parameters, "source_timezone": job.source_timezone}))


def _used_parameters(sql: str, parameters: dict) -> dict:
    """Return the named ``parameters`` that ``sql`` uses, because DuckDB rejects an unused one.

    Only some forms of a format's SELECT use each parameter, and only text and wall-clock
    times in a zone other than UTC use ``$source_timezone``.
    """
    return {name: value for name, value in parameters.items() if re.search(rf"\${name}\b", sql)}


def _column_types(cur: duckdb.DuckDBPyConnection, select: str, parameters: dict) -> dict[str, str]:
    """Return column name -> DuckDB type of ``select``, planning it without reading rows."""
    description = cur.execute(f"SELECT * FROM ({select}) LIMIT 0", parameters).description
    unknown = [name for name, *_ in description if name not in RAW_COLUMNS]
    if unknown:
        raise ValueError(f"staging SELECT has columns that staged does not know: {unknown}")
    return {name: str(type_name) for name, type_name, *_ in description}


def _checked_select(select: str, types: dict[str, str], source_timezone: str = "UTC") -> str:
    """Return the SELECT that turns raw rows into ``staged`` rows.

    Layers, innermost first: the format's rows with defaults for missing
    columns; parsed values; the number of the first failed check and the
    stored values; the rejection's text and the dedupe key. Each layer
    computes its expressions once, and the checks run as one CASE, so a
    later check only looks at the rows that passed the earlier ones.
    ``source_timezone`` is the zone of wall-clock times in the source.
    """
    raw = ", ".join(
        f"raw.{name} AS {name}" if name in types else f"{default} AS {name}"
        for name, default in RAW_COLUMNS.items()
    )
    checks = _checks(types)
    failed = " ".join(f"WHEN {condition} THEN {number}" for number, (_, condition, _, _) in enumerate(checks, 1))
    json_values = ", ".join(f"coalesce({name}_json, '{{}}') AS {name}" for name in JSON_FIELDS)
    shown_values = ", ".join(f"{value} AS shown_{number}" for number, (_, _, value, _) in enumerate(checks, 1))
    return f"""
        SELECT * EXCLUDE (failed_check, problem_field, problem_value, problem, {_shown_names(checks)}),
               {_describe_failure(checks, 0)} AS reject_field,
               {_describe_failure(checks, 2)} AS reject_value,
               {_describe_failure(checks, 3)} AS reject_reason,
               CASE WHEN insert_id IS NOT NULL THEN {insert_key_sql("insert_id")}
                    ELSE {content_key_sql()} END AS dedupe_key,
               false AS duplicate
        FROM (
            SELECT file_index, source_line, source_index, event_type, parsed_event_time AS event_time,
                   coalesce(parsed_client_time, parsed_event_time) AS client_time, user_id, device_id,
                   session_id, insert_id, {json_values}, platform, os, country, city, app_version,
                   sessions_from_source, skipped, problem_field, problem_value, problem,
                   CASE WHEN skipped THEN NULL {failed} END AS failed_check,
                   {shown_values}
            FROM ({_parsed_select(types, source_timezone)} FROM (SELECT {raw} FROM ({select}) AS raw))
        )
    """


def _parsed_select(types: dict[str, str], source_timezone: str) -> str:
    """Return the SELECT list of parsed values, keeping the raw values the checks show."""
    def typed(name: str) -> str:
        return types.get(name, "VARCHAR")

    # The import's cursor runs with TimeZone UTC, so a UTC source needs no time zone conversion per value.
    zone = SESSION_ZONE if source_timezone == "UTC" else "$source_timezone"
    columns = [
        "file_index", "source_line", "source_index", "sessions_from_source", "skipped",
        "problem_field", "problem_value", "problem",
        f"{time_sql('event_time', typed('event_time'), zone)} AS parsed_event_time",
        f"{time_sql('client_time', typed('client_time'), zone)} AS parsed_client_time",
        f"{user_id_sql(_text('user_id'))} AS user_id",
        f"{device_id_sql(_text('device_id'))} AS device_id",
        f"nullif(trim({_text('session_id')}), '') AS session_id",
        f"nullif({_text('insert_id')}, '') AS insert_id",
        "event_time AS raw_event_time",
        "client_time AS raw_client_time",
        "user_id AS raw_user_id",
    ]
    columns += [f"{_text(name)} AS {name}" for name in TEXT_FIELDS]
    for name in JSON_FIELDS:
        # JSON null counts as a missing field: a JSON reader gives NULL for both, so every reader agrees.
        columns.append(f"nullif({_text(name)}, 'null') AS raw_{name}")
        columns.append(f"{_json_value(name, typed(name))} AS {name}_json")
    return "SELECT " + ", ".join(columns)


def _json_value(name: str, type_name: str) -> str:
    """Return SQL for field ``name`` as JSON, NULL when it is missing, JSON null or (as text) invalid JSON."""
    if type_name == "JSON":
        # A JSON reader wrote the value, so it is valid already and needs no second parse.
        return f"CASE WHEN raw_{name} IS NULL THEN NULL ELSE {name} END"
    # TRY_CAST parses the text once. NULL then means invalid JSON, which the checks reject.
    return f"TRY_CAST(raw_{name} AS JSON)"


def _text(name: str) -> str:
    return f"CAST({name} AS VARCHAR)"


def _missing(column: str, type_name: str) -> str:
    """Return SQL that is true when ``column`` is NULL or, as text, empty or only spaces."""
    if type_name not in ("VARCHAR", "JSON"):
        return f"({column} IS NULL)"
    # CASE trims only the rare values that start with a space.
    return (
        f"({column} IS NULL OR CASE WHEN {column} = '' THEN true "
        f"WHEN starts_with({column}, ' ') THEN trim({column}) = '' ELSE false END)"
    )


# JSON allows these white-space characters before a value.
JSON_WHITE_SPACE = "(' ' || chr(9) || chr(10) || chr(13))"


def _is_object(name: str) -> str:
    """Return SQL that is true when the JSON field ``name`` is missing or a JSON object."""
    parsed = f"{name}_json"
    return (
        f"(raw_{name} IS NULL OR (CASE WHEN {parsed} IS NULL THEN false "
        f"WHEN starts_with({parsed}, '{{') THEN true "
        f"ELSE starts_with(ltrim({parsed}, {JSON_WHITE_SPACE}), '{{') END))"
    )


def _checks(types: dict[str, str]) -> list[tuple[str, str, str, str]]:
    """Return the checks in the order they are tried: the first that fails names the row's rejection.

    Each is (field, SQL condition that is true for a bad row, value shown,
    reason). A time is checked for being missing only when it did not
    parse, so a good row never formats its time as text.
    """
    event_time_missing = _missing("raw_event_time", types.get("event_time", "VARCHAR"))
    client_time_missing = _missing("raw_client_time", types.get("client_time", "VARCHAR"))
    return [
        ("problem_field", "problem IS NOT NULL", "problem_value", "problem"),
        ("event_type", _missing("event_type", "VARCHAR"), "event_type", "'missing event type'"),
        ("event_time", f"parsed_event_time IS NULL AND {event_time_missing}", "NULL", "'missing event time'"),
        ("event_time", "parsed_event_time IS NULL", "raw_event_time", "'unparseable timestamp'"),
        ("client_time", f"parsed_client_time IS NULL AND NOT {client_time_missing}", "raw_client_time",
         "'unparseable timestamp'"),
        ("user_id", "user_id IS NULL AND device_id IS NULL", "raw_user_id", "'no user id and no device id'"),
    ] + [(name, f"NOT {_is_object(name)}", f"raw_{name}", "'not a JSON object'") for name in JSON_FIELDS]


def _shown_names(checks: list) -> str:
    return ", ".join(f"shown_{number}" for number in range(1, len(checks) + 1))


def _describe_failure(checks: list, part: int) -> str:
    """Return a CASE on ``failed_check`` giving part ``part`` of that check: 0 field, 2 value, 3 reason."""
    branches = []
    for number, check in enumerate(checks, 1):
        if part == 0:
            shown = "problem_field" if check[0] == "problem_field" else f"'{check[0]}'"
        elif part == 2:
            shown = f"CAST(shown_{number} AS VARCHAR)"
        else:
            shown = check[3]
        branches.append(f"WHEN {number} THEN {shown}")
    return f"(CASE failed_check {' '.join(branches)} END)"


def count_staged(cur: duckdb.DuckDBPyConnection) -> tuple[int, int, int]:
    """Return (source records, skipped records, rejected rows) of everything staged so far."""
    return tuple(run(cur, "count staged rows", """
        SELECT count(*), count(*) FILTER (WHERE skipped), count(*) FILTER (WHERE reject_reason IS NOT NULL)
        FROM staged
    """).fetchall()[0])


def count_skipped(cur: duckdb.DuckDBPyConnection, file_index: int) -> int:
    """Return how many records of file ``file_index`` were skipped because they contain no event."""
    return scalar(cur, "count skipped records", "SELECT count(*) FROM staged WHERE file_index = ? AND skipped",
                  [file_index])


def fetch_rejections(
    cur: duckdb.DuckDBPyConnection, file_names: list[str], field_names: list[dict[str, str]], limit: int
) -> list[Rejection]:
    """Return up to ``limit`` rejections in file order, each field named as its source file names it.

    ``field_names[i]`` maps Loupe field names to the names file ``i`` uses.
    """
    rows = run(
        cur,
        "fetch rejections",
        """
        SELECT file_index, source_line, reject_field, reject_value, reject_reason FROM staged
        WHERE reject_reason IS NOT NULL
        ORDER BY file_index, source_line, source_index LIMIT ?
        """,
        [limit],
    ).fetchall()
    return [
        Rejection(
            file=file_names[index], line=line, field=field_names[index].get(field, field), value=value, reason=reason
        )
        for index, line, field, value, reason in rows
    ]
