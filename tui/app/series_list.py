"""The chart builder's list of series (events) and their filters, edited with single keys."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.widgets.option_list import Option

from tui.app.builder_draft import SeriesRow, series_rows
from tui.app.vim_option_list import VimOptionList


class SeriesList(VimOptionList):
    """A list with a row per series and per filter, whose keys act on the highlighted row."""

    BINDINGS = [
        Binding("a", "screen.add_series", "Add event", id="builder.add_series", tooltip="Add an event as a new series"),
        Binding("f", "screen.add_filter", "Add filter", id="builder.add_filter", tooltip="Add a filter to the highlighted series"),
        Binding("x,delete", "screen.remove_row", "Remove", id="builder.remove", tooltip="Remove the highlighted series or filter"),
    ]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.rows: list[SeriesRow] = []

    def show_draft(self, draft: dict) -> None:
        """List the series and filters of ``draft``, keeping the highlight where it was."""
        previous = self.highlighted
        self.rows = series_rows(draft)
        self.clear_options()
        if not self.rows:
            self.add_option(Option(Text("No events yet: press a to add one."), disabled=True))
            return
        self.add_options([Option(Text(row.label)) for row in self.rows])
        self.highlighted = min(previous or 0, len(self.rows) - 1)

    def current_row(self) -> SeriesRow | None:
        if not self.rows or self.highlighted is None:
            return None
        return self.rows[self.highlighted]
