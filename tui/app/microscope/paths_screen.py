"""Show user paths: the top event paths a point's users took after the chart's event, as a tree.

Depth, events per step, collapsing of repeats and the range limit change
with single keys, and each change runs the report again in the background.
"""

from __future__ import annotations

import math
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from tui.analytics.microscope.actor_set import Target, as_actor_set
from tui.analytics.microscope.paths import PathRangeError, path_day_limit, point_paths
from tui.app.footer import SteadyFooter
from tui.app.formatting import SEPARATOR, format_value, quantity_text
from tui.app.microscope.base import MicroscopeScreen
from tui.app.microscope.header import PointHeader
from tui.app.microscope.jobs import Job, effective_settings, project_on
from tui.app.microscope.path_options import PATH_OPTION_BINDINGS, PathOptions
from tui.app.microscope.paths_tree import KEYS_HINT, PathsTree
from tui.store.project import Project


class PathsScreen(PathOptions, MicroscopeScreen):
    """The paths report of ``target`` (a Point or an ActorSet)."""

    BINDINGS = [
        *PATH_OPTION_BINDINGS,
        Binding("L", "raise_limit", "Raise limit", id="paths.raise_limit",
                tooltip="Allow this point's whole range in this report when it is over the project's limit in days"),
    ]

    def __init__(self, project: Project, target: Target, settings: Any):
        super().__init__(project, target, settings)
        # None keeps the project's limit; "L" sets it to this point's range for this report only.
        self.max_days: float | None = None
        # The limit in days that the last report ran under, None until a report has read it.
        self.limit: float | None = None
        self.range_days = _range_days(target, settings)
        self.report: Job | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text("User paths", style="bold"), classes="screen-title")
        yield PointHeader(self.project, self.target, self.settings)
        yield Static(id="paths-settings")
        yield Static(Text("Loading paths…"), id="paths-status")
        yield PathsTree(id="paths-tree")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one(PathsTree).focus()
        self.run_report()

    def run_report(self) -> None:
        """Run the paths report with the current settings, replacing any report still running."""
        if self.report is not None:
            self.report.cancel()
        # The limit comes back with the report, because L may have just changed it.
        self.limit = None
        self._show_settings()
        self.query_one("#paths-status", Static).update(Text("Loading paths… (Esc cancels)"))
        options = {**self.path_options(), "max_days": self.max_days}

        def task(cursor):
            settings = effective_settings(project_on(self.project, cursor), self.settings)
            # Read with the project's other settings on the job's cursor, not on the UI thread.
            limit = path_day_limit(settings, options["max_days"])
            try:
                return point_paths(cursor, self.target, settings, **options), limit
            except PathRangeError as error:
                # Returned, not raised, so its notification can end with the key that raises the limit.
                return error, limit

        self.report = self.run_job(task, self._show_paths, "Paths failed", self._show_error)

    def _show_settings(self) -> None:
        parts = [self.options_text()]
        if self.limit is not None:
            parts.append(self._limit_text())
        self.query_one("#paths-settings", Static).update(Text(SEPARATOR.join(parts), style="dim"))
        self.refresh_bindings()

    def _limit_text(self) -> str:
        """Return the limit in force, short enough for an 80-column line, naming L only when the range is over it."""
        limit = quantity_text(self.limit, "days")
        if self.max_days is not None:
            return f"limit raised to {limit}"
        return f"limit {limit} (L)" if self._over_limit() else f"limit {limit}"

    def _limit_name(self) -> str:
        limit = quantity_text(self.limit, "days")
        return f"the project's limit of {limit}" if self.max_days is None else f"the limit of {limit} set with L"

    def _over_limit(self) -> bool:
        return self.limit is not None and self.range_days > self.limit

    def _show_paths(self, result) -> None:
        nodes, self.limit = result
        if isinstance(nodes, PathRangeError):
            self._show_range_error(nodes)
            return
        self._show_settings()
        status = self.query_one("#paths-status", Static)
        if nodes.empty:
            status.update(Text("No paths: this point has no users."))
        else:
            users = int(nodes.loc[nodes["depth"] == 0, "users"].sum())
            status.update(Text(f"{format_value(users, 'uniques')} · {KEYS_HINT}"))
        self.query_one(PathsTree).show_paths(nodes)

    def _show_error(self, error: Exception) -> None:
        self.query_one("#paths-status", Static).update(Text(str(error), style="bold"))

    def _show_range_error(self, error: PathRangeError) -> None:
        """Show that the day limit stopped the report, and that L allows the point's whole range."""
        self.limit = error.limit
        self._show_settings()
        days = quantity_text(math.ceil(error.days), "days")
        self.notify(f"{error} Press L to allow {days}.", title="Paths failed", severity="error", markup=False)
        message = Text(str(error), style="bold")
        message.append(f"\nPress L to allow {days} for this report.")
        self.query_one("#paths-status", Static).update(message)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        # None keeps L listed but greyed out while the range is within the limit, and the app
        # then shows ``unavailable_reason`` when it is pressed.
        if action == "raise_limit" and not self._over_limit():
            return None
        return super().check_action(action, parameters)

    def unavailable_reason(self, action: str) -> str | None:
        """Return why ``action`` cannot run now, or None when it can."""
        if action != "raise_limit" or self._over_limit():
            return None
        if self.limit is None:
            return "The paths report is still loading, so its day limit is not known yet."
        range_text = quantity_text(self.range_days, "days")
        return f"This point's range of {range_text} is within {self._limit_name()}, so L has no limit to raise."

    def action_raise_limit(self) -> None:
        if not self._over_limit():
            self.notify(self.unavailable_reason("raise_limit"), markup=False)
            return
        # The range is over the limit, so its whole days are too, and L never lowers the limit.
        self.max_days = math.ceil(self.range_days)
        self.run_report()


def _range_days(target: Target, settings: Any) -> float:
    """Return the length in days of the range the report of ``target`` reads."""
    actor_set = as_actor_set(target, settings)
    return (actor_set.end - actor_set.start).total_seconds() / 86400
