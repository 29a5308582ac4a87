"""The staging tables every format fills, and the checks that split good rows from rejected ones.

A format inserts its rows ``BY NAME`` into the temporary ``raw_events``
table as text, one row per source event. ``check_rows`` then parses the
times, drops the ids that are not user ids, computes each row's dedupe key
and file order, and moves rows that cannot be imported to ``rejected_rows``.
"""

from __future__ import annotations

import duckdb

from tui.store.identity import device_id_sql, user_id_sql
from tui.store.importing.summary import Rejection
from tui.store.importing.timestamps import parse_time_sql

RAW_EVENTS = """
CREATE OR REPLACE TEMP TABLE raw_events (
    file_index           INTEGER NOT NULL,
    source_line          BIGINT NOT NULL,
    source_index         INTEGER NOT NULL DEFAULT 0,  -- position among the events of one line
    event_type           VARCHAR,
    event_time           VARCHAR,
    client_time          VARCHAR,
    user_id              VARCHAR,
    device_id            VARCHAR,
    session_id           VARCHAR,
    insert_id            VARCHAR,
    event_properties     VARCHAR,
    user_properties      VARCHAR,
    groups               VARCHAR,
    platform             VARCHAR,
    os                   VARCHAR,
    country              VARCHAR,
    city                 VARCHAR,
    app_version          VARCHAR,
    sessions_from_source BOOLEAN NOT NULL DEFAULT false,
    -- Set by a format for a row it already knows is bad, such as a line that is not a JSON object.
    problem_field        VARCHAR,
    problem_value        VARCHAR,
    problem              VARCHAR
)
"""

# The checks in the order they are tried: the first that fails names the row's rejection.
# Each is (field, SQL condition that is true for a bad row, value shown, reason).
CHECKS = (
    ("problem_field", "problem IS NOT NULL", "problem_value", "problem"),
    ("event_type", "event_type IS NULL OR trim(event_type) = ''", "event_type", "'missing event type'"),
    ("event_time", "event_time IS NULL OR trim(event_time) = ''", "NULL", "'missing event time'"),
    ("event_time", "parsed_event_time IS NULL", "event_time", "'unparseable timestamp'"),
    ("client_time", "client_time IS NOT NULL AND trim(client_time) <> '' AND parsed_client_time IS NULL",
     "client_time", "'unparseable timestamp'"),
    ("user_id", "clean_user_id IS NULL AND clean_device_id IS NULL", "user_id",
     "'no user id and no device id'"),
    ("event_properties", "NOT json_object_or_null(event_properties)", "event_properties", "'not a JSON object'"),
    ("user_properties", "NOT json_object_or_null(user_properties)", "user_properties", "'not a JSON object'"),
    ("groups", "NOT json_object_or_null(groups)", "groups", "'not a JSON object'"),
)

# CASE, not AND: DuckDB evaluates both sides of AND, and json_type raises on invalid JSON.
JSON_OBJECT_MACRO = """
CREATE OR REPLACE TEMP MACRO json_object_or_null(text) AS
    CASE WHEN text IS NULL THEN true WHEN json_valid(text) THEN json_type(text) = 'OBJECT' ELSE false END
"""


def create_raw_events(cur: duckdb.DuckDBPyConnection) -> None:
    cur.execute(RAW_EVENTS)
    cur.execute(JSON_OBJECT_MACRO)


def check_rows(cur: duckdb.DuckDBPyConnection, source_timezone: str) -> None:
    """Fill ``checked`` from ``raw_events``: parsed times, real ids, and a rejection reason or NULL."""
    field = _first_failing(0)
    value = _first_failing(2)
    reason = _first_failing(3)
    cur.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE checked AS
        WITH parsed AS (
            SELECT *,
                   {parse_time_sql("event_time")} AS parsed_event_time,
                   {parse_time_sql("client_time")} AS parsed_client_time,
                   {user_id_sql("user_id")} AS clean_user_id,
                   {device_id_sql("device_id")} AS clean_device_id
            FROM raw_events
        )
        SELECT *, {field} AS reject_field, {value} AS reject_value, {reason} AS reject_reason
        FROM parsed
        """,
        {"source_timezone": source_timezone},
    )


def _first_failing(part: int) -> str:
    """Return a CASE expression giving part ``part`` of the first check a row fails."""
    branches = []
    for check in CHECKS:
        shown = check[part]
        if part == 0:
            shown = "problem_field" if check[0] == "problem_field" else f"'{check[0]}'"
        elif part == 2 and shown != "NULL":
            shown = f"CAST({shown} AS VARCHAR)"
        branches.append(f"WHEN {check[1]} THEN {shown}")
    return "(CASE " + " ".join(branches) + " END)"


def stage_good_rows(cur: duckdb.DuckDBPyConnection) -> None:
    """Fill ``staged`` with the rows that passed every check, normalised, with file order and dedupe key.

    The dedupe key is the MD5 of the insert id when the source gives one.
    Otherwise it is the MD5 of the normalised row plus its occurrence number
    among identical rows of its file, so repeated identical events in one
    file (two clicks in the same millisecond) are all kept, while importing
    the file again, or another file that repeats it, adds nothing.
    """
    # NOTE: this step and the checks take most of an import's time: about 14 s of
    # 44 s for 2 million Parquet rows on 2 cores, far from the 2M events/s target.
    cur.execute("""
        CREATE OR REPLACE TEMP TABLE staged AS
        WITH good AS (
            SELECT
                file_index,
                row_number() OVER (ORDER BY file_index, source_line, source_index) AS file_order,
                event_type,
                parsed_event_time AS event_time,
                coalesce(parsed_client_time, parsed_event_time) AS client_time,
                clean_user_id AS user_id,
                clean_device_id AS device_id,
                nullif(trim(session_id), '') AS session_id,
                nullif(insert_id, '') AS insert_id,
                CAST(coalesce(event_properties, '{}') AS JSON) AS event_properties,
                CAST(coalesce(user_properties, '{}') AS JSON) AS user_properties,
                CAST(coalesce(groups, '{}') AS JSON) AS groups,
                platform, os, country, city, app_version,
                sessions_from_source
            FROM checked WHERE reject_reason IS NULL
        ),
        keyed AS (
            SELECT *, CASE WHEN insert_id IS NULL THEN md5(to_json(struct_pack(
                event_type, event_time, client_time, user_id, device_id, session_id,
                event_properties, user_properties, groups, platform, os, country, city, app_version)))
            END AS content_hash
            FROM good
        )
        SELECT * EXCLUDE (file_index, content_hash), CASE
            WHEN insert_id IS NOT NULL THEN md5_number('insert_id:' || insert_id)
            ELSE md5_number('content:' || content_hash || ':' || row_number() OVER (
                PARTITION BY file_index, content_hash ORDER BY file_order))
        END AS dedupe_key
        FROM keyed
    """)


def count_rejections(cur: duckdb.DuckDBPyConnection) -> int:
    return cur.execute("SELECT count(*) FROM checked WHERE reject_reason IS NOT NULL").fetchone()[0]


def fetch_rejections(
    cur: duckdb.DuckDBPyConnection, file_names: list[str], field_names: list[dict[str, str]], limit: int
) -> list[Rejection]:
    """Return up to ``limit`` rejections in file order, each field named as its source file names it.

    ``field_names[i]`` maps Loupe field names to the names file ``i`` uses.
    """
    rows = cur.execute(
        """
        SELECT file_index, source_line, reject_field, reject_value, reject_reason FROM checked
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
