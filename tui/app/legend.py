"""The legend under the chart: each line's marker and name, the cursor's line highlighted, then annotations and releases.

A funnel's conversion over time by segment names its measure once, first,
and each line by its segment alone. A funnel's legend gives the fill of
each part, then each step's number and event. A grouped funnel's legend starts with each segment's fill. A retention table's legend gives the cursor's mark for each part of a
cell, the incomplete cell's mark and what the average row averages.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widget import Widget

from tui.analytics.definition import ChartDefinition
from tui.app.chart_markers import Marker
from tui.app.chart_points import ChartPoints
from tui.app.describe import line_name, part_name, retention_part_name, series_name
from tui.app.formatting import SEPARATOR, shorten
from tui.app.funnel_over_time import FunnelOverTimePoints
from tui.app.funnel_points import FunnelPoints
from tui.app.plotting import CONVERTED_COLOR, CONVERTED_FILL, DROPPED_COLOR, DROPPED_FILL, line_style
from tui.app.retention_points import RetentionPoints
from tui.app.retention_table import AVERAGE_LABEL, INCOMPLETE_MARK, NOT_RETAINED_MARK, RETAINED_MARK, SEGMENT_KEYS
from tui.text import printable

# Long event names (a thousand characters happen) are cut so several lines fit on a row.
MAX_NAME_CELLS = 32
GAP = "   "
# A grouped funnel's "converted" entry lists this many segment markers, then "…".
SHOWN_MARKERS = 3


# An entry: its symbol and the symbol's style, then its name uncut, the name's style, and the name's kept end.
# The kept end is the end of the name that a cut keeps, such as a line's segment after its series name, or empty.
# A heading has an empty symbol, so it is written without one.
Entry = tuple[tuple[str, str], tuple[str, str, str]]


def legend_text(
    points: ChartPoints,
    definition: ChartDefinition,
    color: bool,
    width: int,
    markers: tuple[Marker, ...] = (),
) -> Text:
    """Return the legend laid out in rows of ``width`` cells, never breaking an entry.

    Each line's entry is ``marker name``, the selected line's name in reverse
    video. When every line is one measure's segment, a heading names the
    measure and each line is named by its segment. Annotations and releases
    follow as ``symbol day label``.
    """
    entries: list[Entry] = []
    measure = shared_measure(points)
    if measure is not None:
        entries.append((("", ""), (f"{measure}:", "bold", "")))
    for index, (line, style) in enumerate(zip(points.lines, points.line_styles)):
        marker, line_color = line_style(style)
        if measure is None:
            name = line_name(definition, line.series, line.series_name, line.segment)
            # The segment distinguishes the lines of one series, so a cut takes the series name first.
            segment_end = "" if line.segment is None else SEPARATOR + printable(line.segment)
        else:
            name, segment_end = printable(line.segment), ""
        name_style = "reverse" if index == points.line_index else ""
        entries.append(((marker, line_color if color else ""), (name, name_style, segment_end)))
    for chart_marker in markers:
        entries.append(((chart_marker.symbol, ""), (chart_marker.legend_label(), "dim", "")))
    return _lay_out(entries, width)


def shared_measure(points: ChartPoints) -> str | None:
    """Return the measure of a conversion over time whose lines are all its segments, else None.

    Such lines differ only by segment, so the legend names the measure once.
    """
    if not isinstance(points, FunnelOverTimePoints) or not points.lines:
        return None
    names = {line.series_name for line in points.lines}
    if len(names) > 1 or any(line.segment is None for line in points.lines):
        return None
    return printable(names.pop())


def funnel_legend_text(points: FunnelPoints, definition: ChartDefinition, color: bool, width: int) -> Text:
    """Return the legend of a funnel in rows of ``width`` cells: the part under the cursor and its step in reverse video."""
    entries: list[Entry] = []
    parts = ((CONVERTED_FILL, CONVERTED_COLOR, False), (DROPPED_FILL, DROPPED_COLOR, True))
    if points.grouped:
        entries.extend(_segment_entries(points, color))
        # Each segment fills its converted part with its own marker, and every dropped-off part with one fill.
        # The converted entry shows the segments' markers together, so no two entries share a symbol.
        _, segment_color = line_style(points.segment_index)
        converted = "/".join(line_style(index)[0] for index in range(min(len(points.segments), SHOWN_MARKERS)))
        if len(points.segments) > SHOWN_MARKERS:
            converted += "/…"
        parts = ((converted, "", False), (DROPPED_FILL, segment_color, True))
    for fill, fill_color, dropped in parts:
        name_style = "reverse" if dropped == points.on_dropped else ""
        entries.append(((fill, fill_color if color else ""), (part_name(dropped), name_style, "")))
    for index, spec in enumerate(definition.steps):
        name_style = "reverse" if index == points.step_index else ""
        entries.append(((str(index + 1), "bold"), (series_name(spec), name_style, "")))
    return _lay_out(entries, width)


def _segment_entries(points: FunnelPoints, color: bool) -> list[Entry]:
    """Return each segment's converted fill and name, the cursor's segment in reverse video."""
    entries: list[Entry] = []
    for index, segment in enumerate(points.segments):
        marker, segment_color = line_style(index)
        name_style = "reverse" if index == points.segment_index else ""
        entries.append(((marker, segment_color if color else ""), (printable(segment), name_style, "")))
    return entries


def retention_legend_text(points: RetentionPoints, width: int) -> Text:
    """Return the legend of a retention table in rows of ``width`` cells: the part under the cursor in reverse video."""
    entries: list[Entry] = []
    for mark, not_retained in ((RETAINED_MARK, False), (NOT_RETAINED_MARK, True)):
        name_style = "reverse" if not_retained == points.not_retained else ""
        entries.append(((mark, ""), (retention_part_name(not_retained), name_style, "")))
    entries.append((("t", "bold"), ("switches part", "dim", "")))
    if points.grouped:
        entries.append(((SEGMENT_KEYS, "bold"), ("switch segment", "dim", "")))
    # In mode "on or after" a marked cell's own period may be over, but later periods still add returns to it.
    entries.append(((INCOMPLETE_MARK, "bold"), ("incomplete: can still change", "dim", "")))
    entries.append(((AVERAGE_LABEL, "bold"), ("of complete cells", "dim", "")))
    return _lay_out(entries, width)


def _lay_out(entries: list[Entry], width: int) -> Text:
    """Lay out ``entries`` as ``symbol name`` in rows of ``width`` cells, ``GAP`` apart, never breaking one.

    Names are first cut to ``MAX_NAME_CELLS`` so several entries share a row.
    An entry that still ends up alone on its row is then cut to the whole
    row instead, because nothing else would use that room.
    """
    name_cells = min(MAX_NAME_CELLS, max(width - 2, 1))
    rows: list[list[Entry]] = [[]]
    row_cells = 0
    for symbol, name in entries:
        entry_cells = _symbol_cells(symbol[0]) + cell_len(_cut_name(name, name_cells))
        if rows[-1] and row_cells + len(GAP) + entry_cells > width:
            rows.append([])
            row_cells = 0
        row_cells += entry_cells + (len(GAP) if rows[-1] else 0)
        rows[-1].append((symbol, name))

    legend = Text(no_wrap=True, overflow="ellipsis")
    for row_index, row in enumerate(rows):
        if row_index:
            legend.append("\n")
        for entry_index, (symbol, name) in enumerate(row):
            cells = max(width - _symbol_cells(symbol[0]), 1) if len(row) == 1 else name_cells
            if entry_index:
                legend.append(GAP)
            if symbol[0]:
                legend.append(symbol[0], style=symbol[1])
                legend.append(" ")
            legend.append(_cut_name(name, cells), style=name[1])
    return legend


def _symbol_cells(symbol: str) -> int:
    """Return the cells of an entry's symbol and the space after it, none for a heading's empty symbol."""
    return cell_len(symbol) + 1 if symbol else 0


def _cut_name(name: tuple[str, str, str], cells: int) -> str:
    """Return an entry's name cut to ``cells``: the part before its kept end first, then the rest."""
    text, _, kept_end = name
    head_cells = cells - cell_len(kept_end)
    if cell_len(text) <= cells or not kept_end or head_cells < 2:
        return shorten(text, cells)
    # At least one cell of the head and its "…" stay, so the cut shows.
    return shorten(text[: len(text) - len(kept_end)], head_cells) + kept_end


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
