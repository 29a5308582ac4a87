"""Change a project's session gap, re-keying the gap sessions of every stored event in the same transaction.

Imports split events without a session id into sessions by the gap in the
``session_gap_minutes`` setting. Changing the setting alone would leave
events already imported with sessions of the old gap, so ``Project.set_setting``
rejects it. ``change_session_gap`` changes the gap. It splits every
actor's gap events again with the new gap, by the same SQL the import
uses (``tui.store.importing.sessions``), stores the setting and counts the
change in ``session_gap_changes``. An error or Ctrl-C rolls it all back.
Events with a session id, and events out of session, keep their keys,
because the gap does not apply to them.

The actors are re-keyed in slices of about ``REKEY_SLICE_EVENTS`` gap
events, so each slice's window and temporary tables stay small and the
caller gets progress after each slice. The work runs under the import's
memory cap: re-keying 15 million events took 19 to 37 s and peaked at
1.7 GB resident (measurements in docs/import.md).
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from tui.store.importing.keys import SOURCE_SESSION
from tui.store.importing.memory import capped_memory
from tui.store.importing.sessions import (
    STORED_GAP_EVENTS,
    next_gap_key,
    number_gap_sessions,
    split_gap_sessions,
    update_stored_gap_keys,
)
from tui.store.project import GAP_CHANGES_SETTING, GAP_SETTING, MAX_GAP_MINUTES, Project, ProjectError, stored_setting
from tui.store.statements import is_interrupt, run

log = logging.getLogger(__name__)

# Gap events per slice. A slice's temporary tables take about 50 bytes an event, so an
# estimated 0.1 GB, well under the import's memory cap.
REKEY_SLICE_EVENTS = 2_000_000

Progress = Callable[[int, int], None]

SLICE_EVENTS_SQL = f"""
    SELECT actor_id, client_time, seq, session_key AS old_key, false AS is_new FROM events
    WHERE {STORED_GAP_EVENTS} AND actor_id > $after_actor AND actor_id <= $last_actor
