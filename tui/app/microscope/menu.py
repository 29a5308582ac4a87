"""The microscope menu: the actions on the chart's selected point, each with its key.

Every microscope action is listed. One that cannot run here stays in the
list, greyed out, with the reason in its place (a chart type it does not
apply to, a role the member lacks, a chart with one series, a screen not
built yet).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui.analytics.groups import counts_groups
from tui.analytics.point import Point
from tui.app.footer import SteadyFooter
from tui.app.microscope.actions import (
    ACTIONS,
    CHART_METHODS,
    CHART_REASONS,
    Action,
    GROUP_ACTIONS,
    chart_type_reason,
    not_available,
    screen_class,
)
from tui.app.microscope.annotation_dialog import can_annotate_point
from tui.app.microscope.base import MicroscopeModal
from tui.app.microscope.compare import CompareScreen
from tui.app.microscope.header import PointHeader
from tui.app.microscope.jobs import project_on
from tui.app.microscope.streams_screen import StreamsScreen
from tui.app.microscope.users_screen import UsersScreen
from tui.app.vim_option_list import VimOptionList
from tui.store.annotations import can_add_release
from tui.store.project import Project

ROLE_ACTIONS = ("annotation", "release")
CHECKING_ROLE = "checking your role…"


class MicroscopeMenu(MicroscopeModal):
    """The actions on ``point``; a key or Enter on an entry runs it, and the reason shows when it cannot run."""

    # One line per action, so a long reason cannot push later actions out of an 80x24 terminal.
    # A reason cut short shows whole in a notification when its key is pressed.
    DEFAULT_CSS = """
    MicroscopeMenu #microscope-actions {
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """
    BINDINGS = [
        Binding(action.key, f"run('{action.name}')", action.label, show=False, id=f"microscope.{action.name}")
        for action in ACTIONS.values()
    ]

    def __init__(self, project: Project, point: Point, settings: Any):
        super().__init__(project)
        self.point = point
        self.settings = settings
        # Why each action cannot run now; None for one that can.
        self.reasons: dict[str, str | None] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text("Microscope", style="bold"), classes="dialog-title")
            yield PointHeader(self.project, self.point, self.settings)
            yield VimOptionList(id="microscope-actions")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.reasons = self._reasons()
        self._list_actions()
        self.query_one(OptionList).focus()
        project = self.project

        def check_roles(cursor) -> dict[str, str | None]:
            view = project_on(project, cursor)
            results = {"annotation": can_annotate_point(view, self.point), "release": can_add_release(view)}
            return {name: None if allowed else reason for name, (allowed, reason) in results.items()}

        self.start(check_roles, self._roles_checked, self._roles_failed)

    # Which actions can run ----------------------------------------------------------

    def _reasons(self) -> dict[str, str | None]:
        reasons = {name: self._reason(action) for name, action in ACTIONS.items()}
        for name in ROLE_ACTIONS:
            reasons[name] = reasons[name] or f"{ACTIONS[name].label}: {CHECKING_ROLE}"
        return reasons

    def _reason(self, action: Action) -> str | None:
        """Return why ``action`` cannot run on this point, or None when it can."""
        app = self.app
        if action.module is not None and screen_class(action) is None:
            return not_available(action)
        type_reason = chart_type_reason(action, self.point.definition.type)
        if type_reason is not None:
            return type_reason
        if action.name in CHART_METHODS:
            if not callable(getattr(app, CHART_METHODS[action.name], None)):
                return not_available(action)
            return self._chart_reason(action)
        if action.name in GROUP_ACTIONS and not counts_groups(self.point):
            return f"{action.label}: set Count by to a group type in the builder"
        if action.name == "drivers" and self.point.step == 1:
            return f"{action.label}: only on steps after step 1"
        if action.name == "cohort" and self.project.read_only:
            return f"{action.label}: {self.project.notice}"
        if action.name == "compare":
            return self._compare_reason(action)
        return None

    def _chart_reason(self, action: Action) -> str | None:
        """Return the app's reason why a chart change does not apply to this point, if it gives one."""
        reason = getattr(self.app, CHART_REASONS[action.name], None)
        return reason(self.point) if callable(reason) else None

    def _compare_reason(self, action: Action) -> str | None:
        marked = self.app.marked_point
        if marked is None:
            return f"{action.label}: press m on a point first"
        if marked == self.point:
            return f"{action.label}: this is the marked point"
        return None

    def _roles_checked(self, reasons: dict[str, str | None]) -> None:
        for name, reason in reasons.items():
            # A missing screen stays the reason: the role does not matter until it exists.
            if self.reasons[name] is None or self.reasons[name].endswith(CHECKING_ROLE):
                self.reasons[name] = reason
        self._list_actions()

    def _roles_failed(self, error: Exception) -> None:
        for name in ROLE_ACTIONS:
            self.reasons[name] = f"{ACTIONS[name].label}: your role could not be checked ({error})"
        self._list_actions()

    def _list_actions(self) -> None:
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.clear_options()
        for name, action in ACTIONS.items():
            reason = self.reasons[name]
            prompt = Text(f"{action.key}  ")
            prompt.append(reason or action.label, style="dim" if reason else "")
            options.add_option(Option(prompt, id=name, disabled=reason is not None))
        options.highlighted = highlighted if highlighted is not None else 0

    # Running an action ------------------------------------------------------------------

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_run(event.option.id)

    def action_run(self, name: str) -> None:
        reason = self.reasons.get(name)
        if reason:
            self.notify(reason, severity="warning", markup=False)
            return
        app, project, point, settings = self.app, self.project, self.point, self.settings
        list_count = self.query_one(PointHeader).list_count
        if name == "users":
            app.push_screen(UsersScreen(project, point, settings, list_count))
        elif name == "streams":
            app.push_screen(StreamsScreen(project, point, settings, list_count=list_count))
        elif name == "compare":
            app.push_screen(CompareScreen(project, app.marked_point, point, settings))
        elif name in CHART_METHODS:
            # The chart changes under the menu, so the menu closes first.
            self.dismiss(None)
            getattr(app, CHART_METHODS[name])(point)
        else:
            app.push_screen(screen_class(ACTIONS[name])(project, point, settings))
