"""The chart canvas: draws the loaded points and the cursor at the widget's current size.

A retention chart is drawn as its cohort table instead of a plot.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.widget import Widget

from tui.app import plotting
from tui.app.chart_markers import marker_positions
from tui.app.chart_points import ChartPoints
from tui.app.formatting import tick_label
from tui.app.funnel_over_time import FunnelOverTimePoints
from tui.app.funnel_points import FunnelPoints
from tui.app.retention_points import RetentionPoints
from tui.app.retention_table import cell_at, draw_table

# Any of the cursor models a loaded chart has.
Points = ChartPoints | FunnelPoints | RetentionPoints
# The actions that move a retention table's cursor across cohorts and segments.
RETENTION_ACTIONS = ("first_cohort", "last_cohort", "move_segment")


def chart_shown(definition) -> str:
    """Name the type of the chart shown, for messages on keys that do nothing on it."""
    return "no chart is drawn" if definition is None else f"this is a {definition.type} chart"


class ChartView(Widget, can_focus=True):
    """The canvas of the loaded chart: lines, funnel bars, or a retention cohort table.

    It plots every line of ``ChartPoints`` (at most one bucket per column),
    the bars of ``FunnelPoints``, or the table of ``RetentionPoints``. The
    keys bound here act on a retention table only, and are listed only there.
    """

    BINDINGS = [
        Binding(
            "home", "first_cohort", "First cohort", show=False, id="chart.first_cohort",
            tooltip="First start cohort of the retention table",
        ),
        Binding(
            "end", "last_cohort", "Last cohort", show=False, id="chart.last_cohort",
            tooltip="Last start cohort of the retention table",
        ),
        Binding(
            "left_square_bracket", "move_segment(-1)", "Previous segment", show=False, id="chart.previous_segment",
            tooltip="The previous segment's retention table",
        ),
        Binding(
            "right_square_bracket", "move_segment(1)", "Next segment", show=False, id="chart.next_segment",
            tooltip="The next segment's retention table",
        ),
    ]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.points: Points | None = None
        self.interval = "day"
        self.period = "day"
        self.message = "Loading the chart…"
        # The last plot drawn and the buckets it shows, so a click can be mapped back to a point.
        self._drawn: Text | None = None
        self._window = range(0)

    def show(self, points: Points | None, interval: str, message: str = "", period: str = "day") -> None:
        """Draw ``points``, or ``message`` when there are none; ``period`` names a retention chart's columns."""
        self.points = points
        self.interval = interval
        self.period = period
        self.message = message
        self.refresh()

    def render(self) -> Text:
        self._drawn = None
        points = self.points
        if points is None or points.empty:
            return Text(self.message or "No data points in this range.")
        if isinstance(points, FunnelPoints):
            self._drawn = self._render_funnel(points)
            return self._drawn
        if isinstance(points, RetentionPoints):
            width, height = self.content_size
            return draw_table(points, self.period, width, height)

        width, height = self.content_size
        all_values = [value for line in points.lines for value in line.values]
        window = points.window(plotting.data_columns(width, all_values))
        lines = [line.values[window.start : window.stop] for line in points.lines]
        labels = [
            tick_label(points.bucket_starts[index], self.interval, points.is_partial(index, self.interval))
            for index in window
        ]
        cursor = (points.line_index, points.bucket_index - window.start)
        markers = {
            index - window.start: symbol
            for index, symbol in marker_positions(self.app.markers, points.bucket_starts, points.bucket_ends).items()
            if index in window
        }
        hidden = (window.start, len(points.bucket_starts) - window.stop)
        first_open = points.first_open_bucket() if isinstance(points, FunnelOverTimePoints) else None
        open_from = None if first_open is None else max(first_open - window.start, 0)
        self._drawn = plotting.draw(
            lines, labels, cursor, width, height, color=not self.app.no_color, markers=markers, hidden=hidden,
            open_from=open_from, styles=points.line_styles,
        )
        self._window = window
        return self._drawn

    def _render_funnel(self, points: FunnelPoints) -> Text:
        width, height = self.content_size
        if points.grouped:
            converted, dropped = _segment_funnel_counts(points)
            cursor = (points.step_index, points.segment_index, points.on_dropped)
            return plotting.draw_segment_funnel(converted, dropped, cursor, width, height, color=not self.app.no_color)
        converted, dropped = _funnel_counts(points)
        cursor = (points.step_index, points.on_dropped)
        return plotting.draw_funnel(converted, dropped, cursor, width, height, color=not self.app.no_color)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """Hide the retention keys on other charts, and the segment keys on an ungrouped table."""
        # The app shows ``unavailable_reason`` when a hidden key is pressed.
        return self.unavailable_reason(action) is None

    def unavailable_reason(self, action: str) -> str | None:
        """Return why the retention key of ``action`` does nothing on the chart shown, or None when it acts."""
        if action not in RETENTION_ACTIONS:
            return None
        points = self.app.points
        if not isinstance(points, RetentionPoints):
            current_chart = chart_shown(self.app.definition)
            if action == "move_segment":
                return f"Only retention tables grouped by a property show one segment at a time, and {current_chart}."
            return (
                f"Only retention tables have start cohorts to jump to, and {current_chart}. "
                "g and G go to the first and last bucket."
            )
        if action == "move_segment" and not points.grouped:
            return "This retention table has no segments: group it by a property in the builder (b) to get one table each."
        return None

    def action_first_cohort(self) -> None:
        self._move_retention(lambda points: points.first_cohort())

    def action_last_cohort(self) -> None:
        self._move_retention(lambda points: points.last_cohort())

    def action_move_segment(self, delta: int) -> None:
        self._move_retention(lambda points: points.move_segment(delta))

    def _move_retention(self, step) -> None:
        points = self.app.points
        if isinstance(points, RetentionPoints):
            step(points)
            # The home screen draws the readout and the legend along with this canvas.
            self.screen.redraw()

    def on_click(self, event: events.Click) -> None:
        """Move the cursor to the clicked point; a click on the point under the cursor opens the microscope.

        So a double click opens the microscope on any point: its first click
        moves the cursor there.
        """
        offset = event.get_content_offset(self)
        if offset is None or self.points is None or self.points.empty:
            return
        moved = self._move_cursor_to(self.points, offset.x, offset.y)
        if moved is None:
            return
        event.stop()
        if moved:
            # The home screen draws the readout and the legend along with this canvas.
            self.screen.redraw()
        else:
            self.app.action_open_point()

    def _move_cursor_to(self, points: Points, x: int, y: int) -> bool | None:
        """Move the cursor to the point drawn at ``(x, y)``; return whether it moved, or None when no point is there."""
        width, height = self.content_size
        if isinstance(points, RetentionPoints):
            cell = cell_at(points, self.period, width, height, x, y)
            return None if cell is None else points.move_to(*cell)
        if self._drawn is None:
            return None
        if isinstance(points, FunnelPoints) and points.grouped:
            found = plotting.segment_funnel_part_at(self._drawn, x, y, *_segment_funnel_counts(points), width)
            if found is None:
                return None
            step, segment, dropped = found
            return points.move_to(step, dropped, segment)
        if isinstance(points, FunnelPoints):
            part = plotting.funnel_part_at(self._drawn, x, y, *_funnel_counts(points), width)
            return None if part is None else points.move_to(*part)

        window = self._window
        values = [value for line in points.lines for value in line.values[window.start : window.stop]]
        found = plotting.line_position_at(self._drawn, x, y, len(window), values)
        return None if found is None else points.move_to(window.start + found[0], found[1])


def _funnel_counts(points: FunnelPoints) -> tuple[list[int], list[int]]:
    """Return each step's converted and dropped-off counts, as the funnel is drawn."""
    return [step.converted for step in points.steps], [step.dropped for step in points.steps]


def _segment_funnel_counts(points: FunnelPoints) -> tuple[list[list[int]], list[list[int]]]:
    """Return each segment's converted and dropped-off counts by step, as a grouped funnel is drawn."""
    converted = [[step.converted for step in steps] for steps in points.segment_steps]
    dropped = [[step.dropped for step in steps] for steps in points.segment_steps]
    return converted, dropped
