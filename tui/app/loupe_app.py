"""The Loupe app: owns the open project and the current chart, and runs chart queries.

Chart queries run in a thread worker on their own cursor and post a message
when done. The handlers here run on the UI thread and own the state. Every
request gets a generation number, and a result whose generation is not the
latest is dropped, so a slow old query never overwrites a newer chart.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.actions import parse as parse_action
from textual.app import App
from textual.binding import Binding
from textual.message import Message
from textual.notifications import Notify
from textual.timer import Timer

from tui.analytics.definition import ChartDefinition
from tui.app.background import BackgroundQuery, QueryCancelled, run_in_background
from tui.app.chart_change_actions import ChartChanges, ran_again_message
from tui.app.chart_history import BUILDER_EDIT, ChartHistory, ChartOrigin, ShownChart, derived_origin
from tui.app.chart_markers import Marker, load_markers
from tui.app.chart_points import ChartPoints
from tui.app.commands import LoupeCommands
from tui.app.confirm import ConfirmScreen
from tui.app.describe import counted_unit
from tui.app.funnel_over_time import FunnelOverTimePoints
from tui.app.funnel_points import FunnelPoints
from tui.app.help_screen import HelpScreen, help_entries
from tui.app.home_screen import HomeScreen, chart_key_entries
from tui.app.keys import key_entries
from tui.app.retention_points import RetentionPoints, not_begun_message
from tui.store.project import ProjectError, open_project
from tui.text import printable

if TYPE_CHECKING:
    from tui.app.chart_jobs import ChartResult

log = logging.getLogger(__name__)

# How often the title shows a running query's progress.
PROGRESS_SECONDS = 0.5


def load_chart_jobs():
    """Return the chart jobs module, imported on first use.

    It pulls in pandas and the analytics queries, the app's slowest imports,
    so the UI thread never imports it.

    NOTE: numpy, pyarrow and pandas take about 0.35 s of CPU to import
    (measured with bench/bench_app.py on a 2-core machine), and the first
    chart needs them. Importing them on a thread saves little of that wait,
    because the import holds the GIL that Textual's start needs too.
    """
    from tui.app import chart_jobs as module

    return module


def _import_chart_jobs() -> None:
    """Import the analytics while Textual sets up the terminal; the first chart job waits for it."""
    try:
        load_chart_jobs()
    except Exception:  # noqa: BLE001 - the chart worker imports again and shows the error
        log.exception("importing the chart queries failed")


def same_notification(first, second) -> bool:
    """Tell whether two notifications read the same: message, title and severity."""
    return (first.message, first.title, first.severity) == (second.message, second.title, second.severity)


def chart_points(result: ChartResult) -> ChartPoints | FunnelPoints | RetentionPoints:
    """Return the points of ``result`` with the cursor model of its chart type.

    Segmentation and sessions charts share ``ChartPoints``, because their
    frames have the same columns.
    """
    chart_type = result.definition.type if result.definition is not None else None
    if chart_type == "funnel":
        return FunnelPoints(result.frame)
    if chart_type == "retention":
        return RetentionPoints(result.frame, counted_unit(result.definition))
    return ChartPoints(result.frame)


@dataclass(frozen=True)
class ChartChange:
    """The effects of a chart query besides its chart: the chart to remember for Back, and the new chart's origin."""

    left: ShownChart | None = None
    origin: ChartOrigin | None = None
    # True when the new chart is a funnel to show as its conversion over time, like the chart it was made from.
    over_time: bool = False
    # The points of the chart the new one was made from, whose line markers it keeps.
    follows: ChartPoints | FunnelPoints | RetentionPoints | None = None
    # True when the new chart has the buckets of ``follows``, so the cursor stays on its point too.
    keeps_cursor: bool = False
    # True when the query runs the chart shown again (r), which the app confirms when it is done.
    rerun: bool = False


class ChartReady(Message):
    """A chart query finished with ``result``."""

    def __init__(self, generation: int, result: ChartResult):
        super().__init__()
        self.generation = generation
        self.result = result


class ChartFailed(Message):
    """A chart query failed with ``error``."""

    def __init__(self, generation: int, error: Exception):
        super().__init__()
        self.generation = generation
        self.error = error


