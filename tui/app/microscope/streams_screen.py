"""View user streams: each user of a point as the run of events around its range, counted events marked.

Users come ``BATCH`` at a time, in the user list's order, and only the
batch on screen is held: ``n`` and ``N`` (or moving past either end)
load the neighbouring batch, so ten thousand users cost nothing until reached.
Each user's stream opens at its "range start" line, a few earlier events above it.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from tui.analytics.microscope.actor_set import Target, as_actor_set
from tui.analytics.microscope.streams import default_stream_columns, point_streams, stream_property_names
from tui.analytics.microscope.users import point_users, point_users_count
from tui.app.footer import SteadyFooter
from tui.app.formatting import SEPARATOR, format_number
from tui.app.microscope.base import MicroscopeScreen
from tui.app.microscope.header import PointHeader
from tui.app.microscope.profile_screen import ProfileScreen
from tui.app.microscope.property_picker import PropertyPicker
from tui.app.microscope.row_view import MARK, RowView
from tui.app.microscope.stream_rows import (
    OUT_OF_SESSION_MARK,
    StreamBatch,
    StreamKey,
    stream_columns,
    stream_rows,
)
from tui.app.microscope.why_screen import WhyScreen
from tui.store.project import Project
from tui.text import printable

BATCH = 50
# Property columns shown before the user picks: those of the chart's own event (see default_stream_columns).
DEFAULT_COLUMNS = 3
# The user list's order: sort column, descending, search.
DEFAULT_ORDER = ("events_in_point", True, None)
# Rows shown above a user's "range start" line when the stream opens: the last events before the range.
ROWS_ABOVE_RANGE = 3


class StreamsScreen(MicroscopeScreen):
    """The streams of ``target``'s users from user ``first_user`` (0-based) of the list sorted by ``order``."""

    BINDINGS = [
        Binding("n", "next_user", "Next user", id="streams.next_user", tooltip="Go to the next user's stream"),
        Binding("N", "previous_user", "Previous user", id="streams.previous_user",
                tooltip="Go to the previous user's stream"),
        Binding("c", "pick_columns", "Columns", id="streams.columns",
                tooltip="Choose the event properties shown as columns"),
        Binding("enter", "open_profile", "Profile", id="streams.profile",
                tooltip="Open the user's profile at this event"),
        Binding("w", "why", "Why here", id="streams.why", tooltip="Show the events that put this user in the list"),
    ]

    def __init__(
        self,
        project: Project,
        target: Target,
        settings: Any,
        first_user: int = 0,
        order: tuple[str, bool, str | None] = DEFAULT_ORDER,
        list_count: int | None = None,
    ):
        super().__init__(project, target, settings, list_count)
        self.first_user = first_user
        self.order = order
        # None until the first batch picks the default columns.
        self.property_names: list[str] | None = None
        self.batch: StreamBatch | None = None
        self.user_starts: list[int] = []
        self.range_starts: list[int] = []
        # Whether the batch shows OUT_OF_SESSION_MARK, which the status line then explains.
        self.out_of_session = False

    def compose(self) -> ComposeResult:
        yield Static(Text("User streams", style="bold"), classes="screen-title")
        yield PointHeader(self.project, self.target, self.settings, self.list_count, count_list=False)
        yield Static(id="streams-status", classes="microscope-status")
        yield RowView(stream_columns([]), mark_column=True, id="streams")
        yield SteadyFooter()

    @property
    def table(self) -> RowView:
        return self.query_one("#streams", RowView)

    def on_mount(self) -> None:
        self.table.focus()
        self.load_batch(self.first_user, self.first_user)

    # Loading ----------------------------------------------------------------------

    def load_batch(self, offset: int, focus_user: int, at_end: bool = False) -> None:
        """Load users ``offset`` onwards and put the cursor on user ``focus_user``'s header (or the last row)."""
        self.cancel_jobs()
        self._show_status(f"Loading the streams of users {format_number(offset + 1)} onwards… (Esc cancels)")
        target, settings = self.target, self.settings
        sort, descending, search = self.order
        names = self.property_names
        total = self.batch.total if self.batch is not None else None

        def task(cursor) -> StreamBatch:
            users = point_users(cursor, target, settings, sort, descending, search, offset, BATCH)
            actor_ids = [int(actor_id) for actor_id in users["actor_id"]]
            chosen = names
            if chosen is None:
                chosen = default_stream_columns(cursor, target, settings, actor_ids, DEFAULT_COLUMNS)
            events = point_streams(cursor, target, settings, actor_ids, chosen)
            count = total if total is not None else point_users_count(cursor, target, settings, search)
            actor_set = as_actor_set(target, settings)
            return StreamBatch(offset, count, users, events, list(chosen), actor_set.start, actor_set.end)

        self.run_job(task, lambda batch: self._show_batch(batch, focus_user, at_end), "Loading the streams failed")

    def _show_batch(self, batch: StreamBatch, focus_user: int, at_end: bool) -> None:
        self.batch = batch
        self.property_names = batch.property_names
        if self.order[2] is None and self.list_count is None:
            self.list_count = batch.total
            self.query_one(PointHeader).set_list_count(batch.total)
        layout = stream_rows(batch, self.zone)
        self.user_starts, self.range_starts = layout.user_starts, layout.range_starts
        self.out_of_session = layout.out_of_session
        self.table.set_columns(stream_columns(batch.property_names, layout.event_cells))
        if not layout.rows:
            self.table.show_message("No users in this list.")
            self._show_status("No users in this list.")
            return
        if at_end:
            self.table.show_rows(layout.rows, cursor=len(layout.rows) - 1)
        else:
            self.table.show_rows(layout.rows)
            self._show_user(min(max(focus_user - batch.offset, 0), len(self.user_starts) - 1))
        self._show_status()

    def _show_user(self, index: int) -> None:
        """Put the cursor on the "range start" line of user ``index`` of the batch, near the top of the view.

        The counted events come after that line, and up to ``BEFORE`` events from
        before the range (see ``tui.analytics.microscope.streams``) come above it,
        so a stream shown from the user's header would start with a screen of them.
        """
        range_start = self.range_starts[index]
        top = max(range_start - ROWS_ABOVE_RANGE, self.user_starts[index])
        self.table.scroll_to_row(top)
        # The cursor stays on screen: move_cursor scrolls again only when a short view leaves it below.
        self.table.move_cursor(range_start)

    def _show_status(self, text: str | None = None) -> None:
        if text is None:
            text = self._position_text()
        self.query_one("#streams-status", Static).update(Text(text))

    def _position_text(self) -> str:
        row = self.table.cursor_value
        if self.batch is None or row is None:
            return ""
        index = self._user_index(self.table.cursor_row)
        user = f"User {format_number(self.batch.offset + index + 1)} of {format_number(self.batch.total)}"
        keys = "n next user, N previous user, c columns"
        # The keys come last, so a narrow terminal cuts them (the footer lists them too) before the time zone.
        parts = [user, printable(row.key.display_id), f"{MARK} counted toward the point"]
        if self.out_of_session:
            parts.append(f"{OUT_OF_SESSION_MARK} out of session")
        parts.extend((self.zone, keys))
        return SEPARATOR.join(parts)

    def on_row_view_cursor_moved(self, message: RowView.CursorMoved) -> None:
        message.stop()
        self._show_status()

    # Moving between users -----------------------------------------------------------

    def _user_index(self, row: int) -> int:
        """Return the position in the batch of the user whose stream contains ``row``."""
        index = 0
        for position, start in enumerate(self.user_starts):
            if start <= row:
                index = position
        return index

    def action_next_user(self) -> None:
        if self.batch is None or not self.user_starts:
            return
        index = self._user_index(self.table.cursor_row) + 1
        if index < len(self.user_starts):
            self._show_user(index)
        else:
            self._next_batch()

    def action_previous_user(self) -> None:
        if self.batch is None or not self.user_starts:
            return
        index = self._user_index(self.table.cursor_row)
        # Below a user's range start, N goes back to it first.
        if self.table.cursor_row > self.range_starts[index]:
            self._show_user(index)
        elif index > 0:
            self._show_user(index - 1)
        else:
            self._previous_batch(at_end=False)

    def _next_batch(self) -> None:
        following = self.batch.offset + len(self.user_starts)
        if following >= self.batch.total:
            self.notify("This is the last user.", markup=False)
            return
        self.load_batch(following, following)

    def _previous_batch(self, at_end: bool) -> None:
        if self.batch.offset == 0:
            self.notify("This is the first user.", markup=False)
            return
        previous = self.batch.offset - 1
        self.load_batch(max(self.batch.offset - BATCH, 0), previous, at_end)

    def on_row_view_edge_reached(self, message: RowView.EdgeReached) -> None:
        message.stop()
        if self.batch is None:
            return
        if message.direction > 0:
            self._next_batch()
        else:
            self._previous_batch(at_end=True)

    # Columns and opening a user ----------------------------------------------------

    def action_pick_columns(self) -> None:
        if self.batch is None:
            return
        target, settings = self.target, self.settings
        actor_ids = [int(actor_id) for actor_id in self.batch.users["actor_id"]]

        def load(cursor) -> list[str]:
            return stream_property_names(cursor, target, settings, actor_ids)

        self.app.push_screen(PropertyPicker(self.project, load, self.property_names or []), self._columns_picked)

    def _columns_picked(self, names: list[str] | None) -> None:
        if names is None or self.batch is None:
            return
        self.property_names = names
        user = self.batch.offset + self._user_index(self.table.cursor_row)
        self.load_batch(self.batch.offset, user)

    def _chosen_row(self) -> StreamKey | None:
        row = self.table.cursor_value
        return row.key if row is not None else None

    def on_row_view_chosen(self, message: RowView.Chosen) -> None:
        message.stop()
        self.action_open_profile()

    def action_open_profile(self) -> None:
        key = self._chosen_row()
        if key is not None:
            profile = ProfileScreen(self.project, self.target, self.settings, key.actor_id, self.list_count, key.seq)
            self.app.push_screen(profile)

    def action_why(self) -> None:
        key = self._chosen_row()
        if key is not None:
            why = WhyScreen(self.project, self.target, self.settings, key.actor_id, key.display_id, self.list_count)
            self.app.push_screen(why)
