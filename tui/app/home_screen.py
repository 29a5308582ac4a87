"""The home screen: the chart, its legend, and a readout of the point under the cursor."""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from tui.app.chart_view import ChartView, chart_shown
from tui.app.describe import (
    MIN_TITLE_HEAD_CELLS,
    counted_unit,
    describe_entry_bucket,
    describe_funnel_part,
    describe_point,
    describe_retention_part,
    fit_chart_title,
    fit_origin_note,
)
from tui.app.footer import SteadyFooter
from tui.app.formatting import SEPARATOR
from tui.app.funnel_over_time import (
    OVER_TIME_KEY_DESCRIPTIONS,
    EntryBucketPart,
    FunnelOverTimePoints,
    switch_over_time,
)
from tui.app.funnel_points import FunnelPart, FunnelPoints
from tui.app.keys import KeyEntry
from tui.app.legend import Legend
from tui.app.microscope.actions import ACTIONS
from tui.app.retention_points import RetentionPart, RetentionPoints, not_begun_message

EMPTY_PROJECT = "This project has no events yet: add some with `loupe import FILE --project PROJECT`."
# Descriptions of the cursor keys on a funnel chart, by action, for the keys dialog.
FUNNEL_KEY_DESCRIPTIONS = {
    "move_bucket(-1)": "Previous funnel step",
    "move_bucket(1)": "Next funnel step",
    "move_line(-1)": "Dropped-off part of the step",
    "move_line(1)": "Converted part of the step",
    "first_bucket": "First funnel step",
    "last_bucket": "Last funnel step",
}
# On a grouped funnel up and down also move between the segments' bars of a step.
SEGMENT_FUNNEL_KEY_DESCRIPTIONS = {
    **FUNNEL_KEY_DESCRIPTIONS,
    "move_line(-1)": "Up the step's bars: dropped-off part, then the previous segment's converted part",
    "move_line(1)": "Down the step's bars: converted part, then the next segment's dropped-off part",
}
# The same for a retention table, whose cursor also switches between the two parts of a cell.
RETENTION_KEY_DESCRIPTIONS = {
    "move_bucket(-1)": "Previous period",
    "move_bucket(1)": "Next period",
    "move_line(-1)": "Previous start cohort",
    "move_line(1)": "Next start cohort",
    "first_bucket": "Period 0",
    "last_bucket": "Last period",
    "toggle_part": "Switch between the retained and the not-retained users of the cell",
}
# Actions of the home screen that apply only to some cursor models, and why the others have them hidden.
PART_ACTIONS = ("toggle_part",)
FUNNEL_ACTIONS = ("switch_over_time",)
PARTS_REASON = "Only retention charts and a funnel's conversion over time (T) have two parts to switch between with t"
FUNNEL_STEPS_PARTS = (
    "On a funnel's steps, up and down move between the dropped-off and converted parts. "
    "T shows conversion over time, where t switches between them."
)
OVER_TIME_REASON = "Only funnel charts switch to conversion over time with T"
# The prefix of the hidden actions of the microscope's keys that mean nothing on the chart, such as x and z.
MICROSCOPE_ONLY = "microscope_only_"
# e adds a funnel exclusion in the builder. On the chart its message points to x, which excludes a series.
EXCLUDE_HINT_ACTION = "exclude_hint"
EXCLUDE_HINT = "e does nothing on the chart. To exclude a series, press Enter on a point, then x in the microscope."


def chart_key_entries(entries: list[KeyEntry], points) -> list[KeyEntry]:
    """Return the home screen's key entries with the cursor keys described as they work on ``points``' chart."""
    if isinstance(points, FunnelPoints):
        descriptions = SEGMENT_FUNNEL_KEY_DESCRIPTIONS if points.grouped else FUNNEL_KEY_DESCRIPTIONS
    elif isinstance(points, RetentionPoints):
        descriptions = RETENTION_KEY_DESCRIPTIONS
    elif isinstance(points, FunnelOverTimePoints):
        descriptions = OVER_TIME_KEY_DESCRIPTIONS
    else:
        descriptions = {}
    return [
        replace(entry, description=descriptions[entry.action]) if entry.action in descriptions else entry
        for entry in entries
    ]


def microscope_only_bindings(bindings: list[Binding]) -> list[Binding]:
    """Return hidden bindings of the microscope's keys that no binding in ``bindings`` uses, and of e.

    Their actions never run. ``unavailable_reason`` returns where each key
    works instead, and the app shows it, so no press is silently ignored.
    """
    bound = {key for binding in bindings for key in binding.key.split(",")}
    keys = [
        Binding(
            action.key, MICROSCOPE_ONLY + action.name, action.label, show=False, id=f"chart.microscope_{action.name}"
        )
        for action in ACTIONS.values()
        if action.key not in bound
    ]
    keys.append(Binding("e", EXCLUDE_HINT_ACTION, "Exclude", show=False, id="chart.exclude_hint"))
    return keys


