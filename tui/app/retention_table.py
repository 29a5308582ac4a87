"""The retention chart as a cohort table drawn into a ``rich.text.Text``.

Rows are the start cohorts (start date, or date and time for hourly
cohorts, and size) under an average row; columns are
periods 0 to N with the retention rate. Every cue reads without colour: an
incomplete cell ends in ``INCOMPLETE_MARK``, a period that had not begun by
the last event is blank, and the cursor's cell starts with
``RETAINED_MARK`` or ``NOT_RETAINED_MARK`` for the part under it. A grouped
chart shows the cursor's segment's table, named on a line under the cohorts. When the
table does not fit, it shows the part around the cursor and a status line
saying which cohorts and periods are on screen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text

from tui.app.formatting import format_number
from tui.app.plotting import CURSOR_MARKER
from tui.app.retention_points import RetentionPoints, cohort_label
from tui.text import printable

RETAINED_MARK = CURSOR_MARKER
NOT_RETAINED_MARK = "◇"
INCOMPLETE_MARK = "*"
NO_RATE = "–"
COHORT_HEADER = "Cohort"
AVERAGE_LABEL = "Average"
# A cohort is named by the date its bucket starts, YYYY-MM-DD, and an hourly one by YYYY-MM-DD HH:MM.
LABEL_CELLS = 10
TIMED_LABEL_CELLS = 16
# Shown in the gap before the first period column, or after the last, when periods are cut off on that side.
MORE_LEFT = "‹"
MORE_RIGHT = "›"
# Header, average row and rule above the cohorts.
HEAD_ROWS = 3
MIN_WIDTH = 30
MIN_HEIGHT = HEAD_ROWS + 2
# The keys that show the previous and the next segment's table.
SEGMENT_KEYS = "[ ]"


@dataclass(frozen=True)
class Layout:
    """Column widths of the table: the size column, and each period column with its rate's decimals."""

    size_cells: int
    rate_cells: int
    decimals: int
    label_cells: int = LABEL_CELLS

    @property
    def column_cells(self) -> int:
        """A period column: the cursor's mark, the rate, then the incomplete mark."""
        return self.rate_cells + 2

    @property
    def fixed_cells(self) -> int:
        """The cohort and size columns with a gap after each, and a gap at the right for ``MORE_RIGHT``."""
        return self.label_cells + 1 + self.size_cells + 1 + 1


def rate_text(rate: float, decimals: int) -> str:
    """Return a retention rate such as ``45.2%``, or ``–`` for a cohort with no users."""
    if math.isnan(rate):
        return NO_RATE
    return f"{rate * 100:.{decimals}f}%"


def size_header(points: RetentionPoints) -> str:
    """Return the title of the cohort size column: what the chart counts, ``Users`` or ``Groups``."""
    return points.unit.capitalize()


def period_header(period_name: str, period: int) -> str:
    return f"{period_name.capitalize()} {period}"


def draw_table(points: RetentionPoints, period_name: str, width: int, height: int) -> Text:
    """Draw the table of ``points`` in ``width`` x ``height`` cells; ``period_name`` is ``day`` or ``week``."""
    if width < MIN_WIDTH or height < MIN_HEIGHT:
        return Text("Enlarge the window to see the table.")

    layout, rows, columns, cut = _visible_part(points, period_name, width, height)
    table = Text(no_wrap=True, overflow="crop")
    _header_row(table, points, period_name, layout, columns)
    _average_row(table, points, layout, columns)
    # The rule spans the columns drawn, without the gap kept for ``MORE_RIGHT``.
    table.append("\n" + "─" * (layout.fixed_cells - 1 + len(columns) * layout.column_cells), style="dim")
    for index in rows:
        _cohort_row(table, points, index, layout, columns)
    if points.grouped:
        table.append("\n" + segment_line(points), style="bold")
    if cut:
        table.append("\n" + _status(points, period_name, rows, columns), style="dim")
    return table


def cell_at(points: RetentionPoints, period_name: str, width: int, height: int, x: int, y: int) -> tuple[int, int] | None:
    """Return ``(cohort index, period)`` of the cell at ``(x, y)`` of the table ``draw_table`` drew with these arguments.

    None for the header, the average row, the cohort and size columns, and
    anything outside the cells.
    """
    if width < MIN_WIDTH or height < MIN_HEIGHT:
        return None
    layout, rows, columns, _ = _visible_part(points, period_name, width, height)
    first_cell = layout.fixed_cells - 1
    row, column = y - HEAD_ROWS, (x - first_cell) // layout.column_cells
    if x < first_cell or not 0 <= row < len(rows) or column >= len(columns):
        return None
    return rows[row], columns[column]


