"""The bases of the microscope's screens and dialogs: queries off the UI thread, Escape cancels and goes back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.binding import Binding
from textual.screen import Screen

from tui.analytics.microscope.actor_set import Target
from tui.app.microscope.actions import ACTIONS, not_available, screen_class
from tui.app.microscope.jobs import Job, JobModal, start_job
from tui.app.microscope.selection import target_zone
from tui.store.project import Project


class MicroscopeModal(JobModal):
    """A microscope dialog whose jobs stop when it closes; ``?`` lists its keys.

    The ``?`` binding is repeated here because a modal screen does not reach the app's bindings.
    """

    BINDINGS = [
        Binding("question_mark", "app.show_keys", "Keys", id="microscope.keys", tooltip="List every key"),
    ]

    def on_unmount(self) -> None:
        # A dialog dismissed by its own action (not Escape) still stops what it started.
        for job in self.jobs:
            job.cancel()


class MicroscopeScreen(Screen):
    """A screen about the users of ``target``; Escape or ``q`` cancels its running queries and closes it."""

    BINDINGS = [
        Binding("escape", "close", "Back", id="microscope.close", tooltip="Cancel a running query and go back"),
        Binding("q", "close", "Back", show=False, id="microscope.back", tooltip="Go back"),
    ]

    def __init__(self, project: Project, target: Target, settings: Any, list_count: int | None = None):
        super().__init__()
        self.project = project
        self.target = target
        self.settings = settings
        # The users of the target, for the banner's ``list = N``; None until counted.
        self.list_count = list_count
        self.zone = target_zone(target, settings)
        self.jobs: list[Job] = []

    def run_job(
        self,
        task: Callable[[Any], Any],
        on_done: Callable[[Any], None],
        failure: str,
        on_error: Callable[[Exception], None] | None = None,
    ) -> Job:
        """Run ``task(cursor)`` off the UI thread, then ``on_done(result)``; a failure is shown titled ``failure``."""
        self.jobs = [job for job in self.jobs if job.running]

        def failed(error: Exception) -> None:
            self.notify(str(error), title=failure, severity="error", markup=False)
            if on_error is not None:
                on_error(error)

        job = start_job(self, self.project, task, on_done, failed)
        self.jobs.append(job)
        return job

    def cancel_jobs(self) -> None:
        """Interrupt every query this screen has running; their results are dropped."""
        for job in self.jobs:
            job.cancel()
        self.jobs = []

    def open_other_screen(self, name: str, target: Target | None = None) -> None:
        """Open the screen of the action ``name`` (paths, cohort, download) on ``target`` or this screen's target."""
        action = ACTIONS[name]
        screen = screen_class(action)
        if screen is None:
            self.notify(not_available(action), severity="warning", markup=False)
            return
        self.app.push_screen(screen(self.project, target if target is not None else self.target, self.settings))

    def action_close(self) -> None:
        self.cancel_jobs()
        self.dismiss()

    def on_unmount(self) -> None:
        self.cancel_jobs()
