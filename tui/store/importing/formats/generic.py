"""Generic CSV, JSON lines and Parquet, with ``--map FIELD=SOURCE`` for the column names.

Each Loupe field is read from the column ``--map`` names, else from the first
column (or top-level key) matching one of ``DEFAULT_NAMES`` in any letter
case. ``event_properties``, ``user_properties``, ``groups``, ``platform``,
``os``, ``country``, ``city`` and ``app_version`` columns are taken as they
are. Every other column becomes an event property, merged over the
``event_properties`` column when there is one; empty values are left out.

Times without an offset are read in ``--source-timezone``; epoch seconds,
milliseconds and microseconds are accepted (see ``timestamps``). There is no
separate device time unless ``client_time`` is mapped or present. Sessions
come from the ``session_id`` column when the file has one, where an empty
value or ``-1`` means out of session; otherwise from the inactivity gap.
"""

from __future__ import annotations

import duckdb

from tui.store.importing.formats.base import (
    MAPPABLE_FIELDS,
    FileJob,
    StagedFile,
    describe_time_fields,
    json_path,
    removal_patch,
)
from tui.store.importing.csv_lines import renumber_rejections
from tui.store.importing.formats.jsonlines import (
    Extraction,
    file_top_level_keys,
    is_written_object,
    stage_lines_direct,
)
from tui.store.importing.sources import (
    CSV_FULL_SAMPLE_READER,
    CSV_READER,
    PARQUET_READER,
    SourceRecords,
    open_records,
    quote_identifier,
)
from tui.store.importing.staging import insert_numbered_on_demand
from tui.store.importing.summary import ImportFailed

DEFAULT_NAMES = {
    "event_type": ("event_type", "event", "event_name", "name", "action"),
    "event_time": ("event_time", "timestamp", "time", "ts", "created_at", "datetime"),
    "client_time": ("client_time", "client_event_time", "device_time"),
    "user_id": ("user_id", "userid", "distinct_id", "uid", "customer_id"),
    "device_id": ("device_id", "anonymous_id", "anonymousid", "cookie_id"),
    "session_id": ("session_id", "sessionid"),
    "insert_id": ("insert_id", "$insert_id", "event_id", "uuid", "message_id"),
}

EMPTY_OBJECT = "'{}'"

# Columns copied to the staging column of the same name.
PASS_THROUGH = ("event_properties", "user_properties", "groups", "platform", "os", "country", "city", "app_version")


def stage_csv(cur: duckdb.DuckDBPyConnection, job: FileJob) -> StagedFile:
    records = open_records(cur, job.path, CSV_READER, first_line=2, numbered_reader=CSV_FULL_SAMPLE_READER)
    staged = _stage_records(cur, job, records)
    renumber_rejections(cur, job)
    return staged


def stage_parquet(cur: duckdb.DuckDBPyConnection, job: FileJob) -> StagedFile:
    return _stage_records(cur, job, open_records(cur, job.path, PARQUET_READER, first_line=1))


def stage_jsonl(cur: duckdb.DuckDBPyConnection, job: FileJob, *, merge_shortcut: bool = True) -> StagedFile:
    """Stage a JSON-lines file of flat event objects.

    ``merge_shortcut=False`` always takes the two-step merge of ``_jsonl_event_properties``.
    Tests use it to check that the shortcut stages the same rows.
    """
    top_level_keys_found = file_top_level_keys(cur, job.path)
    columns = choose_columns(top_level_keys_found, job)
    extraction = Extraction()

    def json_value(key: str) -> str:
        return extraction.json_value(json_path(key))

    leftover = [key for key in top_level_keys_found if key not in columns.values()]
    fields = {field: column for field, column in columns.items() if field != "event_properties"}
    line_properties = json_value(columns["event_properties"]) if "event_properties" in columns else None
    event_properties = _jsonl_event_properties(line_properties, bool(leftover), merge_shortcut)
    parts = _field_columns(fields, extraction.key, json_value, rest=event_properties, line="source_line")
    parameters = {**extraction.parameters(), "top_level_keys": top_level_keys_found}
    if leftover:
        parameters["removed"] = removal_patch(columns.values())
    stage_lines_direct(cur, job, extraction, parts, parameters)
    return _staged(columns)


def _jsonl_event_properties(line_properties: str | None, has_leftover: bool, merge_shortcut: bool) -> str:
    """Return SQL for a line's event properties: its other top-level keys merged over ``line_properties``.

    ``line_properties`` is SQL for the line's ``event_properties`` value
    (JSON), or None when the file has no such key. The other keys are the
    line without the keys used for fields, and their nulls are left out. The
    result is typed JSON, so staging does not parse it again. A
    ``line_properties`` that is not an object stays as sent, and staging rejects it.
    """
    rest = "json_merge_patch('{}', line, $removed)"
    if line_properties is None:
        return rest if has_leftover else EMPTY_OBJECT
    if not has_leftover:
        return line_properties
    target = f"coalesce({line_properties}, '{{}}')"
    two_steps = f"json_merge_patch({target}, {rest})"
    if not merge_shortcut:
        return f"CASE WHEN {is_written_object(line_properties)} THEN {two_steps} ELSE {line_properties} END"
    # Patching with the whole line and then $removed skips writing ``rest`` and parsing it twice. Over 200k
    # lines of 55 keys the merge took about 1.3 s of CPU instead of 1.85 s (DuckDB 2.0.1, 2 busy cores). It
    # gives the same object only when no key of ``line_properties`` is a top-level key of the file, because
    # a key of both would be merged, deleted by a top-level null, or removed as a field's column.
    # ``line`` is NULL on a rejected line, where json_merge_patch would skip it.
    one_step = f"json_merge_patch({target}, line, $removed)"
    keys_apart = f"({line_properties} IS NULL OR NOT list_has_any(json_keys({line_properties}), $top_level_keys))"
    return f"""CASE WHEN NOT {is_written_object(line_properties)} THEN {line_properties}
        WHEN line IS NOT NULL AND {keys_apart} THEN {one_step}
        ELSE {two_steps} END"""


