"""The dialog that builds one ``where`` filter: property, operator and value."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.suggester import Suggester
from textual.widgets import Button, Input, Label, Select, Static

from tui.analytics.definition import OPERATORS
from tui.app.background import run_in_background
from tui.app.builder_draft import LIST_OPERATORS, NO_VALUE_OPERATORS, DraftError, filter_value
from tui.app.describe import event_name
from tui.app.footer import SteadyFooter
from tui.text import printable
from tui.app.modal import LoupeModal
from tui.app.pickers import PropertyChoice, property_picker, property_values

# The number of a property's values listed under the value field. Typing completes any of the values loaded.
MAX_LISTED_VALUES = 8
DEFAULT_OPERATOR = "="
# The value field's placeholder by operator: what to type, in the form that ``filter_value`` reads.
ONE_VALUE = 'one value, such as iOS (quote a number, "7", to match it as text)'
LIST_OF_VALUES = "values separated by commas, such as iOS, Android"
NUMBER = "a number, such as 10 or 2.5"
VALUE_PLACEHOLDERS = {
    "=": ONE_VALUE,
    "!=": ONE_VALUE,
    "in": LIST_OF_VALUES,
    "not in": LIST_OF_VALUES,
    "contains": "text that the value contains",
    ">": NUMBER,
    ">=": NUMBER,
    "<": NUMBER,
    "<=": NUMBER,
    "set": "no value needed: the property has any value",
    "not set": "no value needed: the property has no value",
}


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
        self.operator = DEFAULT_OPERATOR
        # The chosen property's most frequent values, once loaded.
        self.values: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(self.title_text, style="bold"), classes="dialog-title")
            with Horizontal(classes="form-row"):
                yield Label("Property")
                # In a box that takes the rest of the row, as the builder's picked values are, so that only
                # a name wider than the row is cut, with an ellipsis.
                with Horizontal(classes="picked-value"):
                    yield Button("Choose…", compact=True, id="filter-property")
            with Horizontal(classes="form-row"):
                yield Label("Operator")
                yield Select([(op, op) for op in OPERATORS], value=DEFAULT_OPERATOR, allow_blank=False, compact=True, id="filter-op")
            with Horizontal(classes="form-row"):
                yield Label("Value")
                yield Input(placeholder=VALUE_PLACEHOLDERS[DEFAULT_OPERATOR], compact=True, id="filter-value")
            yield Static(id="filter-values")
            yield Button("Add filter", variant="primary", compact=True, id="filter-add")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#filter-property", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "filter-property":
            title = f"{self.title_text} on property"
            current = self.property.name if self.property else None
            self.app.push_screen(property_picker(self.event_type, title, current=current), self._property_chosen)
        elif event.button.id == "filter-add":
            self.action_add()

    def _property_chosen(self, choice: PropertyChoice | None) -> None:
        if choice is None:
            return
        self.property = choice
        button = self.query_one("#filter-property", Button)
        button.label = Text(printable(choice.name))
        # A Button's label is not a layout reactive (Textual 8), so without this it keeps its first label's width.
        button.refresh(layout=True)
        # A name wider than the row is cut with an ellipsis, and the tooltip still shows all of it.
        button.tooltip = printable(choice.name)
        # The operator is the next field to fill, and its default ``=`` is one Tab away from the value.
        self.query_one("#filter-op", Select).focus()
        # The values of a property chosen before go, and the new ones show once loaded (nothing shows if that fails).
        self.query_one("#filter-values", Static).update(Text())
        self.values = []
        self._show_suggester()
        run_in_background(
            self,
            lambda cursor: property_values(cursor, choice.name, self.event_type),
            lambda values: self._set_suggestions(choice, values),
            "Loading property values failed",
        )

    def _set_suggestions(self, choice: PropertyChoice, values: list[str]) -> None:
        """Offer the property's most frequent values: listed under the field, and completed while typing."""
        if choice != self.property:
            # Another property was chosen while these values loaded.
            return
        self.values = values
        self._show_suggester()
        self.query_one("#filter-values", Static).update(values_text(choice.name, values))

    def _show_suggester(self) -> None:
        """Complete the value field from the loaded values, item by item for the list operators."""
        suggester = ValueSuggester(self.values, self.operator in LIST_OPERATORS) if self.values else None
        self.query_one("#filter-value", Input).suggester = suggester

    def on_select_changed(self, event: Select.Changed) -> None:
        """Move to the value once an operator is chosen, or past it to Add for an operator that takes none."""
        if event.select.id != "filter-op":
            return
        event.stop()
        if event.value == self.operator:
            # Textual posts Changed for the first value on mount, which no one chose.
            return
        self.operator = event.value
        self._show_suggester()
        takes_value = event.value not in NO_VALUE_OPERATORS
        value = self.query_one("#filter-value", Input)
        value.placeholder = VALUE_PLACEHOLDERS[event.value]
        value.disabled = not takes_value
        if takes_value:
            value.focus()
        else:
            self.query_one("#filter-add", Button).focus()

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


class ValueSuggester(Suggester):
    """Completes a filter value from a property's values, or for the list operators the item after the last comma."""

    def __init__(self, values: list[str], is_list: bool):
        # Textual casefolds the whole text for a case-insensitive suggester, and accepting a suggestion would then
        # change the case of the items typed before the last comma, so ``complete_value`` ignores case itself.
        super().__init__(case_sensitive=True)
        self.values = values
        self.is_list = is_list

    async def get_suggestion(self, value: str) -> str | None:
        return complete_value(value, self.values, self.is_list)


def complete_value(text: str, values: list[str], is_list: bool) -> str | None:
    """Return ``text`` completed with the first of ``values`` that starts with its last item, ignoring case.

    The last item is all of ``text``, or with ``is_list`` the part after the last comma. A list item
    completes only to a value the list does not have yet. Returns None when no value fits or the item is empty.
    """
    head, _, item = text.rpartition(",") if is_list else ("", "", text)
    typed = item.lstrip().casefold()
    if not typed:
        return None

    listed = {part.strip().casefold() for part in head.split(",")} if is_list else set()
    # What precedes the item, spaces after the comma included, stays as typed.
    before_item = text[: len(text) - len(item.lstrip())]
    for value in values:
        folded = value.casefold()
        if folded.startswith(typed) and folded not in listed:
            return before_item + value
    return None


def values_text(prop: str, values: list[str]) -> Text:
    """Return the line under the value field: the first ``MAX_LISTED_VALUES`` values, most frequent first."""
    if not values:
        return Text(f"No event has a value of {printable(prop)} yet.")
    listed = ", ".join(printable(value) for value in values[:MAX_LISTED_VALUES])
    more = f" and {len(values) - MAX_LISTED_VALUES} more" if len(values) > MAX_LISTED_VALUES else ""
    return Text(f"Top values: {listed}{more} (typing completes them, → accepts)")
