"""The keys dialog: every key of the screen it was opened over, with what it does."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.app.footer import SteadyFooter
from tui.app.keys import KeyEntry
from tui.app.modal import LoupeModal


def keys_table(entries: list[KeyEntry]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for entry in entries:
        table.add_row(Text(" ".join(entry.keys)), Text(entry.description))
    return table


class HelpScreen(LoupeModal):
    """A dialog listing ``entries``, the keys active where the user pressed ``?``."""

    def __init__(self, entries: list[KeyEntry]):
        super().__init__()
        self.entries = entries

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog"):
            yield Static(Text("Keys", style="bold"), classes="dialog-title")
            yield Static(keys_table(self.entries), id="keys-table")
        yield SteadyFooter()
