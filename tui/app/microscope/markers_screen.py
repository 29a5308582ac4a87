"""Annotations and releases of the project: listed by day, shown whole, and deleted after a yes-or-no question.

Deleting either needs the manager or admin role. The store checks it, and a
rejected delete shows the store's reason in a notification.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.widgets import DataTable

from tui.app.formatting import format_time, shorten
from tui.app.microscope.jobs import project_on
from tui.app.microscope.list_dialog import ListDialog
from tui.app.microscope.marker_view import MarkerView
from tui.app.microscope.release_dialog import release_days
from tui.store.annotations import (
    Annotation, Release, delete_annotation, delete_release, list_annotations, list_releases,
)
from tui.text import printable

# Minimum widths in cells for the columns that need more than their header. Other columns are never cut
# below their header's width. Kind keeps "annotation" whole, and Days keeps the first day ("2024-03-05…").
MIN_COLUMN_CELLS = {"Kind": 10, "Days": 11, "Label": 6}
# Columns shown whole when the room allows, because a cut date range reads worse than a cut sentence.
WHOLE_COLUMNS = ("Kind", "Days")
# Shown in the view for a field left empty.
EMPTY_FIELD = "(none)"


@dataclass(frozen=True)
class MarkerRow:
    """One annotation or release: its cells in the table, and its ``fields`` (name, text) shown whole by the view."""

    kind: str
    object_id: int
    first_day: date
    cells: tuple[str, ...]
    fields: tuple[tuple[str, str], ...]

    @property
    def name(self) -> str:
        return f"{self.kind} '{self.cells[2]}'"


def printable_fields(fields: list[tuple[str, str | None]]) -> tuple[tuple[str, str], ...]:
    return tuple((name, printable(value) if value else EMPTY_FIELD) for name, value in fields)


def time_with_zone(moment: datetime) -> str:
    """Return ``moment`` to the minute with its zone, which is DuckDB's session zone for a TIMESTAMPTZ read back."""
    zone = moment.tzname()
    return f"{format_time(moment)} {zone}" if zone else format_time(moment)


def annotation_row(annotation: Annotation) -> MarkerRow:
    cells = ("annotation", str(annotation.day), annotation.label, annotation.details or "", "", annotation.created_by or "")
    fields = [
        ("Kind", "annotation"),
        ("Label", annotation.label),
        ("Details", annotation.details),
        ("Day", str(annotation.day)),
        ("Chart", annotation.chart_name or "every chart"),
        ("Created by", annotation.created_by),
        ("Created at", time_with_zone(annotation.created_at)),
    ]
    return MarkerRow(
        "annotation", annotation.annotation_id, annotation.day,
        tuple(printable(cell) for cell in cells), printable_fields(fields),
    )


def release_row(release: Release) -> MarkerRow:
    cells = (
        "release", listed_days(release), f"{release.version} {release.title}", release.description or "",
        ", ".join(release.platforms), release.created_by or "",
    )
    fields = [
        ("Kind", "release"),
        ("Version", release.version),
        ("Title", release.title),
        ("Description", release.description),
        ("Days", release_days(release)),
        ("Platforms", ", ".join(release.platforms)),
        ("Created by", release.created_by),
        ("Created at", time_with_zone(release.created_at)),
    ]
    return MarkerRow(
        "release", release.release_id, release.first_day,
        tuple(printable(cell) for cell in cells), printable_fields(fields),
    )


def listed_days(release: Release) -> str:
    """Return the days of ``release`` for the list: the year of the last day is left out when it is the first's.

    ``2024-03-05 to 03-07`` leaves the label and details 5 more cells than ``release_days`` does.
    """
    first, last = release.first_day, release.last_day
    if last == first or last.year != first.year:
        return release_days(release)
    return f"{first} to {last:%m-%d}"


def marker_rows(cursor) -> list[MarkerRow]:
    """Return every annotation and release of the project, by first day."""
    rows = [annotation_row(annotation) for annotation in list_annotations(cursor)]
    rows += [release_row(release) for release in list_releases(cursor)]
    return sorted(rows, key=lambda row: (row.first_day, row.kind, row.object_id))


def column_widths(rows: list[MarkerRow], columns: tuple[str, ...], room: int) -> list[int]:
    """Return the cells of text each column may show so that all of them fit in ``room`` cells.

    ``room`` counts text only, without the padding around the columns. Each
    column starts as wide as its header and longest cell, and ``shrink_widest``
    cuts the widest ones until they fit. The columns of ``WHOLE_COLUMNS`` are
    kept whole while the others' minimums leave room for them.
    """
    naturals = []
    minimums = []
    for index, header in enumerate(columns):
        natural = max([cell_len(header), *(cell_len(row.cells[index]) for row in rows)])
        naturals.append(natural)
        minimums.append(min(natural, max(cell_len(header), MIN_COLUMN_CELLS.get(header, 0))))

    whole = [
        natural if header in WHOLE_COLUMNS else minimum
        for header, natural, minimum in zip(columns, naturals, minimums)
    ]
    if sum(whole) <= room:
        minimums = whole
    return shrink_widest(naturals, minimums, room)


