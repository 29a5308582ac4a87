"""A dialog of checkboxes for the event properties a stream shows as columns."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import SelectionList, Static
from textual.widgets.selection_list import Selection

from tui.app.footer import SteadyFooter
from tui.app.formatting import quantity_text
from tui.app.microscope.base import MicroscopeModal
from tui.store.project import Project
from tui.text import printable


class PropertyPicker(MicroscopeModal):
    """Checkboxes of the names ``load(cursor)`` returns, ``chosen`` ticked; Enter returns the ticked names in order."""

    BINDINGS = [
        Binding(
            "enter", "apply", "Apply", id="columns.apply", tooltip="Show the ticked properties as columns", priority=True
        ),
    ]

    def __init__(self, project: Project, load: Callable[[Any], list[str]], chosen: list[str]):
        super().__init__(project)
        self.load = load
        self.chosen = list(chosen)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text("Event properties as columns", style="bold"), classes="dialog-title")
            yield Static(Text("Space ticks a property, Enter applies, Esc keeps the columns."), classes="dialog-help")
            yield SelectionList[str](id="property-list")
            yield Static(Text("Loading the property names… (Esc cancels)"), id="property-status")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()
        self.start(self.load, self._show, self._failed)

    def _show(self, names: list[str]) -> None:
        # Chosen names first, in their order, so the columns keep their places.
        ordered = self.chosen + [name for name in names if name not in self.chosen]
        selections = [Selection(Text(printable(name)), name, name in self.chosen) for name in ordered]
        options = self.query_one(SelectionList)
        options.add_options(selections)
        if selections:
            options.highlighted = 0
        count = quantity_text(len(ordered), "properties", "property")
        status = f"{count} in these streams" if ordered else "These streams have no event properties."
        self.query_one("#property-status", Static).update(Text(status))

    def _failed(self, error: Exception) -> None:
        self.query_one("#property-status", Static).update(Text("The property names could not be loaded."))
        self.notify(str(error), title="Loading the property names failed", severity="error", markup=False)

    def action_apply(self) -> None:
        options = self.query_one(SelectionList)
        ticked = set(options.selected)
        ordered = [options.get_option_at_index(index).value for index in range(options.option_count)]
        self.dismiss([name for name in ordered if name in ticked])
