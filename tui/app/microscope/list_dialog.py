"""A dialog with a table of saved objects, loaded in the background, where one is deleted after a yes-or-no question."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from tui.app.confirm import ConfirmScreen
from tui.app.footer import SteadyFooter
from tui.app.formatting import quantity_text
from tui.app.microscope.jobs import JobModal
from tui.store.project import Project


class ListDialog(JobModal):
    """The base of the cohort and marker lists; subclasses give the title, columns, rows and cells."""

    title_text = ""
    columns: tuple[str, ...] = ()
    # What the status line calls the rows, e.g. "cohorts".
    row_noun = ""
    # The same for one row, e.g. "cohort".
    row_singular = ""
    empty_text = ""

    def __init__(self, project: Project):
        super().__init__(project)
        self.rows: list[Any] = []

    def load_rows(self, cursor) -> list[Any]:
        """Return the rows to list; runs on a worker's cursor."""
        raise NotImplementedError

    def row_cells(self, row: Any) -> list[Text]:
        """Return the table cells of ``row``, as plain text."""
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="list-dialog"):
            yield Static(Text(self.title_text, style="bold"), classes="dialog-title")
            yield DataTable(cursor_type="row", zebra_stripes=True)
            yield Static(Text("Loading…"), id="list-status")
        yield SteadyFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*self.columns)
        table.focus()
        self.reload()

    def reload(self) -> None:
        """Load the rows again in the background."""
        self.start(self.load_rows, self._show, self._load_failed)

    def _show(self, rows: list[Any]) -> None:
        self.rows = rows
        self.fill_table()
        count = quantity_text(len(rows), self.row_noun, self.row_singular)
        status = f"{count} · d deletes one" if rows else self.empty_text
        self.query_one("#list-status", Static).update(Text(status))

    def fill_table(self) -> None:
        """Replace the table's rows with the cells of ``self.rows``, and put the cursor on the first row."""
        table = self.query_one(DataTable)
        table.clear()
        for row in self.rows:
            table.add_row(*self.row_cells(row))

    def _load_failed(self, error: Exception) -> None:
        self.query_one("#list-status", Static).update(Text(f"Loading {self.row_noun} failed: {error}", style="bold"))

    def highlighted_row(self) -> Any | None:
        """Return the row under the table's cursor, or None when the list is empty."""
        return self.rows[self.query_one(DataTable).cursor_row] if self.rows else None

    def delete_after_asking(self, question: str, delete: Callable[[Any], None], done: str, failure: str) -> None:
        """Ask ``question``; on yes run ``delete(cursor)`` in the background, then show ``done`` and reload.

        A failure, such as a role that may not delete, is shown titled ``failure``.
        """

        def deleted(_) -> None:
            self.notify(done, markup=False)
            self.after_delete()

        def failed(error: Exception) -> None:
            self.notify(str(error), title=failure, severity="error", markup=False)

        def answered(yes: bool | None) -> None:
            if yes:
                self.start(delete, deleted, failed)

        self.app.push_screen(ConfirmScreen(question), answered)

    def after_delete(self) -> None:
        """Show the list without the deleted row."""
        self.reload()
