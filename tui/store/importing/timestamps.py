"""SQL that turns source time text into UTC ``TIMESTAMPTZ``.

Accepted forms, decided per value:

- epoch numbers: seconds, milliseconds (>= 1e11, i.e. after 1973 in ms and
  before year 5138 in seconds) or microseconds (>= 1e14);
- ISO 8601 / RFC 3339 text with an offset (``Z``, ``+02:00``, ``+0200``,
  `` UTC``) or a zone name (`` EST``, `` America/New_York``), converted to UTC;
- ISO text without an offset (``2023-08-24 07:00:00.000000``), read as a wall
  clock time in the source time zone (``--source-timezone``, default UTC).

A column the source already types (Parquet, detected CSV types) is used
as it is: ``TIMESTAMPTZ`` as the instant, ``TIMESTAMP`` and ``DATE`` as wall
clock times in the source zone, numbers as epochs. That gives the same
instants as formatting the value as text and parsing it, without the text.

An unparseable value gives NULL, which the staging step reports as a rejected row.
"""

from __future__ import annotations

from tui.store.importing.summary import ImportFailed
from tui.store.project import ProjectError, check_timezone

# The end of a text that carries its own zone: a time of day followed by an offset, or a letter
# that ends a zone name. The time must come first so that the day in a bare date such as
# 2023-08-24 is not taken for an offset of -24.
ZONED_PATTERN = r"(\d:\d\d(:\d\d(\.\d+)?)?\s*([zZ]|UTC|[+-]\d\d(:?\d\d)?)|[A-Za-z])$"


def check_source_timezone(name: str) -> None:
    """Raise ImportFailed unless ``name`` is an IANA time zone."""
    try:
        check_timezone(name)
    except ProjectError as error:
        raise ImportFailed(f"--source-timezone: {error}") from None


# Passed as ``timezone_parameter``: wall-clock times are in the cursor's own TimeZone setting,
# so a plain cast places them, which is cheaper than DuckDB's timezone() function.
SESSION_ZONE = ""


NUMBER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE")
WALL_CLOCK_TYPES = ("TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS", "DATE")


def time_sql(column: str, type_name: str, timezone_parameter: str = "$source_timezone") -> str:
    """Return a SQL expression that turns ``column`` of DuckDB type ``type_name`` into TIMESTAMPTZ, NULL when invalid."""
    if type_name == "TIMESTAMP WITH TIME ZONE":
        return column
    if type_name in WALL_CLOCK_TYPES:
        return _wall_clock_sql(f"CAST({column} AS TIMESTAMP)", timezone_parameter)
    if type_name in NUMBER_TYPES or type_name.startswith("DECIMAL"):
        return _epoch_sql(f"CAST({column} AS DOUBLE)")
    return parse_time_sql(f"CAST({column} AS VARCHAR)", timezone_parameter)


def _wall_clock_sql(timestamp: str, timezone_parameter: str) -> str:
    """Return SQL for the instant of the TIMESTAMP ``timestamp`` read as a wall clock in the source zone."""
    if timezone_parameter == SESSION_ZONE:
        return f"CAST({timestamp} AS TIMESTAMPTZ)"
    return f"timezone({timezone_parameter}, {timestamp})"


def _epoch_sql(number: str) -> str:
    """Return SQL for the instant of the epoch ``number`` in seconds, milliseconds or microseconds.

    TRY turns a number beyond DuckDB's timestamp range (``1e300``, ``inf``) into NULL, so
    the row is rejected instead of failing the import.
    """
    return f"""TRY(to_timestamp(CASE
            WHEN abs({number}) >= 1e14 THEN {number} / 1e6
            WHEN abs({number}) >= 1e11 THEN {number} / 1e3
            ELSE {number} END))"""


def parse_time_sql(column: str, timezone_parameter: str = "$source_timezone") -> str:
    """Return a SQL expression that parses the VARCHAR ``column`` into TIMESTAMPTZ, NULL when invalid.

    ``column`` is a quoted identifier or expression built by the caller, never
    data. The source zone is bound as the named parameter ``timezone_parameter``,
    or is the cursor's TimeZone when that is ``SESSION_ZONE``.
    The cursor's TimeZone must be UTC, because text with an offset is cast
    with the session zone as the fallback.
    """
    # The casts skip spaces around a value by themselves, and only the offset tests look at the end
    # of the text. So only trailing spaces are trimmed, and only when there are some, because trim()
    # copied every value and took a quarter of the parsing time (DuckDB 2.0.1, 2M values, one thread).
    text = f"(CASE WHEN ends_with({column}, ' ') THEN rtrim({column}) ELSE {column} END)"
    number = f"try_cast({text} AS DOUBLE)"
    wall_clock = _wall_clock_sql(f"try_cast({text} AS TIMESTAMP)", timezone_parameter)
    # Zoned text goes to the cast that reads zones. The TIMESTAMP cast skips a zone name ("07:00 EST"
    # became 07:00 in the source zone); a name DuckDB does not know gives NULL. One search of the end
    # of the text cost less than the five cheap tests that guarded it before (DuckDB 2.0.1, one thread).
    zoned = f"regexp_matches({text}, '{ZONED_PATTERN}')"
    return f"""(CASE
        WHEN NOT contains({text}, ':') THEN (CASE WHEN {number} IS NOT NULL THEN {_epoch_sql(number)} ELSE {wall_clock} END)
        WHEN {zoned} THEN try_cast({text} AS TIMESTAMPTZ)
        ELSE {wall_clock}
    END)"""
