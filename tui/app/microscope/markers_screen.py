"""Annotations and releases of the project: listed by day, and deleted after a yes-or-no question.

Deleting either needs the manager or admin role. The store checks it, and a
rejected delete shows the store's reason in a notification.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable

from tui.app.formatting import shorten
from tui.app.microscope.jobs import project_on
from tui.app.microscope.list_dialog import ListDialog
from tui.app.microscope.release_dialog import release_days
from tui.store.annotations import (
    Annotation, Release, delete_annotation, delete_release, list_annotations, list_releases,
)
from tui.text import printable

# The indexes of the label and the details in a row's cells.
LABEL_COLUMN = 2
DETAILS_COLUMN = 3
# A longer label is cut, so one long label cannot take the room of the details.
MAX_LABEL_CELLS = 30
# The details get the room the other columns leave, but never less than this.
MIN_DETAILS_CELLS = 16
# The space DataTable (Textual 8.2) puts around each column: one cell of padding on each side.
COLUMN_PADDING = 2


@dataclass(frozen=True)
class MarkerRow:
    """One annotation or release as the table lists it."""

    kind: str
    object_id: int
    first_day: date
    cells: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"{self.kind} '{self.cells[2]}'"


def annotation_row(annotation: Annotation) -> MarkerRow:
    cells = ("annotation", str(annotation.day), annotation.label, annotation.details or "", "", annotation.created_by or "")
    return MarkerRow("annotation", annotation.annotation_id, annotation.day, tuple(printable(cell) for cell in cells))


def release_row(release: Release) -> MarkerRow:
    cells = (
        "release", release_days(release), f"{release.version} {release.title}", release.description or "",
        ", ".join(release.platforms), release.created_by or "",
    )
    return MarkerRow("release", release.release_id, release.first_day, tuple(printable(cell) for cell in cells))


def marker_rows(cursor) -> list[MarkerRow]:
    """Return every annotation and release of the project, by first day."""
    rows = [annotation_row(annotation) for annotation in list_annotations(cursor)]
    rows += [release_row(release) for release in list_releases(cursor)]
    return sorted(rows, key=lambda row: (row.first_day, row.kind, row.object_id))


def details_cells(rows: list[MarkerRow], columns: tuple[str, ...], table_cells: int) -> int:
    """Return how many cells the Details column may take so that every column fits in ``table_cells``.

    Without a cap the table grows past the dialog, which crops the details
    with no sign of the cut and hides the columns after them.
    """
    other_cells = 0
    for index, header in enumerate(columns):
        if index == DETAILS_COLUMN:
            continue
        widths = [cell_len(shown_cell(row.cells[index], index, None)) for row in rows]
        other_cells += max([cell_len(header), *widths]) + COLUMN_PADDING
    return max(table_cells - other_cells - COLUMN_PADDING, MIN_DETAILS_CELLS)


def shown_cell(text: str, column: int, max_details_cells: int | None) -> str:
    """Return a cell's text as the table shows it: a long label or long details end in "…"."""
    if column == LABEL_COLUMN:
        return shorten(text, MAX_LABEL_CELLS)
    if column == DETAILS_COLUMN and max_details_cells is not None:
        return shorten(text, max_details_cells)
    return text


class MarkersScreen(ListDialog):
    """A dialog listing the project's annotations and releases, where ``d`` deletes the highlighted one.

    Opened as ``MarkersScreen(project)``.
    """

    BINDINGS = [
        Binding("d,delete", "delete", "Delete", id="markers.delete", tooltip="Delete the highlighted annotation or release"),
    ]
    title_text = "Annotations and releases"
    columns = ("Kind", "Days", "Label", "Details", "Platforms", "Created by")
    row_noun = "annotations and releases"
    row_singular = "annotation or release"
    empty_text = "No annotations or releases yet: add them from a data point's microscope."

    def __init__(self, project):
        super().__init__(project)
        # The rows the Details width was last measured for, and that width.
        self._measured_rows: list[MarkerRow] | None = None
        self._details_cells = MIN_DETAILS_CELLS

    def load_rows(self, cursor) -> list[MarkerRow]:
        return marker_rows(cursor)

    def row_cells(self, row: MarkerRow) -> list[Text]:
        if self._measured_rows is not self.rows:
            # Measured once per load, because the base class requests each row's cells in turn. The room of a
            # vertical scroll bar is kept free, because a long list shows one.
            # NOTE: a resized dialog keeps this width until the list loads again (after a delete).
            table = self.query_one(DataTable)
            table_cells = table.scrollable_content_region.width - table.styles.scrollbar_size_vertical
            self._details_cells = details_cells(self.rows, self.columns, table_cells)
            self._measured_rows = self.rows
        return [Text(shown_cell(cell, index, self._details_cells)) for index, cell in enumerate(row.cells)]

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