def _visible_part(points: RetentionPoints, period_name: str, width: int, height: int) -> tuple[Layout, range, range, bool]:
    """Return the layout, the cohorts and periods on screen, and whether the table is cut to them."""
    layout = choose_layout(points, period_name, width)
    column_capacity = max((width - layout.fixed_cells) // layout.column_cells, 1)
    # A grouped table names its segment on a line under the cohorts.
    row_capacity = height - HEAD_ROWS - (1 if points.grouped else 0)
    cut = points.period_count > column_capacity or len(points.rows) > row_capacity
    columns = points.visible_columns(column_capacity)
    rows = points.visible_rows(max(row_capacity - (1 if cut else 0), 1))
    return layout, rows, columns, cut


def choose_layout(points: RetentionPoints, period_name: str, width: int) -> Layout:
    """Return the widest layout that shows every period in ``width``, else the narrowest one.

    Rates keep one decimal when every period fits with it, and drop it otherwise.
    """
    sizes = [row[0].cohort_size for row in points.rows]
    size_cells = max(cell_len(size_header(points)), len(format_number(sum(sizes))))
    header_cells = max(cell_len(period_header(period_name, period)) for period in range(points.period_count))
    label_cells = TIMED_LABEL_CELLS if points.timed_cohorts else LABEL_CELLS
    layout = Layout(size_cells, 0, 0, label_cells)
    for decimals in (1, 0):
        layout = Layout(size_cells, max(header_cells, len(rate_text(1.0, decimals))), decimals, label_cells)
        if layout.fixed_cells + points.period_count * layout.column_cells <= width:
            break
    return layout


def _header_row(table: Text, points: RetentionPoints, period_name: str, layout: Layout, columns: range) -> None:
    header = COHORT_HEADER.ljust(layout.label_cells) + " " + size_header(points).rjust(layout.size_cells)
    table.append(header, style="bold")
    table.append(MORE_LEFT if columns.start > 0 else " ", style="bold")
    for period in columns:
        style = "bold underline" if period == points.period_index else "bold"
        table.append(" " + period_header(period_name, period).rjust(layout.rate_cells), style=style)
        table.append(" ")
    table.append(MORE_RIGHT if columns.stop < points.period_count else "", style="bold")


def _average_row(table: Text, points: RetentionPoints, layout: Layout, columns: range) -> None:
    total = sum(row[0].cohort_size for row in points.rows)
    label = AVERAGE_LABEL.ljust(layout.label_cells)
    table.append("\n" + label + " " + format_number(total).rjust(layout.size_cells) + " ")
    for period in columns:
        average = points.average(period)
        rate = average.rate if average is not None else math.nan
        table.append(" " + rate_text(rate, layout.decimals).rjust(layout.rate_cells) + " ", style="bold")


def _cohort_row(table: Text, points: RetentionPoints, index: int, layout: Layout, columns: range) -> None:
    cells = points.rows[index]
    first = cells[0]
    label_style = "bold" if index == points.cohort_index else ""
    label = cohort_label(first.bucket_start, points.timed_cohorts)
    table.append("\n" + label.ljust(layout.label_cells), style=label_style)
    table.append(" " + format_number(first.cohort_size).rjust(layout.size_cells) + " ")
    for period in columns:
        cell = cells[period]
        flag = " " if cell.complete or not cell.started else INCOMPLETE_MARK
        on_cursor = index == points.cohort_index and period == points.period_index
        # The mark sits right before the rate, so it reads as part of this cell, not the one on its left.
        mark = ""
        if on_cursor:
            mark = NOT_RETAINED_MARK if points.not_retained else RETAINED_MARK
        # A period that had not begun by the last event has no rate yet, not a rate of 0%.
        rate = rate_text(cell.rate, layout.decimals) if cell.started else ""
        text = (mark + rate).rjust(layout.rate_cells + 1) + flag
        if on_cursor:
            table.append(text, style="reverse")
        else:
            table.append(text, style="" if cell.complete else "dim")


def segment_line(points: RetentionPoints) -> str:
    """Return which segment's table is shown, e.g. ``Segment 2 of 3: iOS · [ ] switch segment``."""
    return (
        f"Segment {points.segment_index + 1} of {len(points.segments)}: {printable(points.segment)}"
        f" · {SEGMENT_KEYS} switch segment"
    )


def _status(points: RetentionPoints, period_name: str, rows: range, columns: range) -> str:
    """Return which cohorts and periods are on screen, e.g. ``cohorts 5–16 of 31 · days 0–6 of 0–7``."""
    last_period = points.period_count - 1
    return (
        f"cohorts {rows.start + 1}–{rows.stop} of {len(points.rows)} · "
        f"{period_name}s {columns.start}–{columns.stop - 1} of 0–{last_period} · arrows scroll"
    )
