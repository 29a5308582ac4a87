"""A yes-or-no question before a change that cannot be undone."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from tui.app.footer import SteadyFooter
from tui.app.modal import LoupeModal


class ConfirmScreen(LoupeModal):
    """A dialog asking ``question``, which returns True for ``y`` and None for ``n``, Escape or ``q``."""

    BINDINGS = [
        Binding("y", "answer_yes", "Yes", id="confirm.yes"),
        # An action of its own, because Textual's Footer shows one key per action, and Escape's "close" comes first.
        Binding("n", "answer_no", "No", id="confirm.no"),
    ]

    def __init__(self, question: str):
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(self.question), id="question")
        yield SteadyFooter()

    def action_answer_yes(self) -> None:
        self.dismiss(True)

    def action_answer_no(self) -> None:
        self.dismiss(None)
