"""A read-only view of one annotation or release, where text too long for the list's columns is shown whole."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.app.footer import SteadyFooter
from tui.app.modal import LoupeModal


def fields_table(fields: tuple[tuple[str, str], ...]) -> Table:
    """Return ``fields`` as a grid of names and values, each value wrapped to the dialog's width."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    # "fold" breaks a word longer than the line, such as a URL, instead of cropping it.
    table.add_column(overflow="fold")
    for name, value in fields:
        table.add_row(Text(name), Text(value))
    return table


class MarkerView(LoupeModal):
    """A dialog showing ``fields``, the (name, text) pairs of one annotation or release, under ``title``.

    The text is shown as it is, never read as markup. Enter closes the dialog
    as Escape and ``q`` do, so Enter both opens and closes it from the list.
    """

    BINDINGS = [
        Binding("enter", "close", "Close", show=False, id="marker_view.close", tooltip="Close this dialog"),
    ]

    def __init__(self, title: str, fields: tuple[tuple[str, str], ...]):
        super().__init__()
        self.title_text = title
        self.fields = fields

    def compose(self) -> ComposeResult:
        # A scroll container, focused on opening, so the arrow keys scroll details longer than the screen.
        with VerticalScroll(id="dialog"):
            yield Static(Text(self.title_text, style="bold"), classes="dialog-title")
            yield Static(fields_table(self.fields), id="marker-fields")
        yield SteadyFooter()
