"""The project's cohorts: name, size, as-of time and creator, and deleting one after a yes-or-no question."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding

from tui.app.formatting import format_time, quantity_text
from tui.app.microscope.jobs import project_on
from tui.app.microscope.list_dialog import ListDialog
from tui.store.cohorts import Cohort, delete_cohort, list_cohorts
from tui.text import printable


class CohortsScreen(ListDialog):
    """A dialog listing the project's cohorts, where ``d`` deletes the highlighted one; ``CohortsScreen(project)``."""

    BINDINGS = [
        Binding("d,delete", "delete", "Delete", id="cohorts.delete", tooltip="Delete the highlighted cohort"),
    ]
    title_text = "Cohorts"
    # Each size names its unit, because a cohort of groups counts groups, not users.
    columns = ("Name", "Size", "As of", "Created by", "Description")
    row_noun = "cohorts"
    row_singular = "cohort"
    empty_text = "No cohorts yet: create one from a data point's microscope."

    def load_rows(self, cursor) -> list[Cohort]:
        return list_cohorts(cursor)

    def row_cells(self, cohort: Cohort) -> list[Text]:
        return [
            Text(printable(cohort.name)),
            Text(quantity_text(cohort.size, cohort.member_noun), justify="right"),
            Text(format_time(cohort.as_of)),
            Text(printable(cohort.created_by or "")),
            Text(printable(cohort.description or "")),
        ]

    def action_delete(self) -> None:
        cohort = self.highlighted_row()
        if cohort is None:
            return
        name = printable(cohort.name)
        question = (
            f"Delete the cohort '{name}' of {quantity_text(cohort.size, cohort.member_noun)}? "
            "Charts filtered by it will stop drawing, and it cannot be restored. (y/n)"
        )
        delete = lambda cursor: delete_cohort(project_on(self.project, cursor), cohort.name)  # noqa: E731
        self.delete_after_asking(question, delete, f"Deleted cohort '{name}'.", "Deleting the cohort failed")
