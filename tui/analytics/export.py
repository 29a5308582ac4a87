"""Download users: a CSV of a point's (or an actor set's) users with their latest user properties.

The columns are ``user_id`` (the user id, or the device id of an actor never
identified), ``first_seen``, ``last_seen`` and ``events_in_point``. Then comes
one column per user property key found on any listed user, sorted. Times are
ISO 8601 with the UTC offset, in the chart's time zone. A property's value is its
latest one (``users.properties``), not the value it had when the events
happened. ``users_csv.py`` builds the rows and neutralises spreadsheet formulas.

A point of a chart counted by groups is made of groups, each counted by the
events of one or more users. Its download has a row per (user, group): the
user, the group's ``group_id`` and ``group_name``, then the rest, with
``events_in_point`` counting that user's events naming that group. So a
user behind two groups has two rows, and the cap counts rows.

``export_rows`` is the part every CSV download shares (the groups CSV too):
the cap, the overwrite rule, cancelling and the atomic write. DuckDB writes
the file with ``COPY`` to a temporary file in the target folder, which is
renamed at the end, so readers never see half a file and a cancelled or
failed export leaves nothing behind.
"""

from __future__ import annotations

import logging
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import duckdb

from tui.analytics.filters import Fragment, quote_identifier
from tui.analytics.interruptible import Cancel, Progress, QueryCancelled, enable_progress, run_interruptible
from tui.analytics.microscope.actor_set import Target, actor_count, as_actor_set
from tui.analytics.point import Point, point_label
from tui.analytics.segmentation import chart_settings
from tui.analytics.users_csv import property_keys, users_csv_sql
from tui.store.schema import DEFAULT_SETTINGS

log = logging.getLogger(__name__)

NOTICE = "Values are each user's latest user properties, not the values at event time."
GROUP_ROWS_NOTICE = (
    "This chart counts groups, so each row is one group of the point (group_id, group_name) with one user "
    "whose counted events named it. A group has a row per such user, and a user a row per group."
)
# The noun for a row of a group-counted point's users download, in messages.
GROUP_ROWS_NOUN = "rows"


class ExportError(ValueError):
    """An export cannot be written; the message names the file and the fix."""


class DestinationExistsError(ExportError):
    """The export's target file exists and overwriting it was not allowed."""


class ExportCancelled(QueryCancelled):
    """The caller cancelled an export; no file was written."""


@dataclass(frozen=True)
class ExportResult:
    """Outcome of an export: ``rows`` written of ``total``, ``capped`` when the cap cut the list.

    ``noun`` names what a row is (``users``, ``groups``) for messages.
    """

    rows: int
    total: int
    capped: bool
    path: Path
    noun: str = "users"


# Builds the CSV query from the session and the temporary table of collected rows, given the cap
# (None when every row fits under it).
CsvQuery = Callable[[duckdb.DuckDBPyConnection, str, int | None], Fragment]


def export_notice(result: ExportResult) -> str:
    """Return the text an export dialog shows: the values are the latest, and whether the cap cut the list."""
    warning = cap_warning(result)
    return f"{NOTICE} {warning}" if warning else NOTICE


def cap_warning(result: ExportResult, how_to_raise: str = "raise it with loupe settings --export-cap") -> str | None:
    """Return the sentence stating that the cap cut the list, or None when every row was written."""
    if not result.capped:
        return None
    return f"The list was cut at {result.rows:,} of {result.total:,} {result.noun} (export cap; {how_to_raise})."


