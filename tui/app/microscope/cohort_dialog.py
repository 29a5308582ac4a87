"""Create cohort: save a point's users (or groups) as a named static cohort, with its size shown before saving."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding

from tui.analytics.cohorts import count_cohort_members, create_cohort_from_point, member_noun
from tui.app.formatting import quantity_text
from tui.app.microscope.form_dialog import Field, FormDialog
from tui.app.microscope.header import PointHeader
from tui.store.cohorts import Cohort
from tui.store.project import Project
from tui.store.saved_objects import check_role
from tui.text import printable


class CohortDialog(FormDialog):
    """The dialog that saves the users of ``target`` (a Point or an ActorSet) as a cohort; returns the Cohort.

    Opened as ``CohortDialog(project, target, settings)``. A point of a chart
    counted by a group type saves its groups instead.
    """

    # The footer names the key by the button's word, so ctrl+s reads as what it does here.
    BINDINGS = [
        Binding("ctrl+s", "submit", "Create", id="form.submit", tooltip="Save the users (or groups) as a cohort"),
    ]
    title_text = "Create cohort"
    submit_label = "Create"

    def fields(self) -> list[Field]:
        return [
            Field("cohort-name", "Name", "a name no other cohort has"),
            Field("cohort-description", "About", "optional description"),
        ]

    def header(self) -> PointHeader:
        if member_noun(self.target) == "groups":
            # The banner's list is the groups counted below, not the point's users.
            return PointHeader(self.project, self.target, self.settings, count_list=False, noun="groups")
        return super().header()

    def on_mount(self) -> None:
        # FormDialog.on_mount runs too: Textual calls the handler of every class in the hierarchy.
        self.show_note(f"Counting the {member_noun(self.target)}…")
        count = lambda cursor: count_cohort_members(cursor, self.target, self.settings)  # noqa: E731
        self.start(count, self._show_size, self._size_failed)

    def _show_size(self, members: int) -> None:
        if member_noun(self.target) == "groups":
            self.query_one(PointHeader).set_list_count(members)
        size = quantity_text(members, member_noun(self.target))
        self.show_note(f"{size} will be saved, as they are now (a static cohort).")

    def _size_failed(self, error: Exception) -> None:
        self.show_note(Text(f"Counting the {member_noun(self.target)} failed: {error}", style="bold"))

    def check_permission(self, project: Project) -> tuple[bool, str]:
        return check_role(project, "member", "Create cohort")

    def save(self, project: Project, values: dict[str, str]) -> Cohort:
        description = values["cohort-description"] or None
        return create_cohort_from_point(project, values["cohort-name"], description, self.target, self.settings)

    def saved(self, cohort: Cohort) -> None:
        size = quantity_text(cohort.size, cohort.member_noun)
        self.app.notify(f"Saved cohort '{printable(cohort.name)}' with {size}.", title="Cohort created", markup=False)
        self.dismiss(cohort)
