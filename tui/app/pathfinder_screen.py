"""Pathfinder: the top event paths after a start event or before an end event, as a tree.

The screen opens on the date range of the app's current chart, with the
event picker for a start event on top. ``a`` and ``b`` pick the event to go after or before, ``d``
changes the dates, and the path option keys change depth, events per step
and repeats. Each change runs the report again in the background, and
Escape cancels a running report. There is no microscope here, as in hosted tools.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Static

from tui.analytics.definition import ANY_EVENT, DateRange
from tui.analytics.pathfinder import pathfinder
from tui.app.footer import SteadyFooter
from tui.app.formatting import format_value
from tui.app.microscope.jobs import Job, start_job
from tui.app.microscope.path_options import PATH_OPTION_BINDINGS, PathOptions
from tui.app.microscope.paths_tree import KEYS_HINT, PathsTree
from tui.app.pickers import ANY_EVENT_LABEL, event_picker
from tui.app.range_dialog import RangeDialog
from tui.store.project import Project
from tui.text import printable

AFTER, BEFORE = "after", "before"
# The range when no chart is open: this many days up to the last day with events.
DEFAULT_DAYS = 30
# How often the status line shows a running report's progress.
PROGRESS_SECONDS = 0.5


class PathfinderScreen(PathOptions, Screen):
    """The Pathfinder report of one project over a date range, in the time zone of ``settings``."""

    BINDINGS = [
        Binding("a", "pick_event('after')", "After event", id="pathfinder.after",
                tooltip="Pick a start event and show the paths after it"),
        Binding("b", "pick_event('before')", "Before event", id="pathfinder.before",
                tooltip="Pick an end event and show the paths leading up to it"),
        Binding("d", "edit_range", "Dates", id="pathfinder.dates", tooltip="Change the date range"),
        *PATH_OPTION_BINDINGS,
        Binding("escape", "cancel_or_close", "Back", id="pathfinder.close",
                tooltip="Cancel the running report, or go back"),
        Binding("q", "close", "Back", show=False, id="pathfinder.back", tooltip="Go back"),
    ]

    def __init__(self, project: Project, settings: dict, date_range: DateRange):
        super().__init__()
        self.project = project
        self.settings = settings
        self.date_range = date_range
        # The chosen event (None until one is picked), and whether paths go after or before it.
        self.event: str | None = None
        self.direction = AFTER
        self.report: Job | None = None
        self._progress_timer: Timer | None = None

    @property
    def zone(self) -> str:
        return self.settings.get("timezone") or "UTC"

    def compose(self) -> ComposeResult:
        yield Static(Text("Pathfinder", style="bold"), classes="screen-title")
        yield Static(id="pathfinder-query", classes="screen-title")
        yield Static(id="paths-settings")
        yield Static(id="paths-status")
        yield PathsTree(id="paths-tree")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one(PathsTree).focus()
        self._show_query()
        self._show_status(Text("Press a to pick a start event, or b to pick an end event."))
        self.action_pick_event(AFTER)

    # Picking the event and the dates -------------------------------------------

    def action_pick_event(self, direction: str) -> None:
        # A second pick starts on the event the report shows now.
        current = self.event if direction == self.direction else None
        self.app.push_screen(event_picker(current=current), lambda event: self._event_chosen(direction, event))

    def _event_chosen(self, direction: str, event: str | None) -> None:
        if event is None:
            return
        self.event = event
        self.direction = direction
        self.run_report()

    def action_edit_range(self) -> None:
        self.app.push_screen(RangeDialog(self.date_range, self.zone), self._range_chosen)

    def _range_chosen(self, date_range: DateRange | None) -> None:
        if date_range is None or date_range == self.date_range:
            return
        self.date_range = date_range
        self.run_report()

    # Running the report ------------------------------------------------------

    def run_report(self) -> None:
        """Run the report with the current event, range and options, replacing any report still running."""
        self._show_query()
        if self.event is None:
            return
        self.cancel_report()
        self._show_status(Text("Finding paths… (Esc cancels)"))
        settings, date_range = dict(self.settings), self.date_range
        anchor = {"start": self.event} if self.direction == AFTER else {"end": self.event}
        options = {**anchor, **self.path_options()}

        def task(cursor):
            return self.find_paths(cursor, settings, date_range, options)

        self.report = start_job(self, self.project, task, self._show_paths, self._show_error)
        self._progress_timer = self.set_interval(PROGRESS_SECONDS, self._show_progress)

    def find_paths(self, cursor, settings: dict, date_range: DateRange, options: dict):
        """Return the path tree for ``options``. It runs on a worker's cursor."""
        return pathfinder(cursor, settings, date_range, **options)

    def cancel_report(self) -> bool:
        """Interrupt the running report, and return False when none was running."""
        self._stop_progress()
        if self.report is None or not self.report.running:
            return False
        self.report.cancel()
        return True

    def _show_progress(self) -> None:
        if self.report is None or not self.report.running:
            self._stop_progress()
            return
        percent = self.report.query.progress()
        done = f" {percent:.0f}%" if percent >= 0 else ""
        self._show_status(Text(f"Finding paths…{done} (Esc cancels)"))

    def _stop_progress(self) -> None:
        if self._progress_timer is not None:
            self._progress_timer.stop()
            self._progress_timer = None

    def _show_paths(self, nodes) -> None:
        self._stop_progress()
        if nodes.empty:
            self._show_status(Text(f"No paths: nobody did {self._event_name()} in this range."))
        else:
            users = int(nodes.loc[nodes["depth"] == 0, "users"].sum())
            self._show_status(Text(f"{format_value(users, 'uniques')} · {KEYS_HINT}"))
        self.query_one(PathsTree).show_paths(nodes)

    def _show_error(self, error: Exception) -> None:
        self._stop_progress()
        self.notify(str(error), title="Pathfinder failed", severity="error", markup=False)
        self._show_status(Text(str(error), style="bold"))

    # Lines above the tree ------------------------------------------------------

    def _show_query(self) -> None:
        if self.event is None:
            query = Text("No event picked yet")
        else:
            query = Text(f"Paths {self.direction} ")
            query.append(self._event_name(), style="bold")
        query.append(f" · {self.date_range.start} to {self.date_range.end} ({printable(self.zone)}) (a b d)")
        self.query_one("#pathfinder-query", Static).update(query)
        self.query_one("#paths-settings", Static).update(Text(self.options_text(), style="dim"))

    def _event_name(self) -> str:
        return ANY_EVENT_LABEL if self.event == ANY_EVENT else printable(self.event)

    def _show_status(self, text: Text) -> None:
        self.query_one("#paths-status", Static).update(text)

    # Leaving -------------------------------------------------------------------

    def action_cancel_or_close(self) -> None:
        if self.cancel_report():
            self._show_status(Text("Cancelled. Change an option or press a or b to run the report again."))
            return
        self.action_close()

    def action_close(self) -> None:
        self.cancel_report()
        self.dismiss()

    def on_unmount(self) -> None:
        self.cancel_report()


def push_pathfinder(app: Any) -> None:
    """Push the Pathfinder screen on the range and time zone of the app's current chart.

    Without a chart, the range is the last ``DEFAULT_DAYS`` days up to the last day with events.
    """
    if app.definition is not None:
        date_range = app.definition.range
    else:
        date_range = DateRange(app.last_day - timedelta(days=DEFAULT_DAYS - 1), app.last_day)
    settings = {**app.settings, "timezone": app.zone}
    app.push_screen(PathfinderScreen(app.project, settings, date_range))
