"""The dialog that builds one ``where`` filter: property, operator and value."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label, Select, Static

from tui.analytics.definition import OPERATORS
from tui.app.background import run_in_background
from tui.app.builder_draft import NO_VALUE_OPERATORS, DraftError, filter_value
from tui.app.describe import event_name
from tui.app.footer import SteadyFooter
from tui.text import printable
from tui.app.modal import LoupeModal
from tui.app.pickers import PropertyChoice, property_picker, property_values


class FilterEditor(LoupeModal):
    """A dialog returning a ``where`` item such as ``{"property": "platform", "op": "=", "value": "iOS"}``."""

    BINDINGS = [
        Binding("ctrl+s", "add", "Add filter", id="filter.add", tooltip="Add this filter"),
    ]

    def __init__(self, event_type: str, title: str | None = None):
        """Filter ``event_type`` (``*``: any event), under ``title`` or "Filter EVENT"."""
        super().__init__()
        self.event_type = event_type
        self.title_text = title or f"Filter {event_name(event_type)}"
        self.property: PropertyChoice | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(self.title_text, style="bold"), classes="dialog-title")
            with Horizontal(classes="form-row"):
                yield Label("Property")
                yield Button("Choose…", compact=True, id="filter-property")
            with Horizontal(classes="form-row"):
                yield Label("Operator")
                yield Select([(op, op) for op in OPERATORS], value="=", allow_blank=False, compact=True, id="filter-op")
            with Horizontal(classes="form-row"):
                yield Label("Value")
                yield Input(placeholder='value (a, b, c for in; "7" for text)', compact=True, id="filter-value")
            yield Button("Add filter", variant="primary", compact=True, id="filter-add")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#filter-property", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "filter-property":
            title = f"{self.title_text} on property"
            self.app.push_screen(property_picker(self.event_type, title), self._property_chosen)
        elif event.button.id == "filter-add":
            self.action_add()

    def _property_chosen(self, choice: PropertyChoice | None) -> None:
        if choice is None:
            return
        self.property = choice
        self.query_one("#filter-property", Button).label = Text(printable(choice.name))
        self.query_one("#filter-op", Select).focus()
        run_in_background(
            self,
            lambda cursor: property_values(cursor, choice.name, self.event_type),
            self._set_suggestions,
            "Loading property values failed",
        )

    def _set_suggestions(self, values: list[str]) -> None:
        self.query_one("#filter-value", Input).suggester = SuggestFromList(values, case_sensitive=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_add()

    def action_add(self) -> None:
        if self.property is None:
            self.notify("Choose a property to filter on first.", severity="error")
            return
        op = self.query_one("#filter-op", Select).value
        text = self.query_one("#filter-value", Input).value
        try:
            value = filter_value(op, text)
        except DraftError as error:
            self.notify(str(error), title="Invalid filter", severity="error", markup=False)
            return
        item = {"property": self.property.name, "op": op}
        if op not in NO_VALUE_OPERATORS:
            item["value"] = value
        self.dismiss(item)
