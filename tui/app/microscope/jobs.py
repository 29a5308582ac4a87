"""Work of the microscope's screens off the UI thread: one cursor per job, cancellable, results handed back.

A job runs ``task(cursor)`` in a thread worker on a fresh cursor. Its result
or error is passed to the screen's callbacks on the UI thread, unless the job
was cancelled or the screen has closed meanwhile. Cancelling interrupts the
job's cursor, so a long query stops at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from textual.widget import Widget

from tui.analytics.definition import DefinitionError
from tui.analytics.microscope.actor_set import MicroscopeError
from tui.app.background import BackgroundQuery, QueryCancelled
from tui.app.modal import LoupeModal
from tui.store.project import Project

log = logging.getLogger(__name__)


class _KeptCursor:
    """A job's cursor handed out as if it were a new one; the job closes it, so ``close`` does nothing here."""

    def __init__(self, cursor):
        self._cursor = cursor

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)

    def close(self) -> None:
        pass


class _CursorProject(Project):
    """A project whose every statement runs on one job's cursor, including those of ``cursor()`` and transactions."""

    def cursor(self):
        return _KeptCursor(self.con)

    def close(self) -> None:
        # The job owns the cursor, and the app owns the project.
        pass


def project_on(project: Project, cursor) -> Project:
    """Return ``project`` with all its statements running on ``cursor``, for store functions called by a job.

    Store functions run statements on ``project.con``, and transactions on
    ``project.cursor()``. Two threads using one connection would read each
    other's pending results, and a statement on another cursor would go on
    after the job's cursor is interrupted, so both use ``cursor`` here.
    """
    return _CursorProject(path=project.path, con=cursor, read_only=project.read_only, notice=project.notice)


def effective_settings(project_view: Project, settings: Any) -> Any:
    """Return ``settings`` completed with the project's settings, such as ``export_user_cap`` and ``path_max_days``.

    The app passes a dict of the chart settings it uses; keys missing from it
    are read from the project. A Project or other settings object is returned as it is.
    """
    if not isinstance(settings, dict):
        return settings
    return {**project_view.all_settings(), **{key: value for key, value in settings.items() if value is not None}}


class Job:
    """One task running on its own cursor; ``cancel`` interrupts it and drops its outcome."""

    def __init__(self, project: Project):
        self.query = BackgroundQuery(project)
        self.running = True

    @property
    def cancelled(self) -> bool:
        return self.query.cancelled

    def cancel(self) -> None:
        """Interrupt the job's query; its result or error is then never delivered."""
        if self.running:
            self.query.cancel()
            self.running = False


def start_job(
    widget: Widget,
    project: Project,
    task: Callable[[Any], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[Exception], None],
) -> Job:
    """Run ``task(cursor)`` in a thread worker; then call ``on_done(result)`` or ``on_error(error)`` on the UI thread.

    Neither callback runs when the job was cancelled or ``widget`` has left the screen.
    """
    job = Job(project)
    app = widget.app

    def deliver(callback: Callable[[Any], None], outcome: Any) -> None:
        if job.cancelled or not widget.is_attached:
            return
        job.running = False
        callback(outcome)

    def work() -> None:
        try:
            result = job.query.run(task)
        except QueryCancelled:
            return
        except Exception as error:  # noqa: BLE001 - every failure is shown by the screen, the app stays up
            if job.cancelled:
                log.info("microscope job cancelled: %s", error)
                return
            if isinstance(error, (MicroscopeError, DefinitionError)):
                # A request the user can change (a day limit, a chart type): one line, no traceback.
                log.warning("microscope job rejected: %s", error)
            else:
                log.exception("microscope job failed")
            app.call_from_thread(deliver, on_error, error)
            return
        app.call_from_thread(deliver, on_done, result)

    widget.run_worker(work, thread=True, group="microscope", exit_on_error=False)
    return job


class JobModal(LoupeModal):
    """A dialog of the microscope whose background jobs Escape cancels before it closes."""

    def __init__(self, project: Project):
        super().__init__()
        self.project = project
        self.jobs: list[Job] = []

    def start(
        self, task: Callable[[Any], Any], on_done: Callable[[Any], None], on_error: Callable[[Exception], None]
    ) -> Job:
        """Run ``task(cursor)`` in the background as ``start_job`` does, and cancel it when the dialog closes."""
        self.jobs = [job for job in self.jobs if job.running]
        job = start_job(self, self.project, task, on_done, on_error)
        self.jobs.append(job)
        return job

    def action_close(self) -> None:
        for job in self.jobs:
            job.cancel()
        self.dismiss(None)
