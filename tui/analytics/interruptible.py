"""Run DuckDB work on a helper thread that the caller can cancel and watch, without threads of its own.

The calling thread polls: it calls ``cancel()`` and ``progress(done, total)``
itself, and calls ``interrupt()`` on the session when ``cancel()`` returns
true. So callbacks need no locking, and a worker that only has a cancelled
flag can still stop a long statement.
"""

from __future__ import annotations

import threading
from typing import Callable, TypeVar

import duckdb

# Interval, in seconds, between checks of running work for cancellation and progress.
POLL_SECONDS = 0.05

Result = TypeVar("Result")
Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]


class QueryCancelled(Exception):
    """The caller cancelled the work, and DuckDB stopped it."""


def enable_progress(session: duckdb.DuckDBPyConnection) -> None:
    """Turn on DuckDB's progress tracking for ``session`` (read by ``query_progress``) without printing a bar."""
    session.execute("SET enable_progress_bar = true")
    session.execute("SET enable_progress_bar_print = false")
    session.execute("SET progress_bar_time = 0")


def run_interruptible(
    session: duckdb.DuckDBPyConnection,
    work: Callable[[], Result],
    cancel: Cancel | None = None,
    progress: Progress | None = None,
    total: int = 0,
) -> Result:
    """Run ``work`` (statements on ``session``) on a helper thread and return its result.

    Meanwhile ``progress(done, total)`` gets an estimate of the rows done, from
    DuckDB's progress percentage, and a true ``cancel()`` interrupts the
    session. Raises QueryCancelled after a cancel, else re-raises the error of ``work``.
    """
    if cancel and cancel():
        raise QueryCancelled()
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["result"] = work()
        except BaseException as error:
            outcome["error"] = error

    helper = threading.Thread(target=run, name="loupe-query", daemon=True)
    helper.start()
    try:
        cancelled = _watch(session, helper, cancel, progress, total)
    except BaseException:
        # Ctrl-C or a failing callback: stop the statement before leaving, so nothing writes on behind our back.
        session.interrupt()
        helper.join()
        raise

    if cancelled:
        raise QueryCancelled()
    if "error" in outcome:
        raise outcome["error"]
    if progress:
        progress(total, total)
    return outcome["result"]


def _watch(
    session: duckdb.DuckDBPyConnection,
    helper: threading.Thread,
    cancel: Cancel | None,
    progress: Progress | None,
    total: int,
) -> bool:
    """Poll until ``helper`` ends; interrupt ``session`` once ``cancel()`` is true. Return whether it was cancelled."""
    cancelled = False
    while helper.is_alive():
        helper.join(POLL_SECONDS)
        if not cancelled and cancel and cancel():
            cancelled = True
            session.interrupt()
        elif progress and not cancelled:
            progress(_done(session, total), total)
    return cancelled


def _done(session: duckdb.DuckDBPyConnection, total: int) -> int:
    """Return an estimate of the rows done, from DuckDB's progress percentage (-1 while unknown)."""
    percent = session.query_progress()
    return 0 if percent < 0 else min(total, int(total * percent / 100))
