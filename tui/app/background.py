"""Queries off the UI thread: each on its own DuckDB cursor, so cancelling can interrupt it.

Every background query keeps its cursor where ``cancel`` can reach it, so
cancelling interrupts exactly that query and no other.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from textual.widget import Widget
from textual.worker import Worker

from tui.store.project import Project

log = logging.getLogger(__name__)


class QueryCancelled(Exception):
    """The query was cancelled before it started."""


class BackgroundQuery:
    """One query at a time on a fresh cursor, interruptible from any thread."""

    def __init__(self, project: Project):
        self._project = project
        self._lock = threading.Lock()
        self._cursor = None
        self.cancelled = False

    def run(self, task: Callable[[Any], Any]) -> Any:
        """Call ``task(cursor)`` on a new cursor and return its result; close the cursor after."""
        cursor = self._project.cursor()
        with self._lock:
            if self.cancelled:
                cursor.close()
                raise QueryCancelled()
            self._cursor = cursor
        try:
            return task(cursor)
        finally:
            with self._lock:
                self._cursor = None
            cursor.close()

    def progress(self) -> float:
        """Return the running statement's progress in percent, or -1 when DuckDB does not track it.

        DuckDB tracks progress only on a cursor with ``enable_progress_bar`` set.
        """
        with self._lock:
            return self._cursor.query_progress() if self._cursor is not None else -1.0

    def cancel(self) -> None:
        """Interrupt the running query, and stop one that has not started yet."""
        with self._lock:
            self.cancelled = True
            if self._cursor is not None:
                self._cursor.interrupt()


def run_in_background(
    widget: Widget,
    task: Callable[[Any], Any],
    on_done: Callable[[Any], None],
    failure: str,
) -> Worker:
    """Run ``task(cursor)`` in a thread worker, then ``on_done(result)`` on the UI thread.

    For the short catalog and saved-chart queries of one screen. A failure is
    logged and shown as an error titled ``failure`` (e.g. "Loading event
    types failed"); the result is dropped when the widget has left the screen.
    """
    app = widget.app
    query = BackgroundQuery(app.project)

    def work() -> None:
        try:
            result = query.run(task)
        except Exception as error:  # noqa: BLE001 - any failure of one lookup is shown, the app stays up
            log.exception("%s", failure)
            app.call_from_thread(_report_failure, app, failure, error)
            return
        app.call_from_thread(_deliver, widget, on_done, result)

    return widget.run_worker(work, thread=True, group="lookup", exit_on_error=False)


def _deliver(widget: Widget, on_done: Callable[[Any], None], result: Any) -> None:
    if widget.is_attached:
        on_done(result)


def _report_failure(app, failure: str, error: Exception) -> None:
    app.notify(str(error), title=failure, severity="error", markup=False)
