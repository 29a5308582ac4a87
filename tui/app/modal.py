"""The base of Loupe's dialogs: Escape or ``q`` closes one level, never the app."""

from __future__ import annotations

from textual.binding import Binding
from textual.screen import ModalScreen


class LoupeModal(ModalScreen):
    """A dialog over the current screen that Escape and ``q`` close with no result."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="dialog.close", tooltip="Close this dialog"),
        Binding("q", "close", "Back", show=False, id="dialog.back", tooltip="Go back"),
    ]

    def action_close(self) -> None:
        self.dismiss(None)