def export_users(
    cursor: duckdb.DuckDBPyConnection,
    target: Target,
    settings: Any,
    out_path: str | Path,
    cap: int | None = None,
    overwrite: bool = False,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> ExportResult:
    """Write the users of ``target`` (a Point or an ActorSet) to the CSV file ``out_path``.

    At most ``cap`` users are written (default: the project's ``export_user_cap``),
    in order of user id. A point counted by groups writes (user, group) rows
    instead, and ``cap`` counts those. ``progress(done, total)`` and ``cancel()`` are called
    on this thread while the export runs. When ``cancel()`` returns true the
    export stops, removes its temporary file and raises ExportCancelled. Raises
    ExportError when the folder is missing, DestinationExistsError when
    ``out_path`` exists and ``overwrite`` is false.
    """
    with_groups = writes_group_rows(target)
    # The set's query runs once, into the temporary table, instead of once to count and once to write.
    rows = _group_user_rows(target, settings) if with_groups else _user_rows(target, settings)

    def csv_query(session: duckdb.DuckDBPyConnection, table: str, cap: int | None) -> Fragment:
        return users_csv_sql(table, property_keys(session, table), cap, with_groups)

    return export_rows(
        cursor, rows, csv_query, out_path, settings, cap,
        overwrite=overwrite, progress=progress, cancel=cancel, timezone=_timezone(target, settings),
        noun=GROUP_ROWS_NOUN if with_groups else "users",
    )


def writes_group_rows(target: Target) -> bool:
    """Tell whether the users download of ``target`` has a row per (user, group): a point of a chart counted by groups."""
    return isinstance(target, Point) and bool(target.definition.count_by)


def users_notice(target: Target) -> str:
    """Return what a users download of ``target`` contains: the latest properties, and for groups what a row is."""
    return f"{NOTICE} {GROUP_ROWS_NOTICE}" if writes_group_rows(target) else NOTICE


def user_row_count(cursor: duckdb.DuckDBPyConnection, target: Target, settings: Any) -> int:
    """Return how many rows the users download of ``target`` has before the cap: users, or (user, group) pairs."""
    if not writes_group_rows(target):
        return actor_count(cursor, target, settings)
    rows, params = _group_user_rows(target, settings)
    return cursor.execute(f"SELECT count(*) FROM ({rows})", params).fetchall()[0][0]


def _user_rows(target: Target, settings: Any) -> Fragment:
    """Return one row per actor of ``target``: ``actor_id`` and ``events_in_point``."""
    actors, params = as_actor_set(target, settings).actors
    return f"SELECT actor_id, events_in_point FROM ({actors})", params


def _group_user_rows(target: Target, settings: Any) -> Fragment:
    """Return one row per (actor, group) of a group-counted point: ``actor_id``, ``group_id``, ``events_in_point``.

    The point's events have a row per (event, group), and an event naming
    two groups counts once for each, as it does on the chart.
    """
    events, params = as_actor_set(target, settings).events
    sql = (
        "SELECT actor_id, group_id, count(DISTINCT seq) AS events_in_point "
        f"FROM ({events}) GROUP BY actor_id, group_id"
    )
    return sql, list(params)


def export_rows(
    cursor: duckdb.DuckDBPyConnection,
    rows: Fragment,
    csv_query: CsvQuery,
    out_path: str | Path,
    settings: Any,
    cap: int | None = None,
    overwrite: bool = False,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    timezone: str | None = None,
    noun: str = "users",
) -> ExportResult:
    """Write a CSV file of the first ``cap`` of ``rows`` to ``out_path``, atomically.

    ``cap`` defaults to the export cap in ``settings``. ``rows`` is copied
    once into a temporary table, then ``csv_query(session, table, cap)``
    returns the query of the file's lines, header first. ``timezone`` is the
    session's zone while both run. Cancelling and the errors are those of
    ``export_users``.
    """
    out_path = Path(out_path)
    cap = export_cap(settings) if cap is None else cap
    check_destination(out_path, overwrite)
    if cap < 1:
        raise ExportError(f"Export cap {cap}: use a positive number of {noun}.")

    # A session of its own keeps the settings below and the temporary table out of the caller's session.
    # NOTE: interrupting ``cursor`` does not stop this session; callers cancel through ``cancel``.
    session = cursor.cursor()
    try:
        if timezone is not None:
            session.execute("SET TimeZone = ?", [timezone])
        enable_progress(session)
        table, total = run_interruptible(session, lambda: _collect_rows(session, rows), cancel)
        # Without a cut, the query needs no LIMIT, which would slow its sort.
        query = run_interruptible(session, lambda: csv_query(session, table, cap if total > cap else None), cancel)
        written = min(total, cap)
        _write_atomically(session, query, out_path, overwrite, written, progress, cancel)
    except QueryCancelled:
        log.info("export to %s cancelled", out_path)
        raise ExportCancelled() from None
    finally:
        session.close()

    log.info("exported %d of %d %s to %s", written, total, noun, out_path)
    return ExportResult(rows=written, total=total, capped=total > cap, path=out_path, noun=noun)


def export_cap(settings: Any) -> int:
    """Return the ``export_user_cap`` setting from a Project or a dict, else the default."""
    if hasattr(settings, "setting"):
        value = settings.setting("export_user_cap")
    elif isinstance(settings, dict):
        value = settings.get("export_user_cap")
    else:
        value = None
    return int(value or DEFAULT_SETTINGS["export_user_cap"])


def check_destination(out_path: Path, overwrite: bool) -> None:
    """Raise ExportError when ``out_path`` cannot be written: its folder is missing, or it exists without consent."""
    if not out_path.parent.is_dir():
        raise ExportError(f"Folder {out_path.parent} not found: create it or choose another file.")
    if out_path.is_dir():
        raise ExportError(f"{out_path} is a folder: give a file name such as users.csv.")
    if out_path.exists() and not overwrite:
        raise DestinationExistsError(_exists_message(out_path))


def _timezone(target: Target, settings: Any) -> str:
    """Return the zone to write times in: the chart's for a point (as ``loupe users`` prints them), else the project's."""
    if isinstance(target, Point):
        return point_label(target, settings).timezone
    return chart_settings(settings).timezone


def _collect_rows(session: duckdb.DuckDBPyConnection, rows: Fragment) -> tuple[str, int]:
    """Copy ``rows`` into a temporary table; return its name and row count."""
    table = quote_identifier(f"export_rows_{uuid.uuid4().hex}")
    sql, params = rows
    session.execute(f"CREATE TEMP TABLE {table} AS {sql}", params)
    total = session.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
    return table, total


def _write_atomically(
    session: duckdb.DuckDBPyConnection,
    query: Fragment,
    out_path: Path,
    overwrite: bool,
    rows: int,
    progress: Progress | None,
    cancel: Cancel | None,
) -> None:
    """Write the query's rows to a temporary file beside ``out_path``, then move it into place."""
    # DuckDB creates the file, so it gets the same permissions as any new file (mkstemp would make it private).
    temp_path = out_path.parent / f".{out_path.name}.{uuid.uuid4().hex}.part"
    sql, params = query
    copy = f"COPY ({sql}) TO ? (FORMAT csv, HEADER false, USE_TMP_FILE false)"
    try:
        run_interruptible(session, lambda: session.execute(copy, [*params, str(temp_path)]), cancel, progress, rows)
        # A cancel that comes after COPY finished still means the user does not want the file.
        if cancel and cancel():
            raise ExportCancelled()
        _move_into_place(temp_path, out_path, overwrite)
    finally:
        temp_path.unlink(missing_ok=True)


def _move_into_place(temp_path: Path, out_path: Path, overwrite: bool) -> None:
    """Rename ``temp_path`` to ``out_path``; without ``overwrite``, fail rather than replace a file that appeared."""
    if overwrite:
        os.replace(temp_path, out_path)
        return
    try:
        # A hard link fails when the name exists, so a file created meanwhile is never replaced.
        os.link(temp_path, out_path)
    except FileExistsError:
        raise DestinationExistsError(_exists_message(out_path)) from None
    except OSError:
        # Some file systems have no hard links. Check, then rename.
        check_destination(out_path, overwrite=False)
        os.replace(temp_path, out_path)


def _exists_message(out_path: Path) -> str:
    return f"{out_path} already exists: choose another file name, or allow overwriting it."
