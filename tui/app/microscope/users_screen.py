"""View users: the users of a point (or of an actor set) in a table paged, sorted and searched in DuckDB.

Only the pages around the visible rows are fetched, so a point with a
million users costs one count and one page query per page the user reaches.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Input, Static

from tui.analytics.microscope.actor_set import Target
from tui.analytics.microscope.users import point_users, point_users_count
from tui.app.formatting import format_number
from tui.app.microscope.base import MicroscopeScreen
from tui.app.microscope.cells import TIME_CELLS, count_text, data_text, time_text
from tui.app.microscope.header import PointHeader
from tui.app.microscope.profile_screen import ProfileScreen
from tui.app.microscope.row_view import Column, Row, RowView
from tui.app.microscope.streams_screen import StreamsScreen
from tui.app.microscope.why_screen import WhyScreen
from tui.store.project import Project
from tui.text import printable

PAGE_SIZE = 100

# The columns ``o`` steps through, each with the direction it is first sorted in.
SORTS = (("events_in_point", True), ("user_id", False), ("first_seen", False), ("last_seen", True))
TITLES = {
    "user_id": "User id",
    "first_seen": "First seen",
    "last_seen": "Last seen",
    "events_in_point": "Events in point",
}


class UsersScreen(MicroscopeScreen):
    """The table of ``target``'s users; each row opens a profile, the events behind it, or streams from it."""

    BINDINGS = [
        Binding("enter", "open_profile", "Profile", id="users.profile", tooltip="Open the user's profile"),
        Binding("w", "why", "Why here", id="users.why", tooltip="Show the events that put this user in the list"),
        Binding("s", "streams", "Streams", id="users.streams", tooltip="Show user streams, starting at this user"),
        Binding("p", "paths", "Paths", id="users.paths", tooltip="Show user paths of these users"),
        Binding("d", "download", "Download", id="users.download", tooltip="Download these users as CSV"),
        Binding("c", "cohort", "Cohort", id="users.cohort", tooltip="Save these users as a cohort"),
        Binding("slash", "search", "Search", id="users.search", tooltip="Search user ids and device ids"),
        Binding("o", "next_sort", "Sort", id="users.sort", tooltip="Sort by the next column"),
        Binding("O", "reverse_sort", "Reverse", id="users.reverse", tooltip="Reverse the sort order"),
    ]

    def __init__(self, project: Project, target: Target, settings: Any, list_count: int | None = None):
        super().__init__(project, target, settings, list_count)
        self.sort, self.descending = SORTS[0]
        self.search: str | None = None
        # The users the current search keeps; None until counted.
        self.total: int | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text("Users", style="bold"), classes="screen-title")
        yield PointHeader(self.project, self.target, self.settings, self.list_count, count_list=False)
        yield Input(placeholder="/ search user ids and device ids", compact=True, id="users-search")
        yield Static(id="users-status", classes="microscope-status")
        yield RowView(self._columns(), page_size=PAGE_SIZE, id="users-table")
        yield Footer()

    @property
    def table(self) -> RowView:
        return self.query_one("#users-table", RowView)

    def on_mount(self) -> None:
        self.table.focus()
        self.reload()

    # Loading ----------------------------------------------------------------------

    def reload(self) -> None:
        """Count the users the search keeps and load the first page, replacing the list shown."""
        self.cancel_jobs()
        self.total = None
        self.table.set_columns(self._columns())
        self.table.show_message("Loading users…")
        self._show_status("Loading users… (Esc cancels)")
        target, settings, search = self.target, self.settings, self.search
        page = self._page_task(0, PAGE_SIZE)

        def task(cursor) -> tuple[int, pd.DataFrame]:
            return point_users_count(cursor, target, settings, search), page(cursor)

        self.run_job(task, self._loaded, "Loading the users failed", self._load_failed)

    def _page_task(self, offset: int, limit: int):
        """Return a task fetching ``limit`` users from ``offset`` with the current sort and search."""
        target, settings = self.target, self.settings
        sort, descending, search = self.sort, self.descending, self.search
        return lambda cursor: point_users(cursor, target, settings, sort, descending, search, offset, limit)

    def _loaded(self, result: tuple[int, pd.DataFrame]) -> None:
        total, frame = result
        self.total = total
        if self.search is None:
            self.list_count = total
            self.query_one(PointHeader).set_list_count(total)
        self.table.reset(total, self._rows(frame))
        if total == 0:
            self.table.show_message("No user id or device id contains the search." if self.search else "No users.")
        self._show_status()

    def _load_failed(self, error: Exception) -> None:
        self.table.show_message("The users could not be loaded: see the error.")
        self._show_status("Loading failed.")

    def on_row_view_rows_requested(self, message: RowView.RowsRequested) -> None:
        message.stop()
        generation, start = message.generation, message.start
        self.run_job(
            self._page_task(start, message.count),
            lambda frame: self.table.set_rows(generation, start, self._rows(frame)),
            "Loading more users failed",
            lambda error: self.table.rows_failed(generation, start),
        )

    def _rows(self, frame: pd.DataFrame) -> list[Row]:
        rows = []
        for user in frame.itertuples(index=False):
            cells = (
                data_text(user.user_id),
                time_text(user.first_seen, self.zone),
                time_text(user.last_seen, self.zone),
                count_text(user.events_in_point),
            )
            rows.append(Row(cells, key=(int(user.actor_id), user.user_id)))
        return rows

    def _columns(self) -> list[Column]:
        def title(name: str) -> str:
            if name != self.sort:
                return TITLES[name]
            return f"{TITLES[name]} {'▼' if self.descending else '▲'}"

        return [
            Column(title("user_id")),
            Column(title("first_seen"), TIME_CELLS),
            Column(title("last_seen"), TIME_CELLS),
            Column(title("events_in_point"), 17, "right"),
        ]

    def _show_status(self, text: str | None = None) -> None:
        if text is None:
            order = "descending" if self.descending else "ascending"
            text = f"Sorted by {TITLES[self.sort].lower()}, {order} (o, O) · / searches · {self.zone}"
            if self.search:
                listed = format_number(self.list_count) if self.list_count is not None else "…"
                text = f"{format_number(self.total)} of {listed} users match “{printable(self.search)}” · {text}"
            else:
                text = f"{format_number(self.total)} users · {text}"
        self.query_one("#users-status", Static).update(Text(text))

    # Sorting and searching ----------------------------------------------------------

    def action_next_sort(self) -> None:
        names = [name for name, _ in SORTS]
        self.sort, self.descending = SORTS[(names.index(self.sort) + 1) % len(SORTS)]
        self.reload()

    def action_reverse_sort(self) -> None:
        self.descending = not self.descending
        self.reload()

    def action_search(self) -> None:
        self.query_one("#users-search", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        search = event.value.strip() or None
        if search != self.search:
            self.search = search
            self.reload()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.table.focus()

    def action_close(self) -> None:
        # Escape in the search box goes back to the table, keeping the search.
        if self.focused is self.query_one("#users-search", Input):
            self.table.focus()
            return
        super().action_close()

    # Opening a user -------------------------------------------------------------------

    def _chosen_user(self) -> tuple[int, str] | None:
        row = self.table.cursor_value
        if row is None:
            self.notify("No user is selected: the list is empty or still loading.", severity="warning")
            return None
        return row.key

    def on_row_view_chosen(self, message: RowView.Chosen) -> None:
        message.stop()
        self.action_open_profile()

    def action_open_profile(self) -> None:
        user = self._chosen_user()
        if user is not None:
            self.app.push_screen(ProfileScreen(self.project, self.target, self.settings, user[0], self.list_count))

    def action_why(self) -> None:
        user = self._chosen_user()
        if user is not None:
            actor_id, display_id = user
            self.app.push_screen(
                WhyScreen(self.project, self.target, self.settings, actor_id, display_id, self.list_count)
            )

    def action_streams(self) -> None:
        if self._chosen_user() is None:
            return
        streams = StreamsScreen(
            self.project,
            self.target,
            self.settings,
            first_user=self.table.cursor_row,
            order=(self.sort, self.descending, self.search),
            list_count=self.list_count,
        )
        self.app.push_screen(streams)

    def action_paths(self) -> None:
        self.open_other_screen("paths")

    def action_download(self) -> None:
        self.open_other_screen("download")

    def action_cohort(self) -> None:
        self.open_other_screen("cohort")
