"""Create cohort: save a point's users as a named static cohort, with its size shown before saving."""

from __future__ import annotations

from rich.text import Text

from tui.analytics.cohorts import create_cohort_from_point
from tui.analytics.microscope.actor_set import actor_count
from tui.app.formatting import format_value
from tui.app.microscope.form_dialog import Field, FormDialog
from tui.store.cohorts import Cohort
from tui.store.project import Project
from tui.store.saved_objects import check_role
from tui.text import printable


class CohortDialog(FormDialog):
    """The dialog that saves the users of ``target`` (a Point or an ActorSet) as a cohort; returns the Cohort.

    Opened as ``CohortDialog(project, target, settings)``.
    """

    title_text = "Create cohort"
    submit_label = "Create"

    def fields(self) -> list[Field]:
        return [
            Field("cohort-name", "Name", "a name no other cohort has"),
            Field("cohort-description", "About", "optional description"),
        ]

    def on_mount(self) -> None:
        # FormDialog.on_mount runs too: Textual calls the handler of every class in the hierarchy.
        self.show_note("Counting the users…")
        self.start(lambda cursor: actor_count(cursor, self.target, self.settings), self._show_size, self._size_failed)

    def _show_size(self, users: int) -> None:
        self.show_note(f"{format_value(users, 'uniques')} will be saved, as they are now (a static cohort).")

    def _size_failed(self, error: Exception) -> None:
        self.show_note(Text(f"Counting the users failed: {error}", style="bold"))

    def check_permission(self, project: Project) -> tuple[bool, str]:
        return check_role(project, "member", "Create cohort")

    def save(self, project: Project, values: dict[str, str]) -> Cohort:
        description = values["cohort-description"] or None
        return create_cohort_from_point(project, values["cohort-name"], description, self.target, self.settings)

    def saved(self, cohort: Cohort) -> None:
        size = format_value(cohort.size, "uniques")
        self.app.notify(f"Saved cohort '{printable(cohort.name)}' with {size}.", title="Cohort created", markup=False)
        self.dismiss(cohort)
