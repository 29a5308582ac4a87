"""A microscope screen listing the rows of a target (users, groups) in a table paged, sorted and searched in DuckDB.

Only the pages around the visible rows are fetched, so a list of a million
rows costs one count and one page query per page the user reaches. A
subclass gives the queries, the columns and the cells; this class keeps the
sort (``o``, ``O``), the search (``/``) and the paging.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import Input, Static

from tui.analytics.microscope.actor_set import Target
from tui.app.footer import SteadyFooter
from tui.app.formatting import format_number, quantity_text
from tui.app.microscope.base import MicroscopeScreen
from tui.app.microscope.header import PointHeader
from tui.app.microscope.row_view import Column, Row, RowView
from tui.store.project import Project
from tui.text import printable

PAGE_SIZE = 100
# Seconds the search waits after the last key before it queries, so typing a word runs one query, not one per key.
SEARCH_DELAY = 0.2


def list_bindings(list_id: str, search_tooltip: str) -> list[Binding]:
    """Return the bindings of the search and sort keys, with ids starting with ``list_id``.

    They are not the base class's own BINDINGS because Textual (8.2) merges a
    base class's keys before a subclass's, which fixes their place in the
    footer. Each list places them among its own keys instead.
    """
    return [
        Binding("slash", "search", "Search", id=f"{list_id}.search", tooltip=search_tooltip),
        Binding("o", "next_sort", "Sort", id=f"{list_id}.sort", tooltip="Sort by the next column"),
        Binding("O", "reverse_sort", "Reverse", id=f"{list_id}.reverse", tooltip="Reverse the sort order"),
    ]


class PagedListScreen(MicroscopeScreen):
    """The base of a list screen; widget ids start with ``list_id`` (``users-table``, ``groups-status``).

    Subclasses set the class attributes below, put ``list_bindings`` in their
    BINDINGS and implement ``count_rows``, ``fetch_page`` and ``make_rows``.
    """

    # Focusing the table as the screen composes, not in ``on_mount``, saves a second focus change, and
    # Textual (8.2) rebuilds the footer after each one.
    AUTO_FOCUS = "RowView"

    list_id = "rows"
    list_title = "Rows"
    # The rows in plural, and one of them.
    noun = "rows"
    singular = "row"
    search_hint = "search"
    # Seconds of quiet typing before a search runs; tests that type keys one by one on a busy machine raise it.
    search_delay = SEARCH_DELAY
    no_match = "No row contains the search."
    # The columns ``o`` steps through, each with the direction it is first sorted in.
    sorts: tuple[tuple[str, bool], ...] = ()
    # Each column's query name, title, width (0 shares the room left) and alignment.
    columns: tuple[tuple[str, str, int, str], ...] = ()

    def __init__(self, project: Project, target: Target, settings: Any, list_count: int | None = None):
        super().__init__(project, target, settings, list_count)
        self.sort, self.descending = self.sorts[0]
        self.search: str | None = None
        # The rows the current search keeps; None until counted.
        self.total: int | None = None
        # List queries started (a count and a first page each), so tests can check that typing runs one.
        self.list_queries = 0
        self._search_timer: Timer | None = None

    # What subclasses give ---------------------------------------------------------

    def count_rows(self, cursor, search: str | None) -> int:
        """Return how many rows the search keeps. Runs on a worker."""
        raise NotImplementedError

    def fetch_page(self, cursor, sort: str, descending: bool, search: str | None, offset: int, limit: int) -> pd.DataFrame:
        """Return ``limit`` rows from ``offset`` in this order. Runs on a worker."""
        raise NotImplementedError

    def make_rows(self, frame: pd.DataFrame) -> list[Row]:
        """Return the table rows of a page, each with the key that ``chosen_key`` returns."""
        raise NotImplementedError

    # The screen -------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(Text(self.list_title, style="bold"), classes="screen-title")
        yield PointHeader(self.project, self.target, self.settings, self.list_count, count_list=False, noun=self.noun)
        yield Input(placeholder=f"/ {self.search_hint}", compact=True, id=f"{self.list_id}-search")
        yield Static(id=f"{self.list_id}-status", classes="microscope-status")
        yield RowView(self._columns(), page_size=PAGE_SIZE, id=f"{self.list_id}-table")
        yield SteadyFooter()

    @property
    def table(self) -> RowView:
        return self.query_one(f"#{self.list_id}-table", RowView)

    @property
    def search_input(self) -> Input:
        return self.query_one(f"#{self.list_id}-search", Input)

    def on_mount(self) -> None:
        self.table.focus()
        self.reload()

    # Loading ----------------------------------------------------------------------

    def reload(self) -> None:
        """Count the rows the search keeps and load the first page, replacing the list shown."""
        self.cancel_jobs()
        self.total = None
        self.table.set_columns(self._columns())
        self.table.show_message(f"Loading {self.noun}…")
        self._show_status(f"Loading {self.noun}… (Esc cancels)")
        search = self.search
        page = self._page_task(0, PAGE_SIZE)
        self.list_queries += 1

        def task(cursor) -> tuple[int, pd.DataFrame]:
            return self.count_rows(cursor, search), page(cursor)

        self.run_job(task, self._loaded, f"Loading the {self.noun} failed", self._load_failed)

    def _page_task(self, offset: int, limit: int):
        """Return a task fetching ``limit`` rows from ``offset`` with the current sort and search."""
        sort, descending, search = self.sort, self.descending, self.search
        return lambda cursor: self.fetch_page(cursor, sort, descending, search, offset, limit)

    def _loaded(self, result: tuple[int, pd.DataFrame]) -> None:
        total, frame = result
        self.total = total
        if self.search is None:
            self.list_count = total
            self.query_one(PointHeader).set_list_count(total)
        self.table.reset(total, self.make_rows(frame))
        if total == 0:
            self.table.show_message(self.no_match if self.search else f"No {self.noun}.")
        self._show_status()

    def _load_failed(self, error: Exception) -> None:
        self.table.show_message(f"The {self.noun} could not be loaded: see the error.")
        self._show_status("Loading failed.")

    def on_row_view_rows_requested(self, message: RowView.RowsRequested) -> None:
        message.stop()
        generation, start = message.generation, message.start
        self.run_job(
            self._page_task(start, message.count),
            lambda frame: self.table.set_rows(generation, start, self.make_rows(frame)),
            f"Loading more {self.noun} failed",
            lambda error: self.table.rows_failed(generation, start),
        )

    def _columns(self) -> list[Column]:
        columns = []
        for name, title, width, justify in self.columns:
            if name == self.sort:
                title = f"{title} {'▼' if self.descending else '▲'}"
            columns.append(Column(title, width, justify))
        return columns

    def _show_status(self, text: str | None = None) -> None:
        if text is None:
            titles = {name: title for name, title, _, _ in self.columns}
            order = "descending" if self.descending else "ascending"
            text = f"Sorted by {titles[self.sort].lower()}, {order} (o, O) · / searches · {self.zone}"
            if self.search:
                listed = self._quantity(self.list_count) if self.list_count is not None else f"… {self.noun}"
                verb = "matches" if self.total == 1 else "match"
                text = f"{format_number(self.total)} of {listed} {verb} “{printable(self.search)}” · {text}"
            else:
                text = f"{self._quantity(self.total)} · {text}"
        self.query_one(f"#{self.list_id}-status", Static).update(Text(text))

    def _quantity(self, count: int) -> str:
        return quantity_text(count, self.noun, self.singular)

    # Sorting and searching ----------------------------------------------------------

    def action_next_sort(self) -> None:
        names = [name for name, _ in self.sorts]
        position = names.index(self.sort) if self.sort in names else -1
        self.sort, self.descending = self.sorts[(position + 1) % len(self.sorts)]
        self.reload()

    def action_reverse_sort(self) -> None:
        self.descending = not self.descending
        self.reload()

    def action_search(self) -> None:
        self.search_input.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        """Search ``search_delay`` seconds after the last key; each key first stops the query of an earlier search."""
        event.stop()
        search = event.value.strip() or None
        if self._search_timer is None and search == self.search:
            # Only white space changed, and nothing was stopped.
            return
        self._stop_search_timer()
        self.cancel_jobs()
        self._search_timer = self.set_timer(self.search_delay, self._run_search)

    def _run_search(self) -> None:
        self._search_timer = None
        if not self.is_mounted:
            return
        # Runs even when the text ends as it began, because a key stopped that search's queries.
        self.search = self.search_input.value.strip() or None
        self.reload()

    def _stop_search_timer(self) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
            self._search_timer = None

    def _search_now(self) -> None:
        """Run a search still waiting for its delay at once, as leaving the search box does."""
        if self._search_timer is not None:
            self._stop_search_timer()
            self._run_search()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._search_now()
        self.table.focus()

    def action_close(self) -> None:
        # Escape in the search box goes back to the table, keeping the search.
        if self.focused is self.search_input:
            self._search_now()
            self.table.focus()
            return
        super().action_close()

    # The row under the cursor ----------------------------------------------------------

    def chosen_key(self) -> Any:
        """Return the key of the row under the cursor, or None after saying that no row is selected."""
        row = self.table.cursor_value
        if row is None:
            self.notify(f"No {self.singular} is selected: the list is empty or still loading.", severity="warning")
            return None
        return row.key
