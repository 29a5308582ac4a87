"""The chart canvas: draws the loaded points and the cursor at the widget's current size.

A retention chart is drawn as its cohort table instead of a plot.
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from tui.app import plotting
from tui.app.chart_markers import marker_positions
from tui.app.chart_points import ChartPoints
from tui.app.formatting import tick_label
from tui.app.funnel_points import FunnelPoints
from tui.app.retention_points import RetentionPoints
from tui.app.retention_table import draw_table

# Any of the cursor models a loaded chart has.
Points = ChartPoints | FunnelPoints | RetentionPoints


class ChartView(Widget, can_focus=True):
    """The canvas of the loaded chart: lines, funnel bars, or a retention cohort table.

    It plots every line of ``ChartPoints`` (at most one bucket per column),
    the bars of ``FunnelPoints``, or the table of ``RetentionPoints``.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.points: Points | None = None
        self.interval = "day"
        self.period = "day"
        self.message = "Loading the chart…"

    def show(self, points: Points | None, interval: str, message: str = "", period: str = "day") -> None:
        """Draw ``points``, or ``message`` when there are none; ``period`` names a retention chart's columns."""
        self.points = points
        self.interval = interval
        self.period = period
        self.message = message
        self.refresh()

    def render(self) -> Text:
        points = self.points
        if points is None or points.empty:
            return Text(self.message or "No data points in this range.")
        if isinstance(points, FunnelPoints):
            return self._render_funnel(points)
        if isinstance(points, RetentionPoints):
            width, height = self.content_size
            return draw_table(points, self.period, width, height)

        width, height = self.content_size
        all_values = [value for line in points.lines for value in line.values]
        window = points.window(plotting.data_columns(width, all_values))
        lines = [line.values[window.start : window.stop] for line in points.lines]
        labels = [tick_label(points.bucket_starts[index], self.interval) for index in window]
        cursor = (points.line_index, points.bucket_index - window.start)
        markers = {
            index - window.start: symbol
            for index, symbol in marker_positions(self.app.markers, points.bucket_starts, points.bucket_ends).items()
            if index in window
        }
        return plotting.draw(lines, labels, cursor, width, height, color=not self.app.no_color, markers=markers)

    def _render_funnel(self, points: FunnelPoints) -> Text:
        width, height = self.content_size
        converted = [step.converted for step in points.steps]
        dropped = [step.dropped for step in points.steps]
        cursor = (points.step_index, points.on_dropped)
        return plotting.draw_funnel(converted, dropped, cursor, width, height, color=not self.app.no_color)
