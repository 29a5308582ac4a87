"""A dialog to type a date range: a first and a last day, both included, in a named time zone."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from tui.analytics.definition import DateRange
from tui.app.footer import SteadyFooter
from tui.app.modal import LoupeModal


class RangeDialog(LoupeModal):
    """A dialog that returns the DateRange typed in its two fields, or None when closed."""

    BINDINGS = [
        Binding("ctrl+s", "submit", "Apply", id="range.submit", tooltip="Use the dates typed in the fields"),
    ]

    def __init__(self, date_range: DateRange, zone: str):
        super().__init__()
        self.date_range = date_range
        self.zone = zone

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(f"Date range (YYYY-MM-DD, both days included, {self.zone})", style="bold"),
                         classes="dialog-title")
            with Horizontal(classes="form-row"):
                yield Label("From")
                yield Input(self.date_range.start.isoformat(), id="range-from", compact=True)
            with Horizontal(classes="form-row"):
                yield Label("To")
                yield Input(self.date_range.end.isoformat(), id="range-to", compact=True)
            yield Static(id="form-error")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#range-from", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        # Enter in the first field moves to the second, as in a form, and Enter in the second applies.
        event.stop()
        if event.input.id == "range-from":
            self.query_one("#range-to", Input).focus()
        else:
            self.action_submit()

    def action_submit(self) -> None:
        try:
            first = _typed_date(self.query_one("#range-from", Input).value, "From")
            last = _typed_date(self.query_one("#range-to", Input).value, "To")
        except ValueError as error:
            self._show_error(str(error))
            return
        if last < first:
            self._show_error(f"To ({last}) is before From ({first}). Swap them.")
            return
        self.dismiss(DateRange(first, last))

    def _show_error(self, message: str) -> None:
        self.query_one("#form-error", Static).update(Text(message))


def _typed_date(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{field}: {text.strip()!r} is not a date. Write it as YYYY-MM-DD, for example 2024-03-05.") from None