def shrink_widest(widths: list[int], minimums: list[int], room: int) -> list[int]:
    """Return ``widths`` cut, one cell at a time from the widest column over its minimum, until they sum to ``room``.

    So long text is cut first and short columns stay whole. When even the
    minimums do not fit, the minimums are returned (and the table scrolls sideways).
    """
    # No column can show more than ``room``, and starting there keeps the loop short for very long details.
    widths = [max(min(width, room), minimum) for width, minimum in zip(widths, minimums)]
    while sum(widths) > room:
        cuttable = [index for index, width in enumerate(widths) if width > minimums[index]]
        if not cuttable:
            break
        widest = max(cuttable, key=lambda index: widths[index])
        widths[widest] -= 1
    return widths


class MarkersScreen(ListDialog):
    """A dialog listing the project's annotations and releases, opened as ``MarkersScreen(project)``.

    Enter shows the highlighted one whole, and ``d`` deletes it.
    """

    BINDINGS = [
        # A priority binding, because the focused DataTable binds Enter too (hidden from the footer), and a focused
        # widget's binding runs before the screen's.
        Binding(
            "enter", "view", "View", id="markers.view", priority=True,
            tooltip="Show the whole highlighted annotation or release",
        ),
        Binding("d,delete", "delete", "Delete", id="markers.delete", tooltip="Delete the highlighted annotation or release"),
    ]
    title_text = "Annotations and releases"
    columns = ("Kind", "Days", "Label", "Details", "Platforms", "Created by")
    row_noun = "annotations and releases"
    row_singular = "annotation or release"
    empty_text = "No annotations or releases yet: add them from a data point's microscope."

    def __init__(self, project):
        super().__init__(project)
        # The text cells of each column in the table now, fitted to its width by ``column_widths``.
        self._widths: list[int] = []

    def load_rows(self, cursor) -> list[MarkerRow]:
        return marker_rows(cursor)

    def row_cells(self, row: MarkerRow) -> list[Text]:
        return [Text(shorten(cell, width)) for cell, width in zip(row.cells, self._widths)]

    def fill_table(self) -> None:
        # The columns are added again with fixed widths, because DataTable (Textual 8.2) widens a column to fit
        # its longest cell but never narrows it again, not even when cleared, so a smaller dialog would crop them.
        self._widths = self._fitted_widths()
        table = self.query_one(DataTable)
        table.clear(columns=True)
        for header, width in zip(self.columns, self._widths):
            table.add_column(Text(header), width=width)
        super().fill_table()

    def _fitted_widths(self) -> list[int]:
        """Return the column widths that fit the table as it is laid out now."""
        table = self.query_one(DataTable)
        # DataTable (Textual 8.2) draws ``cell_padding`` blank cells on each side of every column's text. A
        # vertical scroll bar takes its cells from the same width once the rows and header are taller than the table.
        room = table.content_region.width - 2 * table.cell_padding * len(self.columns)
        if len(self.rows) + table.header_height > table.content_region.height:
            room -= table.styles.scrollbar_size_vertical
        return column_widths(self.rows, self.columns, room)

    def on_resize(self, event: events.Resize) -> None:
        # After the next refresh, because the table gets its new size when the screen is laid out again.
        self.call_after_refresh(self._refit)

    def _refit(self) -> None:
        """Fill the table again if its new size changes the column widths, keeping the cursor on its row."""
        if not self.rows or self._fitted_widths() == self._widths:
            return
        table = self.query_one(DataTable)
        cursor_row = table.cursor_row
        self.fill_table()
        table.move_cursor(row=cursor_row, animate=False)

    def action_view(self) -> None:
        row = self.highlighted_row()
        if row is not None:
            self.app.push_screen(MarkerView(row.kind.capitalize(), row.fields))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        # Posted by a click on the highlighted row. Enter does not post it, because this screen's priority binding
        # takes Enter first.
        event.stop()
        self.action_view()

    def action_delete(self) -> None:
        row = self.highlighted_row()
        if row is None:
            return
        remove = delete_annotation if row.kind == "annotation" else delete_release
        question = f"Delete the {row.name} of {row.cells[1]}? It cannot be restored. (y/n)"
        delete = lambda cursor: remove(project_on(self.project, cursor), row.object_id)  # noqa: E731
        self.delete_after_asking(question, delete, f"Deleted the {row.name}.", "Delete failed")

    def after_delete(self) -> None:
        super().after_delete()
        self.app.reload_markers()
