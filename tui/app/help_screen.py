"""The keys dialog: every key of the screen it was opened over, with what it does."""

from __future__ import annotations

from dataclasses import replace

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from tui.app.footer import SteadyFooter
from tui.app.keys import KeyEntry
from tui.app.modal import LoupeModal


# Textual's built-in bindings that Loupe keeps, described as Loupe describes its own keys (Textual 8.2 names
# them "Focus Next" or "Quit the app and return to the command prompt.").
TEXTUAL_DESCRIPTIONS = {
    "app.focus_next": "Move the focus to the next field",
    "app.focus_previous": "Move the focus to the previous field",
    "screen.copy_text": "Copy the text selected with the mouse",
    "quit": "Quit Loupe from any screen",
}
FOCUS_ACTIONS = ("app.focus_next", "app.focus_previous")
# Textual also binds super+c (the macOS command key) to copy. Terminals such as Terminal.app and iTerm2 keep
# that key for their own copy, so the dialog lists ^c alone.
HIDDEN_KEYS = ("super+c",)


def help_entries(entries: list[KeyEntry], screen: Screen) -> list[KeyEntry]:
    """Return ``entries`` with Textual's built-in ones worded like Loupe's, less those that do nothing on ``screen``.

    Tab and shift+tab are listed only where more than one widget can take the focus.
    """
    listed = []
    for entry in entries:
        if entry.loupe:
            listed.append(entry)
            continue
        if entry.action in FOCUS_ACTIONS and len(screen.focus_chain) < 2:
            continue
        keys = [key for key in entry.keys if key not in HIDDEN_KEYS]
        description = TEXTUAL_DESCRIPTIONS.get(entry.action) or sentence_case(entry.description)
        listed.append(replace(entry, keys=keys, description=description))
    return listed


def sentence_case(description: str) -> str:
    """Return a Textual description such as ``Scroll Left.`` as Loupe writes one: ``Scroll left``."""
    description = description.rstrip(".")
    return description[:1] + description[1:].lower()


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
