"""Compare two points: mark one on the chart, open the microscope on another, list who is in both or in one.

The marked point is the first, the point the microscope is open on the
second. Each part (both, only in the first, only in the second) opens as a
user list, which offers streams, paths, download and cohort like a point's.
When both points count groups of one type, the parts are groups, and each
opens as a groups list.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui.analytics.groups import GroupSet
from tui.analytics.microscope.compare import compare_part, compare_points, compares_groups
from tui.analytics.point import Point
from tui.app.describe import counted_unit
from tui.app.footer import SteadyFooter
from tui.app.formatting import quantity_text
from tui.app.microscope.base import MicroscopeModal
from tui.app.microscope.groups_screen import GroupsScreen
from tui.app.microscope.header import Banner, charted_set, point_banner
from tui.app.microscope.selection import current_point
from tui.app.microscope.users_screen import UsersScreen
from tui.app.retention_points import not_begun_message
from tui.app.vim_option_list import VimOptionList
from tui.store.project import Project

# The parts in the order listed, with their keys and labels.
PARTS = (
    ("only_first", "1", "Only in the first (marked) point"),
    ("both", "b", "In both points"),
    ("only_second", "2", "Only in the second point"),
)


def mark_point(app) -> None:
    """Mark the point under the chart cursor for a comparison, or unmark it when it is the marked one."""
    point = current_point(app)
    if point is None:
        app.notify("There is no data point under the cursor to mark.", severity="warning")
        return
    unit = counted_unit(app.definition)
    message = not_begun_message(app.points, app.definition.period, f"there are no {unit} to mark for a comparison")
    if point == app.marked_point:
        app.marked_point = None
        app.marked_label = None
        app.notify("The point is no longer marked.")
    elif message is not None:
        app.notify(message)
        return
    else:
        app.marked_point = point
        app.marked_label = point_banner(app, point, app.settings).subject
        app.notify("Marked. Open the microscope on another point with Enter to compare the two.")
    app.home.redraw()


class CompareScreen(MicroscopeModal):
    """The counts of users (or groups) in both of two points, or in only one, each part opening its list."""

    BINDINGS = [
        Binding(key, f"open_part('{part}')", label, id=f"compare.{part}", show=False) for part, key, label in PARTS
    ]

    def __init__(self, project: Project, first: Point, second: Point, settings: Any):
        super().__init__(project)
        self.first = first
        self.second = second
        self.settings = settings
        self.counts: dict[str, int] | None = None
        # What the parts contain: ``groups`` when both points count groups of one type, else ``users``.
        self.noun = "groups" if compares_groups(first, second) else "users"
        # The chart or charts of the two points, for this screen and the banner of each part's list.
        self.chart: str | None = None

    def compose(self) -> ComposeResult:
        first = point_banner(self.app, self.first, self.settings)
        second = point_banner(self.app, self.second, self.settings)
        self.chart = compared_chart(first, second)
        points = f"First (marked): {first.subject}\nSecond: {second.subject}\nChart: {self.chart}"
        with Vertical(id="dialog"):
            yield Static(Text("Compare two points", style="bold"), classes="dialog-title")
            yield Static(Text(points), id="compare-points")
            counting = f"Counting the {self.noun}… (Esc cancels)"
            yield Static(Text(counting), id="compare-sums", classes="microscope-status")
            yield VimOptionList(id="compare-parts")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        first, second, settings = self.first, self.second, self.settings
        self.start(lambda cursor: compare_points(cursor, first, second, settings), self._show, self._failed)

    def _show(self, counts: dict[str, int]) -> None:
        self.counts = counts
        options = self.query_one(OptionList)
        options.clear_options()
        for part, key, label in PARTS:
            options.add_option(Option(Text(f"{key}  {label}: {self._quantity(counts[part])}"), id=part))
        options.highlighted = 0
        sums = (
            f"first = {self._quantity(counts['first'])} = both + only first · "
            f"second = {self._quantity(counts['second'])} = both + only second"
        )
        self.query_one("#compare-sums", Static).update(Text(sums))

    def _failed(self, error: Exception) -> None:
        self.query_one("#compare-sums", Static).update(Text("The comparison failed: see the error."))
        self.notify(str(error), title="Comparing the points failed", severity="error", markup=False)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_open_part(event.option.id)

    def action_open_part(self, part: str) -> None:
        if self.counts is None:
            self.notify(f"The {self.noun} are still being counted.", severity="warning")
            return
        compared = charted_set(compare_part(self.first, self.second, self.settings, part), self.chart)
        screen = GroupsScreen if isinstance(compared, GroupSet) else UsersScreen
        self.app.push_screen(screen(self.project, compared, self.settings, self.counts[part]))

    def _quantity(self, count: int) -> str:
        return quantity_text(count, self.noun)


def compared_chart(first: Banner, second: Banner) -> str | None:
    """Return the chart both points are on, or each point's chart when they differ (a point marked before a zoom)."""
    if first.chart == second.chart:
        return first.chart
    return f"first point on {first.chart}, second point on {second.chart}"
