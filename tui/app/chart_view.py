"""The chart canvas: draws the loaded points and the cursor at the widget's current size."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from tui.app import plotting
from tui.app.chart_markers import marker_positions
from tui.app.chart_points import ChartPoints
from tui.app.formatting import tick_label


class ChartView(Widget, can_focus=True):
    """The canvas plotting every line of a ``ChartPoints``, at most one bucket per column."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.points: ChartPoints | None = None
        self.interval = "day"
        self.message = "Loading the chart…"

    def show(self, points: ChartPoints | None, interval: str, message: str = "") -> None:
        """Draw ``points``, or ``message`` when there are none."""
        self.points = points
        self.interval = interval
        self.message = message
        self.refresh()

    def render(self) -> Text:
        points = self.points
        if points is None or points.empty:
            return Text(self.message or "No data points in this range.")

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