class LoupeApp(ChartChanges, App):
    """Keyboard-first charts of one project's events."""

    # An absolute path, because Textual resolves a relative one beside a subclass's module.
    CSS_PATH = [Path(__file__).with_name("loupe.tcss"), Path(__file__).parent / "microscope" / "microscope.tcss"]
    TITLE = "Loupe"
    COMMANDS = App.COMMANDS | {LoupeCommands}
    BINDINGS = [
        Binding("question_mark", "show_keys", "Keys", id="app.keys", tooltip="List every key"),
    ]

    def __init__(self, project_path: str | Path):
        super().__init__()
        threading.Thread(target=_import_chart_jobs, name="import-analytics", daemon=True).start()
        self.project = open_project(project_path)
        self.settings = {
            "timezone": self.project.timezone,
            "week_start": self.project.setting("week_start"),
        }
        self.definition: ChartDefinition | None = None
        self.chart_name: str | None = None
        self.points: ChartPoints | FunnelPoints | RetentionPoints | None = None
        # The point marked with m for a comparison (an analytics Point), and how the readout names it.
        self.marked_point = None
        self.marked_label: str | None = None
        # Annotations and releases drawn on the chart.
        self.markers: tuple[Marker, ...] = ()
        self.session_span_us: int | None = None
        # How the chart shown now was made when it is unsaved and derived from another, for its title.
        self.chart_origin: ChartOrigin | None = None
        self.history = ChartHistory()
        self._change = ChartChange()
        # The last day with events, for the builder's "last N days" ranges; today until known.
        self.last_day = date.today()
        # Chart queries started, counted so tests can check that moving the cursor runs none.
        self.queries_run = 0
        self._count_lock = threading.Lock()
        self._generation = 0
        self._query: BackgroundQuery | None = None
        self._progress_timer: Timer | None = None
        self.home = HomeScreen()

    @property
    def zone(self) -> str:
        """Return the time zone the current chart's buckets are cut in."""
        chart_zone = self.definition.timezone if self.definition else None
        return chart_zone or self.settings["timezone"]

    @property
    def query_running(self) -> bool:
        return self._query is not None

    def get_default_screen(self) -> HomeScreen:
        # The home screen is the bottom of the stack, so no blank screen is built and styled before it.
        return self.home

    def on_mount(self) -> None:
        if self.project.notice:
            self.notify(self.project.notice, title="Read-only", severity="warning", markup=False)
        self._start(lambda cursor: load_chart_jobs().open_start_chart(cursor, self.settings))

    def on_unmount(self) -> None:
        self.cancel_query()
        self.project.close()

    def show_chart(
        self,
        definition: ChartDefinition,
        name: str | None = None,
        change: str = BUILDER_EDIT,
        over_time: bool = False,
        unsaved_name: str | None = None,
        follows: ChartPoints | FunnelPoints | RetentionPoints | None = None,
        keeps_cursor: bool = False,
    ) -> None:
        """Run ``definition`` in the background and show it, named ``name`` if saved.

        Back returns to the chart shown now. An unsaved chart's title names
        ``change`` (such as ``zoomed in``) and the chart shown now as its origin.
        With ``over_time`` a funnel opens on its conversion over time. The
        new chart keeps the lines' markers of ``follows``, and with
        ``keeps_cursor`` the cursor's bucket too.
        ``unsaved_name`` is the name typed in the builder for a chart not saved yet.
        """
        origin = None if name else derived_origin(change, self.chart_name, self.chart_origin, unsaved_name)
        job = lambda cursor: load_chart_jobs().run_chart(cursor, definition, name, self.settings)  # noqa: E731
        left = self._leaving(definition, name)
        self._start(job, ChartChange(left, origin, over_time, follows, keeps_cursor))

    def open_saved_chart(self, name: str) -> None:
        """Load the saved chart ``name`` and run it in the background; Back returns to the chart shown now."""
        job = lambda cursor: load_chart_jobs().run_saved_chart(cursor, name, self.settings)  # noqa: E731
        self._start(job, ChartChange(self._leaving(None, name)))

    def _leaving(self, definition: ChartDefinition | None, name: str | None) -> ShownChart | None:
        """Return the chart shown now, to remember for Back, unless there is none or the new chart is the same."""
        if self.definition is None:
            return None
        current = ShownChart(
            self.definition, self.chart_name, self.points, self.markers, self.session_span_us, self.chart_origin
        )
        same = current.same_chart(definition, name) if definition is not None else name == self.chart_name
        return None if same else current

    def action_back_chart(self) -> None:
        """Show the chart before the last change again, with its cursor where it was.

        A change still loading is cancelled instead, which leaves the chart before it on screen.
        NOTE: the earlier chart comes back with the values it had; r runs its query again.
        """
        if self.query_running and self._change.left is not None:
            self.action_cancel_query()
            return
        previous = self.history.pop()
        if previous is None:
            self.notify("There is no previous chart: this is the first chart shown.", severity="warning")
            return
        self.cancel_query()
        self.definition, self.chart_name = previous.definition, previous.name
        self.points, self.markers = previous.points, previous.markers
        self.session_span_us, self.chart_origin = previous.session_span_us, previous.origin
        self.home.redraw()

    def reload_markers(self) -> None:
        """Load the chart's annotations and releases again, after one was added or deleted."""
        if self.definition is None:
            return
        definition, name = self.definition, self.chart_name
        load = lambda cursor: load_markers(cursor, definition, name)  # noqa: E731
        run_in_background(self.home, load, self._markers_loaded, "Loading annotations and releases failed")

    def _markers_loaded(self, markers: tuple[Marker, ...]) -> None:
        self.markers = markers
        self.home.redraw()

    def on_notify(self, event: Notify) -> None:
        """Drop a notification identical to one still on screen, so pressing a key again does not stack copies.

        Textual turns every ``notify`` call, from any widget or thread, into
        this message on the app, and ``prevent_default`` skips the handler
        that would show it.
        """
        new = event.notification
        # NOTE: Textual 8.2 has no public list of the notifications on screen, so this reads ``_notifications``.
        if any(same_notification(shown, new) for shown in self._notifications):
            event.prevent_default()

    async def run_action(self, action, default_namespace=None, namespaces=None) -> bool:
        """Run ``action``, or show why not when its screen or widget rejects it, instead of doing nothing.

        Textual (8.2) ignores a press of a key whose ``check_action`` returns
        None, which shows it greyed out in the footer (the same as the others
        without colour), or False, which hides it. A node with
        ``unavailable_reason(action)`` explains that press.
        """
        if await super().run_action(action, default_namespace, namespaces):
            return True
        target, name = self._action_target(action, default_namespace, namespaces)
        explain = getattr(target, "unavailable_reason", None)
        reason = explain(name) if callable(explain) else None
        if reason is not None:
            self.notify(reason, severity="warning", markup=False)
        return False

    def _action_target(self, action, default_namespace, namespaces) -> tuple[object, str]:
        """Return the node ``action`` runs on and the action's name, as Textual resolves them.

        A binding such as ``screen.add_exclusion`` on a list runs on the
        screen, not on the list it is bound on.
        """
        namespace, name, _ = action if isinstance(action, tuple) else parse_action(action)
        if not namespace:
            return (self if default_namespace is None else default_namespace), name
        if namespaces is not None and namespace in namespaces:
            return namespaces[namespace], name
        targets = {"app": self, "screen": self.screen, "focused": self.focused}
        return targets.get(namespace), name

    def check_writable(self) -> bool:
        """Return True if the project can be changed, else show why not and return False."""
        try:
            self.project.require_writable()
        except ProjectError as error:
            self.notify(str(error), title="Read-only", severity="error", markup=False)
            return False
        return True

    # Actions bound to keys ----------------------------------------------------

    def action_show_keys(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        entries = key_entries(self.screen)
        if self.screen is self.home:
            entries = chart_key_entries(entries, self.points)
        self.push_screen(HelpScreen(help_entries(entries, self.screen)))

    def action_open_point(self) -> None:
        # Imported on first use: the microscope pulls in the analytics and pandas.
        from tui.app.microscope.menu import MicroscopeMenu
        from tui.app.microscope.selection import current_point

        point = current_point(self)
        if point is None:
            self.notify("There is no data point under the cursor.", severity="warning")
            return
        unit = counted_unit(self.definition)
        message = not_begun_message(self.points, self.definition.period, f"there are no {unit} to list")
        if message is not None:
            self.notify(message)
            return
        self.push_screen(MicroscopeMenu(self.project, point, self.settings))

    def action_mark_point(self) -> None:
        from tui.app.microscope.compare import mark_point

        mark_point(self)

    def action_open_builder(self) -> None:
        from tui.app.builder_screen import BuilderScreen

        self.push_screen(BuilderScreen(self.definition, self.chart_name, self.last_day))

    def action_save_chart(self) -> None:
        from tui.app.chart_saving import save_shown_chart

        save_shown_chart(self)

    def action_open_saved(self) -> None:
        from tui.app.pickers import SavedChartsScreen

        self.push_screen(SavedChartsScreen(), self._saved_chart_chosen)

    def _saved_chart_chosen(self, name: str | None) -> None:
        """Open the saved chart ``name`` from the home screen, asking first if a builder's changes would be lost."""
        from tui.app.builder_screen import BuilderScreen

        if name is None:
            return
        builders = [screen for screen in self.screen_stack if isinstance(screen, BuilderScreen)]
        if not any(builder.has_unapplied_changes() for builder in builders):
            self._open_from_home(name)
            return
        question = (
            f"The chart builder has changes that were not applied. Open {printable(name)!r} and drop them? (y/n)"
        )
        self.push_screen(ConfirmScreen(question), lambda yes: self._open_from_home(name) if yes else None)

    def _open_from_home(self, name: str) -> None:
        while self.screen is not self.home:
            self.pop_screen()
        self.open_saved_chart(name)

    def action_reload_chart(self) -> None:
        """Run the chart shown now again, keeping its view and cursor, and notify the user when it finishes."""
        if self.definition is None:
            return
        definition, name = self.definition, self.chart_name
        job = lambda cursor: load_chart_jobs().run_chart(cursor, definition, name, self.settings)  # noqa: E731
        over_time = isinstance(self.points, FunnelOverTimePoints)
        change = ChartChange(
            origin=self.chart_origin, over_time=over_time, follows=self.points, keeps_cursor=True, rerun=True
        )
        self._start(job, change)

    def cancel_query(self) -> bool:
        """Interrupt the running chart query; return False when none was running."""
        if self._query is None:
            return False
        self._query.cancel()
        self._query_ended()
        # A result that arrives anyway is now stale.
        self._generation += 1
        return True

    def _query_ended(self) -> None:
        self._query = None
        if self._progress_timer is not None:
            self._progress_timer.stop()
            self._progress_timer = None

    def _show_progress(self) -> None:
        if self._query is not None:
            self.home.show_progress(self._query.progress())

    def action_cancel_query(self) -> None:
        """Cancel the running chart query, or else clear the point marked for a comparison."""
        if self.cancel_query():
            self.notify(f"Query cancelled. {self._shown_now()}")
            self.home.redraw()
            return
        if self.marked_point is not None:
            self.marked_point = None
            self.marked_label = None
            self.notify("The point is no longer marked.")
            self.home.redraw()

    def _start(self, job: Callable[[object], ChartResult], change: ChartChange | None = None) -> None:
        self.cancel_query()
        self._generation += 1
        self._change = change or ChartChange()
        self._query = BackgroundQuery(self.project)
        self._run_chart_job(self._query, job, self._generation)
        self._progress_timer = self.set_interval(PROGRESS_SECONDS, self._show_progress)
        if self.home.is_mounted:
            self.home.redraw()

    @work(thread=True, group="chart", exit_on_error=False)
    def _run_chart_job(self, query: BackgroundQuery, job: Callable, generation: int) -> None:
        with self._count_lock:
            self.queries_run += 1
        try:
            result = query.run(job)
        except QueryCancelled:
            return
        except Exception as error:  # noqa: BLE001 - any failed query is shown, the app stays up
            if not query.cancelled:
                log.exception("chart query %d failed", generation)
                self.post_message(ChartFailed(generation, error))
            return
        self.post_message(ChartReady(generation, result))

    def on_chart_ready(self, message: ChartReady) -> None:
        if message.generation != self._generation:
            log.debug("dropped a stale chart result (generation %d)", message.generation)
            return
        self._query_ended()
        result = message.result
        if self._change.left is not None:
            self.history.push(self._change.left)
        self.chart_origin = self._change.origin
        self.definition = result.definition
        self.chart_name = result.name
        self.points = chart_points(result)
        self.markers = result.markers
        self.session_span_us = result.session_span_us
        if result.last_day is not None:
            self.last_day = result.last_day
        if result.warning:
            self.notify(result.warning, severity="warning", markup=False)
        if self._change.rerun:
            self.notify(ran_again_message(self.settings["timezone"]), markup=False)
        change = self._change
        self.keep_look(change.follows, change.keeps_cursor, change.over_time)
        self.home.redraw()

    def _shown_now(self) -> str:
        """Return what the home screen shows after a query did not finish."""
        if self.definition is None:
            return "No chart is drawn: build one with b."
        return "The chart shows the previous result."

    def on_chart_failed(self, message: ChartFailed) -> None:
        if message.generation != self._generation:
            return
        self._query_ended()
        self.notify(
            f"{message.error}\n{self._shown_now()}",
            title="Chart query failed",
            severity="error",
            markup=False,
        )
        self.home.redraw()
