"""The legend under the chart: each line's marker and name, the cursor's line highlighted."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widget import Widget

from tui.analytics.definition import ChartDefinition
from tui.app.chart_points import ChartPoints
from tui.app.describe import line_name
from tui.app.formatting import shorten
from tui.app.plotting import line_style

# Long event names (a thousand characters happen) are cut so several lines fit on a row.
MAX_NAME_CELLS = 32
GAP = "   "


def legend_text(points: ChartPoints, definition: ChartDefinition, color: bool, width: int) -> Text:
    """Return the legend laid out in rows of ``width`` cells, never breaking an entry.

    Each entry is ``marker name``; the selected line's name is in reverse video.
    """
    legend = Text(no_wrap=True, overflow="ellipsis")
    row_cells = 0
    for index, line in enumerate(points.lines):
        marker, line_color = line_style(index)
        name_cells = min(MAX_NAME_CELLS, max(width - 2, 1))
        name = shorten(line_name(definition, line.series, line.series_name, line.segment), name_cells)
        entry_cells = cell_len(name) + 2
        if row_cells and row_cells + len(GAP) + entry_cells > width:
            legend.append("\n")
            row_cells = 0
        elif row_cells:
            legend.append(GAP)
            row_cells += len(GAP)

        legend.append(marker, style=line_color if color else "")
        legend.append(" ")
        legend.append(name, style="reverse" if index == points.line_index else "")
        row_cells += entry_cells
    return legend


class Legend(Widget):
    """The legend of the app's current chart, laid out for the widget's width."""

    def render(self) -> Text:
        app = self.app
        if app.points is None or app.points.empty or app.definition is None:
            return Text()
        return legend_text(app.points, app.definition, not app.no_color, self.content_size.width)
