"""The legend under the chart: each line's marker and name, the cursor's line highlighted, then annotations and releases.

A funnel's legend gives the fill of each part, then each step's number and
event. A grouped funnel's legend starts with each segment's fill. A retention table's legend gives the cursor's mark for each part of a
cell, the incomplete mark and what the average row averages.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widget import Widget

from tui.analytics.definition import ChartDefinition
from tui.app.chart_markers import Marker
from tui.app.chart_points import ChartPoints
from tui.app.describe import line_name, part_name, retention_part_name, series_name
from tui.app.formatting import shorten
from tui.app.funnel_points import FunnelPoints
from tui.app.plotting import CONVERTED_COLOR, CONVERTED_FILL, DROPPED_COLOR, DROPPED_FILL, line_style
from tui.app.retention_points import RetentionPoints
from tui.app.retention_table import AVERAGE_LABEL, INCOMPLETE_MARK, NOT_RETAINED_MARK, RETAINED_MARK, SEGMENT_KEYS
from tui.text import printable

# Long event names (a thousand characters happen) are cut so several lines fit on a row.
MAX_NAME_CELLS = 32
GAP = "   "


def legend_text(
    points: ChartPoints,
    definition: ChartDefinition,
    color: bool,
    width: int,
    markers: tuple[Marker, ...] = (),
) -> Text:
    """Return the legend laid out in rows of ``width`` cells, never breaking an entry.

    Each line's entry is ``marker name``, the selected line's name in reverse
    video. Annotations and releases follow as ``symbol day label``.
    """
    legend = Text(no_wrap=True, overflow="ellipsis")
    name_cells = min(MAX_NAME_CELLS, max(width - 2, 1))
    row_cells = 0
    for index, line in enumerate(points.lines):
        marker, line_color = line_style(index)
        name = shorten(line_name(definition, line.series, line.series_name, line.segment), name_cells)
        name_style = "reverse" if index == points.line_index else ""
        row_cells = _append_entry(legend, row_cells, width, (marker, line_color if color else ""), (name, name_style))
    for chart_marker in markers:
        label = shorten(chart_marker.legend_label(), name_cells)
        row_cells = _append_entry(legend, row_cells, width, (chart_marker.symbol, ""), (label, "dim"))
    return legend


def funnel_legend_text(points: FunnelPoints, definition: ChartDefinition, color: bool, width: int) -> Text:
    """Return the legend of a funnel in rows of ``width`` cells: the part under the cursor and its step in reverse video."""
    legend = Text(no_wrap=True, overflow="ellipsis")
    name_cells = min(MAX_NAME_CELLS, max(width - 2, 1))
    row_cells = 0
    parts = ((CONVERTED_FILL, CONVERTED_COLOR, False), (DROPPED_FILL, DROPPED_COLOR, True))
    if points.grouped:
        row_cells = _append_segments(legend, points, color, width, name_cells)
        # Each segment fills its converted part with its own marker, and every dropped-off part with one fill.
        marker, segment_color = line_style(points.segment_index)
        parts = ((marker, segment_color, False), (DROPPED_FILL, segment_color, True))
    for fill, fill_color, dropped in parts:
        name_style = "reverse" if dropped == points.on_dropped else ""
        row_cells = _append_entry(legend, row_cells, width, (fill, fill_color if color else ""), (part_name(dropped), name_style))
    for index, spec in enumerate(definition.steps):
        name = shorten(series_name(spec), name_cells)
        name_style = "reverse" if index == points.step_index else ""
        row_cells = _append_entry(legend, row_cells, width, (str(index + 1), "bold"), (name, name_style))
    return legend


def _append_segments(legend: Text, points: FunnelPoints, color: bool, width: int, name_cells: int) -> int:
    """Append each segment's converted fill and name, the cursor's segment in reverse video.

    Returns the cells now used on the last row.
    """
    row_cells = 0
    for index, segment in enumerate(points.segments):
        marker, segment_color = line_style(index)
        name = shorten(printable(segment), name_cells)
        name_style = "reverse" if index == points.segment_index else ""
        row_cells = _append_entry(legend, row_cells, width, (marker, segment_color if color else ""), (name, name_style))
    return row_cells


def retention_legend_text(points: RetentionPoints, width: int) -> Text:
    """Return the legend of a retention table in rows of ``width`` cells: the part under the cursor in reverse video."""
    legend = Text(no_wrap=True, overflow="ellipsis")
    row_cells = 0
    for mark, not_retained in ((RETAINED_MARK, False), (NOT_RETAINED_MARK, True)):
        name_style = "reverse" if not_retained == points.not_retained else ""
        row_cells = _append_entry(legend, row_cells, width, (mark, ""), (retention_part_name(not_retained), name_style))
    row_cells = _append_entry(legend, row_cells, width, ("t", "bold"), ("switches part", "dim"))
    if points.grouped:
        row_cells = _append_entry(legend, row_cells, width, (SEGMENT_KEYS, "bold"), ("switch segment", "dim"))
    row_cells = _append_entry(legend, row_cells, width, (INCOMPLETE_MARK, "bold"), ("incomplete period", "dim"))
    _append_entry(legend, row_cells, width, (AVERAGE_LABEL, "bold"), ("of complete cells", "dim"))
    return legend


def _append_entry(legend: Text, row_cells: int, width: int, symbol: tuple[str, str], name: tuple[str, str]) -> int:
    """Append ``symbol name`` (each a text and its style) on the current row, or on a new one when it does not fit.

    Returns the cells now used on the last row.
    """
    entry_cells = cell_len(symbol[0]) + 1 + cell_len(name[0])
    if row_cells and row_cells + len(GAP) + entry_cells > width:
        legend.append("\n")
        row_cells = 0
    elif row_cells:
        legend.append(GAP)
        row_cells += len(GAP)
    legend.append(symbol[0], style=symbol[1])
    legend.append(" ")
    legend.append(name[0], style=name[1])
    return row_cells + entry_cells


class Legend(Widget):
    """The legend of the app's current chart, laid out for the widget's width."""

    def render(self) -> Text:
        app = self.app
        if app.points is None or app.points.empty or app.definition is None:
            return Text()
        if isinstance(app.points, FunnelPoints):
            return funnel_legend_text(app.points, app.definition, not app.no_color, self.content_size.width)
        if isinstance(app.points, RetentionPoints):
            return retention_legend_text(app.points, self.content_size.width)
        return legend_text(app.points, app.definition, not app.no_color, self.content_size.width, app.markers)