def shows_mark(marked, definition) -> bool:
    """Tell whether the readout names the marked point on the chart of ``definition``.

    It does on charts of the marked point's type that count the same unit:
    its own chart, and the zoomed or filtered charts made from it, whose
    points it is usually compared with. Elsewhere the line would take one
    of the few rows of a small screen. The mark stays, so the microscope
    still compares it with any point.
    """
    if marked is None or definition is None:
        return False
    same_type = marked.definition.type == definition.type
    return same_type and counted_unit(marked.definition) == counted_unit(definition)


class HomeScreen(Screen):
    """The screen of the app's current chart, where the cursor moves over the points already loaded."""

    BINDINGS = [
        Binding("left,h", "move_bucket(-1)", "Previous bucket", show=False, id="chart.previous_bucket"),
        Binding("right,l", "move_bucket(1)", "Next bucket", show=False, id="chart.next_bucket"),
        Binding("up,k", "move_line(-1)", "Previous series or segment", show=False, id="chart.previous_line"),
        Binding("down,j", "move_line(1)", "Next series or segment", show=False, id="chart.next_line"),
        Binding("g", "first_bucket", "First bucket", show=False, id="chart.first_bucket"),
        Binding("G", "last_bucket", "Last bucket", show=False, id="chart.last_bucket"),
        Binding(
            "t", "toggle_part", "Retained or not retained", show=False, id="chart.toggle_part",
            tooltip="Switch between the retained and the not-retained users of a retention cell",
        ),
        Binding(
            "T", "switch_over_time", "Over time", show=False, id="chart.switch_over_time",
            tooltip="Switch a funnel between its steps and its conversion over time by entry bucket",
        ),
        Binding(
            "enter", "app.open_point", "Microscope", id="chart.open_point",
            tooltip="Open the microscope on the point under the cursor",
        ),
        Binding(
            "m", "app.mark_point", "Mark", show=False, id="chart.mark_point",
            tooltip="Mark the point under the cursor to compare it with another. m on it again or Esc clears the mark",
        ),
        Binding("b", "app.open_builder", "Build", id="chart.builder", tooltip="Change the chart in the chart builder"),
        Binding("o", "app.open_saved", "Open", id="chart.open_saved", tooltip="Open a saved chart"),
        Binding(
            "ctrl+s", "app.save_chart", "Save", id="chart.save",
            tooltip="Save the chart under a name, asking before it replaces a saved chart",
        ),
        Binding(
            "backspace", "app.back_chart", "Back", show=False, id="chart.back",
            tooltip="Back to the previous chart, as it was before the last change",
        ),
        Binding("c", "open_cohorts", "Cohorts", show=False, id="chart.cohorts", tooltip="List and delete cohorts"),
        Binding(
            "a", "open_markers", "Annotations", show=False, id="chart.markers",
            tooltip="List and delete annotations and releases",
        ),
        Binding(
            "p", "open_pathfinder", "Pathfinder", show=False, id="chart.pathfinder",
            tooltip="Top paths after a start event or before an end event",
        ),
        Binding("r", "app.reload_chart", "Run again", show=False, id="chart.reload"),
        Binding(
            "escape", "app.cancel_query", "Cancel", show=False, id="chart.cancel",
            tooltip="Cancel the running query, or else clear the marked point",
        ),
        Binding("q", "app.quit", "Quit", id="chart.quit", tooltip="Quit Loupe"),
    ]
    BINDINGS += microscope_only_bindings(BINDINGS)

    def compose(self) -> ComposeResult:
        title = Static(id="chart-title")
        # The title has one row, so a longer one ends in "…" to show that it is cut.
        title.styles.text_wrap = "nowrap"
        title.styles.text_overflow = "ellipsis"
        yield title
        yield ChartView(id="chart")
        yield Legend(id="legend")
        yield Static(id="readout")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one(ChartView).focus()

    def redraw(self) -> None:
        """Draw the app's current chart, legend, readout and title from what is loaded."""
        app = self.app
        points = app.points
        chart = self.query_one(ChartView)
        interval = app.definition.interval if app.definition else "day"
        message = EMPTY_PROJECT if app.definition is None and not app.query_running else ""
        period = app.definition.period if app.definition else "day"
        chart.show(points, interval, message, period)
        self._draw_title()

        # The legend's height follows its rows, so it needs a layout pass too.
        self.query_one(Legend).refresh(layout=True)
        readout = self.query_one("#readout", Static)
        point = points.point() if points is not None else None
        if point is None:
            readout.update(Text("No data point under the cursor."))
            return
        if isinstance(point, FunnelPart):
            readout_text = Text(describe_funnel_part(point, app.definition))
        elif isinstance(point, RetentionPart):
            readout_text = Text(describe_retention_part(point, app.definition))
        elif isinstance(point, EntryBucketPart):
            readout_text = Text(describe_entry_bucket(point, app.definition, app.zone))
        else:
            readout_text = Text(describe_point(point, app.definition, app.zone))
        # One screen row per line of a two-line readout, so a narrow screen cuts the end of a line, not the
        # line after it. Textual (8.2) drops a rich Text's no_wrap, so the style sets it.
        readout.set_class(isinstance(point, (FunnelPart, RetentionPart, EntryBucketPart)), "row-per-line")
        if app.marked_label and shows_mark(app.marked_point, app.definition):
            # The readout's max-height of 3 in loupe.tcss leaves room for this line under a funnel's or retention's two.
            readout_text.append(f"\nmarked: {app.marked_label}")
        readout.update(readout_text)

    def show_progress(self, percent: float) -> None:
        """Show a running query's progress in the title; a negative ``percent`` is unknown."""
        self._draw_title(percent)

    def _draw_title(self, percent: float = -1.0) -> None:
        app = self.app
        title = Text()
        # The status goes first, so a long chart title cannot push it off a narrow screen.
        if app.query_running:
            done = f" {percent:.0f}%" if percent >= 0 else ""
            title.append(f"Running query{done}, Esc cancels · ", style="reverse")
        widget = self.query_one("#chart-title", Static)
        if app.definition is None:
            title.append("Loupe")
            widget.update(title)
            return

        # The screen's width, not the widget's: on a resize the widget still has its old size.
        width = max(self.size.width - widget.styles.gutter.width, 0)
        min_head_cells = MIN_TITLE_HEAD_CELLS
        if app.chart_origin is not None:
            # Before the chart's description, like the status, so a narrow screen still shows it.
            note = fit_origin_note(app.chart_origin, app.definition, width - title.cell_len)
            title.append(note + SEPARATOR, style="italic")
            # The origin already names the chart this one came from, so the range may take all the room after it.
            min_head_cells = 1
        title.append(fit_chart_title(app.definition, app.chart_name, width - title.cell_len, min_head_cells))
        widget.update(title)

    def on_resize(self) -> None:
        # The title is cut to the screen's width, so a new width needs it cut again.
        self._draw_title()

    def _move(self, step) -> None:
        if self.app.points is None:
            return
        step(self.app.points)
        self.redraw()

    def action_move_bucket(self, delta: int) -> None:
        self._move(lambda points: points.move_bucket(delta))

    def action_move_line(self, delta: int) -> None:
        self._move(lambda points: points.move_line(delta))

    def action_first_bucket(self) -> None:
        self._move(lambda points: points.first_bucket())

    def action_last_bucket(self) -> None:
        self._move(lambda points: points.last_bucket())

    def action_toggle_part(self) -> None:
        definition = self.app.definition
        period = definition.period if definition is not None else "day"
        unit = self.app.points.unit if isinstance(self.app.points, RetentionPoints) else "users"
        message = not_begun_message(self.app.points, period, f"it has no retained or not-retained {unit} to switch")
        if message is not None:
            self.notify(message)
            return
        self._move(lambda points: points.toggle_part())

    def action_switch_over_time(self) -> None:
        switch_over_time(self)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """Let the part and funnel keys run, and be listed in the keys dialog, only on the charts they act on."""
        # False hides the key. The app shows ``unavailable_reason`` when a hidden key is pressed.
        return self.unavailable_reason(action) is None

    def unavailable_reason(self, action: str) -> str | None:
        """Return why ``action`` does nothing on the chart shown, or None when it acts on it."""
        points = self.app.points
        if action in PART_ACTIONS and not isinstance(points, (RetentionPoints, FunnelOverTimePoints)):
            if isinstance(points, FunnelPoints):
                return FUNNEL_STEPS_PARTS
            return f"{PARTS_REASON}, and {chart_shown(self.app.definition)}."
        if action in FUNNEL_ACTIONS and not isinstance(points, (FunnelPoints, FunnelOverTimePoints)):
            return f"{OVER_TIME_REASON}, and {chart_shown(self.app.definition)}."
        if action.startswith(MICROSCOPE_ONLY):
            microscope_action = ACTIONS[action.removeprefix(MICROSCOPE_ONLY)]
            key, label = microscope_action.key, microscope_action.label
            return f"{key} ({label}) works in the microscope: press Enter on a point first."
        if action == EXCLUDE_HINT_ACTION:
            return EXCLUDE_HINT
        return None

    # Imported on first use: these screens pull in the store's pandas queries.

    def action_open_cohorts(self) -> None:
        from tui.app.microscope.cohorts_screen import CohortsScreen

        self.app.push_screen(CohortsScreen(self.app.project))

    def action_open_markers(self) -> None:
        from tui.app.microscope.markers_screen import MarkersScreen

        self.app.push_screen(MarkersScreen(self.app.project))

    def action_open_pathfinder(self) -> None:
        from tui.app.commands import open_pathfinder

        open_pathfinder(self.app)
