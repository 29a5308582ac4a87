"""A dialog with a few text fields that saves one object in the background, such as a cohort or an annotation.

The dialog checks the current member's role when it opens, and shows the
reason when they may not save. The save checks again, because roles can
change meanwhile. An error from the save is shown inside the dialog, beside
the fields the user can correct.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Static

from tui.analytics.microscope.actor_set import Target
from tui.app.footer import SteadyFooter
from tui.app.microscope.header import PointHeader
from tui.app.microscope.jobs import Job, JobModal, project_on
from tui.store.project import Project


@dataclass(frozen=True)
class Field:
    """A text field of the form: its id, its label, a hint shown while empty, and its first value."""

    id: str
    label: str
    placeholder: str = ""
    value: str = ""


class FormDialog(JobModal):
    """The base of the dialogs that save something about ``target`` (a Point or an ActorSet).

    Subclasses give the fields, the permission check and the save.
    """

    BINDINGS = [
        Binding("ctrl+s", "submit", "Save", id="form.submit", tooltip="Save the values typed in the fields"),
    ]
    title_text = ""
    submit_label = "Save"

    def __init__(self, project: Project, target: Target, settings: Any):
        super().__init__(project)
        self.target = target
        self.settings = settings
        self.allowed = True
        self.save_job: Job | None = None

    # What subclasses give ---------------------------------------------------

    def fields(self) -> list[Field]:
        raise NotImplementedError

    def header(self) -> Widget:
        """Return the widget above the fields that states the point (or actor set) the dialog saves from."""
        return PointHeader(self.project, self.target, self.settings)

    def below_fields(self) -> ComposeResult:
        """Yield widgets to show between the fields and the error line, such as a progress bar."""
        yield from ()

    def check_permission(self, project: Project) -> tuple[bool, str]:
        """Return whether the current member may save, and the reason if not.

        Runs on a worker, with ``project`` on the worker's cursor.
        """
        return True, ""

    def save(self, project: Project, values: dict[str, str]) -> Any:
        """Save the object from ``values`` (field id to stripped text) and return it. Runs on a worker."""
        raise NotImplementedError

    def saved(self, result: Any) -> None:
        """Tell the user what was saved, and close the dialog with ``result``."""
        self.dismiss(result)

    # The form ---------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog"):
            yield Static(Text(self.title_text, style="bold"), classes="dialog-title")
            yield self.header()
            yield Static(id="form-note", classes="hidden")
            for field in self.fields():
                with Horizontal(classes="form-row"):
                    yield Label(field.label)
                    yield Input(value=field.value, placeholder=field.placeholder, compact=True, id=field.id)
            yield from self.below_fields()
            yield Static(id="form-error", classes="hidden")
            yield Button(self.submit_label, variant="primary", compact=True, id="form-submit")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query(Input).first().focus()
        check = lambda cursor: self._permission(project_on(self.project, cursor))  # noqa: E731
        self.start(check, self._permission_known, self.show_error)

    def _permission(self, project: Project) -> tuple[bool, str]:
        if project.read_only:
            return False, f"{self.title_text}: {project.notice}"
        return self.check_permission(project)

    def _permission_known(self, permission: tuple[bool, str]) -> None:
        allowed, reason = permission
        if allowed:
            return
        self.allowed = False
        self.show_error(reason)
        self.query_one("#form-submit", Button).disabled = True

    def show_note(self, note: str | Text) -> None:
        self._show_line("#form-note", note if isinstance(note, Text) else Text(note))

    def show_error(self, error: Exception | str) -> None:
        self._show_line("#form-error", Text(str(error), style="bold"))

    def _show_line(self, selector: str, text: Text) -> None:
        # An empty line is hidden, so a short dialog fits on a small terminal.
        line = self.query_one(selector, Static)
        line.update(text)
        line.set_class(not text.plain, "hidden")

    def values(self) -> dict[str, str]:
        return {field.id: self.query_one(f"#{field.id}", Input).value.strip() for field in self.fields()}

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "form-submit":
            self.action_submit()

    def action_submit(self) -> None:
        button = self.query_one("#form-submit", Button)
        if button.disabled:
            # Saving already, or the member may not save, which the error line shows.
            return
        button.disabled = True
        self.show_error("")
        values = self.values()
        save = lambda cursor: self.save(project_on(self.project, cursor), values)  # noqa: E731
        self.save_job = self.start(save, self.saved, self._save_failed)

    def _save_failed(self, error: Exception) -> None:
        self.show_error(error)
        self.query_one("#form-submit", Button).disabled = not self.allowed