def choose_columns(available: list[str], job: FileJob) -> dict[str, str]:
    """Return Loupe field -> source column for ``job``'s file, raising ImportFailed for what is missing."""
    chosen = {field: _mapped_column(field, source, available, job) for field, source in job.mapping.items()}
    lowered = {name.lower(): name for name in reversed(available)}
    for field, candidates in DEFAULT_NAMES.items():
        if field in chosen:
            continue
        found = next((lowered[name] for name in candidates if name in lowered), None)
        if found is not None and found not in chosen.values():
            chosen[field] = found
    for name in PASS_THROUGH:
        if name in lowered and lowered[name] not in chosen.values():
            chosen[name] = lowered[name]
    _require(chosen, available, job)
    return chosen


def _mapped_column(field: str, source: str, available: list[str], job: FileJob) -> str:
    if field not in MAPPABLE_FIELDS:
        raise ImportFailed(f"--map {field}={source}: unknown field {field!r}; use one of {', '.join(MAPPABLE_FIELDS)}.")
    if source not in available:
        raise ImportFailed(
            f"--map {field}={source}: {job.name} has no column {source!r}. "
            f"Its columns are: {_list(available)}."
        )
    return source


def _require(chosen: dict[str, str], available: list[str], job: FileJob) -> None:
    for field in ("event_type", "event_time"):
        if field not in chosen:
            raise ImportFailed(
                f"{job.name} has no {field} column (looked for {', '.join(DEFAULT_NAMES[field])}). "
                f"Name it with --map {field}=COLUMN; the file's columns are: {_list(available)}."
            )
    if "user_id" not in chosen and "device_id" not in chosen:
        raise ImportFailed(
            f"{job.name} has no user id or device id column. Name one with --map user_id=COLUMN "
            f"or --map device_id=COLUMN; the file's columns are: {_list(available)}."
        )


def _stage_records(cur: duckdb.DuckDBPyConnection, job: FileJob, records: SourceRecords) -> StagedFile:
    """Stage a CSV or Parquet file straight from its reader, typed columns kept for the staging checks."""
    columns = choose_columns(records.columns, job)

    def value(column: str) -> str:
        return f"record.{quote_identifier(column)}"

    # Columns not used for a field become event properties; the merge patch onto {} leaves nulls out.
    leftover = [name for name in records.columns if name not in columns.values()]
    pairs = ", ".join(f"$key_{index}, {value(name)}" for index, name in enumerate(leftover))
    rest = f"json_merge_patch('{{}}', json_object({pairs}))" if leftover else None
    parts = _field_columns(columns, value, value, rest=rest, line="line_number")
    insert_numbered_on_demand(
        cur,
        job,
        lambda numbered: f"SELECT $file_index AS file_index, {', '.join(parts)} FROM ({records.select(numbered)})",
        {"path": str(job.path), "file_index": job.file_index,
         **{f"key_{index}": name for index, name in enumerate(leftover)}},
    )
    return _staged(columns)


def _field_columns(columns: dict[str, str], value, json_value, rest: str | None, line: str) -> list[str]:
    """Return the SELECT list that turns one source record into staging columns.

    ``value(column)`` and ``json_value(column)`` give SQL for a column's value
    and for it as JSON text. ``rest`` is SQL for the JSON object of the other
    columns, or None when there are none.
    """
    parts = [f"{line} AS source_line"]
    for field, column in columns.items():
        if field != "event_properties":
            getter = json_value if field in ("user_properties", "groups") else value
            parts.append(f"{getter(column)} AS {field}")
    if "event_properties" in columns:
        given = json_value(columns["event_properties"])
        merged = given if rest is None else (
            f"CASE WHEN json_object_or_null({given}) THEN json_merge_patch(coalesce({given}, '{{}}'), {rest}) "
            f"ELSE {given} END"
        )
        parts.append(f"{merged} AS event_properties")
    else:
        parts.append(f"{rest or EMPTY_OBJECT} AS event_properties")
    parts.append(f"{'true' if 'session_id' in columns else 'false'} AS sessions_from_source")
    return parts


def _staged(columns: dict[str, str]) -> StagedFile:
    return StagedFile(
        field_names={field: column for field, column in columns.items()},
        time_fields=describe_time_fields(columns["event_time"], columns.get("client_time")),
    )


def _list(names: list[str], limit: int = 20) -> str:
    shown = ", ".join(repr(name) for name in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")
