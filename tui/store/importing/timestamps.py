"""SQL that turns source time text into UTC ``TIMESTAMPTZ``.

Accepted forms, decided per value:

- epoch numbers: seconds, milliseconds (>= 1e11, i.e. after 1973 in ms and
  before year 5138 in seconds) or microseconds (>= 1e14);
- ISO 8601 / RFC 3339 text with an offset (``Z``, ``+02:00``, ``+0200``,
  `` UTC``), converted to UTC;
- ISO text without an offset (``2023-08-24 07:00:00.000000``), read as a wall
  clock time in the source time zone (``--source-timezone``, default UTC).

An unparseable value gives NULL, which the staging step reports as a rejected row.
"""

from __future__ import annotations

from tui.store.importing.summary import ImportFailed
from tui.store.project import ProjectError, check_timezone

# A time of day followed by an offset: the text carries its own zone. The time
# must come first so that the day in a bare date such as 2023-08-24 is not
# taken for an offset of -24.
OFFSET_PATTERN = r"\d:\d\d(:\d\d(\.\d+)?)?\s*([zZ]|UTC|[+-]\d\d(:?\d\d)?)$"


def check_source_timezone(name: str) -> None:
    """Raise ImportFailed unless ``name`` is an IANA time zone."""
    try:
        check_timezone(name)
    except ProjectError as error:
        raise ImportFailed(f"--source-timezone: {error}") from None


def parse_time_sql(column: str, timezone_parameter: str = "$source_timezone") -> str:
    """Return a SQL expression that parses the VARCHAR ``column`` into TIMESTAMPTZ, NULL when invalid.

    ``column`` is a quoted identifier or expression built by the caller, never
    data. The source zone is bound as the named parameter ``timezone_parameter``.
    The cursor's TimeZone must be UTC, because text with an offset is cast
    with the session zone as the fallback.
    """
    text = f"trim({column})"
    number = f"try_cast({text} AS DOUBLE)"
    return f"""(CASE
        WHEN {number} IS NOT NULL THEN to_timestamp(CASE
            WHEN abs({number}) >= 1e14 THEN {number} / 1e6
            WHEN abs({number}) >= 1e11 THEN {number} / 1e3
            ELSE {number} END)
        WHEN regexp_matches({text}, '{OFFSET_PATTERN}') THEN try_cast({text} AS TIMESTAMPTZ)
        ELSE timezone({timezone_parameter}, try_cast({text} AS TIMESTAMP))
    END)"""