"""


@dataclass
class GapChange:
    """Counts of a session gap change: gap events, sessions before and after, and re-keyed events.

    ``source_session_events`` and ``out_of_session_events`` are the events the
    gap does not apply to, so with ``gap_events`` they add up to every event.
    """

    old_minutes: float
    new_minutes: float
    gap_events: int = 0
    sessions_before: int = 0
    sessions_after: int = 0
    changed_events: int = 0
    source_session_events: int = 0
    out_of_session_events: int = 0


def change_session_gap(project: Project, minutes: float, progress: Progress | None = None) -> GapChange:
    """Set the project's session gap to ``minutes`` and re-key every gap session to it, in one transaction.

    ``progress(done, total)`` is called from this thread with the gap events
    re-keyed so far, and a KeyboardInterrupt raised there cancels the change.
    Raises ProjectError for a gap that is not a positive number or a project
    open read-only. On any exception the project is left as it was.
    """
    _check_gap(minutes)
    project.require_writable()
    report = progress or (lambda done, total: None)

    cur = project.cursor()
    try:
        with capped_memory(cur):
            cur.execute("BEGIN TRANSACTION")
            try:
                change = _rekey_all(cur, minutes, report)
                _store_gap(cur, minutes)
                cur.execute("COMMIT")
            except BaseException as error:
                cur.execute("ROLLBACK")
                log.warning("change of the session gap of %s to %s minutes rolled back", project.path, minutes)
                if is_interrupt(error):
                    raise KeyboardInterrupt from error
                raise
    finally:
        cur.close()

    log.info(
        "session gap of %s changed from %s to %s minutes: %d gap events, %d sessions before, %d after, %d re-keyed",
        project.path, change.old_minutes, minutes, change.gap_events, change.sessions_before,
        change.sessions_after, change.changed_events,
    )
    return change


def _check_gap(minutes: float) -> None:
    if isinstance(minutes, bool) or not isinstance(minutes, (int, float)) or not math.isfinite(minutes) or minutes <= 0:
        raise ProjectError(f"Invalid session gap {minutes!r}: use a positive number of minutes.")
    if minutes > MAX_GAP_MINUTES:
        raise ProjectError(f"Invalid session gap {minutes!r}: use at most {MAX_GAP_MINUTES:,} minutes.")


def _rekey_all(cur: duckdb.DuckDBPyConnection, minutes: float, report: Progress) -> GapChange:
    """Re-key the gap sessions of every actor, slice by slice, and return the counts."""
    change = GapChange(old_minutes=stored_setting(cur, GAP_SETTING), new_minutes=minutes)
    _count_events(cur, change)
    report(0, change.gap_events)

    # Old keys kept in earlier slices. Imports by earlier versions could leave one key on the events
    # of two actors when a device moved. Such a key may fall in two slices, and only the first keeps it.
    run(cur, "create reserved gap keys", "CREATE OR REPLACE TEMP TABLE reserved_gap_keys (session_key BIGINT)")
    next_key = next_gap_key(cur)
    done = 0
    for after_actor, last_actor in _actor_slices(cur, change.gap_events):
        slice_events, sessions, changed, last_key = _rekey_slice(cur, minutes, after_actor, last_actor, next_key)
        next_key = max(next_key, last_key + 1)
        change.sessions_after += sessions
        change.changed_events += changed
        done += slice_events
        report(done, change.gap_events)
    return change


def _count_events(cur: duckdb.DuckDBPyConnection, change: GapChange) -> None:
    """Store in ``change`` the gap events and their sessions, and the events the gap does not apply to."""
    # Every event is in exactly one of the three: a source session has a key from its id, an event
    # out of session has no key, and a gap event has no session id but a key.
    counts = run(cur, "count events by session kind", f"""
        SELECT count(*) FILTER (WHERE {STORED_GAP_EVENTS}),
               count(DISTINCT session_key) FILTER (WHERE {STORED_GAP_EVENTS}),
               count(*) FILTER (WHERE {SOURCE_SESSION}),
               count(*) FILTER (WHERE session_key IS NULL)
        FROM events
    """).fetchall()[0]
    change.gap_events, change.sessions_before, change.source_session_events, change.out_of_session_events = counts


def _actor_slices(cur: duckdb.DuckDBPyConnection, gap_events: int) -> list[tuple[int, int]]:
    """Return ``(after_actor, last_actor]`` ranges of actor ids with about ``REKEY_SLICE_EVENTS`` gap events each.

    The bounds are quantiles of the gap events' actor ids, so one actor never
    spans two slices. An actor with more events than a slice makes its slice
    bigger.
    """
    if gap_events == 0:
        return []
    count = math.ceil(gap_events / REKEY_SLICE_EVENTS)
    # quantile_disc takes its fractions as constants, not parameters. They are numbers made here.
    fractions = ", ".join(f"{index / count:.9f}" for index in range(1, count))
    quantiles = f"quantile_disc(actor_id, [{fractions}])" if fractions else "[]::BIGINT[]"
    first, last, inner = run(
        cur, "find actor slices", f"SELECT min(actor_id), max(actor_id), {quantiles} FROM events WHERE {STORED_GAP_EVENTS}"
    ).fetchall()[0]
    bounds = sorted({*inner, last})
    return list(zip([first - 1, *bounds[:-1]], bounds))


def _rekey_slice(
    cur: duckdb.DuckDBPyConnection, minutes: float, after_actor: int, last_actor: int, next_key: int
) -> tuple[int, int, int, int]:
    """Re-key the gap sessions of the actors in ``(after_actor, last_actor]``.

    Returns the slice's gap events, its sessions, the events whose key
    changed and the highest key it gave.
    """
    split_gap_sessions(cur, SLICE_EVENTS_SQL, minutes, {"after_actor": after_actor, "last_actor": last_actor})
    number_gap_sessions(cur, next_key, "reserved_gap_keys")
    counts = run(cur, "count slice sessions", """
        SELECT count(*), count(DISTINCT session_key), count(*) FILTER (WHERE old_key <> session_key),
               coalesce(max(session_key), 0)
        FROM gap_keys
    """).fetchall()[0]
    update_stored_gap_keys(cur)

    # New keys start at next_key, above every old key, so only the old keys kept need reserving.
    run(cur, "reserve kept keys",
        "INSERT INTO reserved_gap_keys SELECT DISTINCT session_key FROM gap_keys WHERE session_key < ?", [next_key])
    return counts


def _store_gap(cur: duckdb.DuckDBPyConnection, minutes: float) -> None:
    """Store the new gap and count the change.

    The count grows even when the gap stays the same, because the re-key may
    still change sessions that an older Loupe keyed under another gap.
    """
    changes = stored_setting(cur, GAP_CHANGES_SETTING) or 0
    run(cur, "store session gap", "INSERT OR REPLACE INTO settings VALUES (?, ?), (?, ?)",
        [GAP_SETTING, json.dumps(minutes), GAP_CHANGES_SETTING, json.dumps(changes + 1)])
