"""The chart builder's list of events (series, funnel steps, retention events), exclusions and filters."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.widgets.option_list import Option

from tui.app.builder_draft import SeriesRow, chart_type, series_rows
from tui.app.vim_option_list import VimOptionList

EMPTY_TEXT = {
    "segmentation": "No events yet: press a to add one.",
    "funnel": "No steps yet: press a to add the first one.",
    "sessions": "Sessions count every event: press w to filter them.",
}


class SeriesList(VimOptionList):
    """A list with a row per event and per filter, whose keys act on the highlighted row."""

    BINDINGS = [
        Binding("a", "screen.add_event", "Add event", id="builder.add_series", tooltip="Add an event as a new series or step"),
        Binding(
            "enter", "screen.change_event", "Change event", id="builder.change_event",
            tooltip="Choose another event for the highlighted row",
        ),
        Binding("f", "screen.add_filter", "Add filter", id="builder.add_filter", tooltip="Add a filter to the highlighted event"),
        Binding("x,delete", "screen.remove_row", "Remove", id="builder.remove", tooltip="Remove the highlighted event or filter"),
        Binding(
            "w", "screen.add_chart_filter", "Filter all", show=False, id="builder.add_chart_filter",
            tooltip="Add a filter on every event of the chart",
        ),
        Binding(
            "e", "screen.add_exclusion", "Exclude", show=False, id="builder.add_exclusion",
            tooltip="Exclude users who did an event between two funnel steps",
        ),
        Binding(
            "K,shift+up", "screen.move_row(-1)", "Move up", show=False, id="builder.move_up",
            tooltip="Move the highlighted series or step up",
        ),
        Binding(
            "J,shift+down", "screen.move_row(1)", "Move down", show=False, id="builder.move_down",
            tooltip="Move the highlighted series or step down",
        ),
        Binding("t", "screen.choose_type", "Chart type", show=False, id="builder.type", tooltip="Choose the chart type"),
    ]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.rows: list[SeriesRow] = []

    def show_draft(self, draft: dict, highlight: tuple | None = None) -> None:
        """List the rows of ``draft``, highlighting the row at ``highlight`` (a ``SeriesRow.place``) or where it was."""
        previous = self.highlighted
        self.rows = series_rows(draft)
        self.clear_options()
        if not self.rows:
            self.add_option(Option(Text(EMPTY_TEXT.get(chart_type(draft), "")), disabled=True))
            return
        self.add_options([Option(Text(row.label)) for row in self.rows])
        places = [row.place for row in self.rows]
        if highlight in places:
            self.highlighted = places.index(highlight)
        else:
            self.highlighted = min(previous or 0, len(self.rows) - 1)

    def current_row(self) -> SeriesRow | None:
        if not self.rows or self.highlighted is None:
            return None
        return self.rows[self.highlighted]
