"""A dialog that lists choices loaded in the background, with ``/`` to filter them.

It serves the event, property and saved-chart pickers: each passes a loader
that runs on its own cursor and returns the choices.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tui.app.background import run_in_background
from tui.app.footer import SteadyFooter
from tui.app.modal import LoupeModal
from tui.app.vim_option_list import VimOptionList


@dataclass(frozen=True)
class Choice:
    """One entry of a picker: the value it returns and the text it shows."""

    value: Any
    label: Text
    search_text: str = field(default="")

    def matches(self, words: str) -> bool:
        haystack = (self.search_text or self.label.plain).lower()
        return all(word in haystack for word in words.lower().split())


class ChoiceScreen(LoupeModal):
    """A dialog listing the ``Choice``s of ``load(cursor)``, where Enter returns the highlighted value."""

    BINDINGS = [
        Binding("slash", "filter", "Filter", id="choices.filter", tooltip="Type to filter the list"),
    ]

    def __init__(
        self,
        title: str,
        load: Callable[[Any], list[Choice]],
        failure: str,
        empty_text: str = "Nothing to choose from.",
    ):
        super().__init__()
        self.title_text = title
        self.empty_text = empty_text
        self.load = load
        self.failure = failure
        self.choices: list[Choice] = []
        self.matching: list[Choice] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(self.title_text, style="bold"), classes="dialog-title")
            yield Input(placeholder="/ filter", compact=True, id="choice-filter")
            yield VimOptionList(id="choice-list")
            yield Static(Text("Loading…"), id="choice-status")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self.reload()

    def reload(self) -> None:
        """Load the choices again in the background."""
        run_in_background(self, self.load, self.set_choices, self.failure)

    def set_choices(self, choices: list[Choice]) -> None:
        self.choices = choices
        self._show(self.query_one("#choice-filter", Input).value)

    def _show(self, words: str) -> None:
        self.matching = [choice for choice in self.choices if choice.matches(words)]
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(choice.label) for choice in self.matching])
        if self.matching:
            options.highlighted = 0
        if not self.choices:
            status = self.empty_text
        elif words:
            status = f"{len(self.matching)} of {len(self.choices)} match"
        else:
            status = f"{len(self.choices)} to choose from"
        self.query_one("#choice-status", Static).update(Text(status))

    def action_filter(self) -> None:
        self.query_one("#choice-filter", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._show(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        options = self.query_one(OptionList)
        if self.matching:
            self.dismiss(self.matching[options.highlighted or 0].value)
        else:
            options.focus()

    def on_key(self, event) -> None:
        # Down from the filter moves into the list, as in a search box.
        if event.key == "down" and self.focused is self.query_one("#choice-filter", Input):
            event.stop()
            self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.matching[event.option_index].value)
