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
from tui.analytics.microscope.paths import PathRangeError, point_paths
from tui.app.footer import SteadyFooter
from tui.app.formatting import format_value
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
                tooltip="Allow this point's whole range in this report, beyond the project's limit in days"),
    ]

    def __init__(self, project: Project, target: Target, settings: Any):
        super().__init__(project, target, settings)
        # None keeps the project's limit; "L" sets it to this point's range for this report only.
        self.max_days: float | None = None
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
        self._show_settings()
        self.query_one("#paths-status", Static).update(Text("Loading paths… (Esc cancels)"))
        options = {**self.path_options(), "max_days": self.max_days}

        def task(cursor):
            settings = effective_settings(project_on(self.project, cursor), self.settings)
            return point_paths(cursor, self.target, settings, **options)

        self.report = self.run_job(task, self._show_paths, "Paths failed", self._show_error)

    def _show_settings(self) -> None:
        limit = f"limit {self.max_days:g} days" if self.max_days is not None else "project's day limit"
        text = f"{self.options_text()} · {limit} (L)"
        self.query_one("#paths-settings", Static).update(Text(text, style="dim"))

    def _show_paths(self, nodes) -> None:
        status = self.query_one("#paths-status", Static)
        if nodes.empty:
            status.update(Text("No paths: this point has no users."))
        else:
            users = int(nodes.loc[nodes["depth"] == 0, "users"].sum())
            status.update(Text(f"{format_value(users, 'uniques')} · {KEYS_HINT}"))
        self.query_one(PathsTree).show_paths(nodes)

    def _show_error(self, error: Exception) -> None:
        message = Text(str(error), style="bold")
        if isinstance(error, PathRangeError):
            message.append(f"\nPress L to allow {math.ceil(error.days)} days for this report.")
        self.query_one("#paths-status", Static).update(message)

    def _range_days(self) -> float:
        actor_set = as_actor_set(self.target, self.settings)
        return (actor_set.end - actor_set.start).total_seconds() / 86400

    def action_raise_limit(self) -> None:
        days = math.ceil(self._range_days())
        if self.max_days is not None and self.max_days >= days:
            self.notify(f"This report already allows {self.max_days:g} days.", markup=False)
            return
        self.max_days = days
        self.run_report()
