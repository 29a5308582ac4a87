"""Annotations and releases of the project: listed by day, and deleted after a yes-or-no question.

Deleting either needs the manager or admin role. The store checks it, and a
rejected delete shows the store's reason in a notification.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rich.text import Text
from textual.binding import Binding

from tui.app.microscope.jobs import project_on
from tui.app.microscope.list_dialog import ListDialog
from tui.app.microscope.release_dialog import release_days
from tui.store.annotations import (
    Annotation, Release, delete_annotation, delete_release, list_annotations, list_releases,
)
from tui.text import printable


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

    def load_rows(self, cursor) -> list[MarkerRow]:
        return marker_rows(cursor)

    def row_cells(self, row: MarkerRow) -> list[Text]:
        return [Text(cell) for cell in row.cells]

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
