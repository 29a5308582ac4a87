"""A user's profile: ids, first and last seen, latest properties, cohorts, and activity grouped by session.

Activity loads ``CHUNK`` events at a time, newest first, and more as the
user scrolls down. Opened at an event (from a stream or "why is this user
here"), it counts the events newer than that one and loads one chunk from a
little above it, with the cursor on it. The newer events above that chunk
load when the cursor reaches the top.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.analytics.microscope.actor_set import Target
from tui.analytics.microscope.profile import Profile, activity, activity_position, user_profile
from tui.app.footer import SteadyFooter
from tui.app.formatting import format_number, quantity_text
from tui.app.microscope.base import MicroscopeScreen
from tui.app.microscope.header import PointHeader
from tui.app.microscope.profile_rows import ACTIVITY_COLUMNS, activity_rows, facts_table
from tui.app.microscope.row_view import Row, RowView
from tui.store.project import Project
from tui.text import printable

CHUNK = 500
# Events newer than the one a profile opens at that load with it, so the cursor has some context above.
NEWER_CONTEXT = 20


class ProfileScreen(MicroscopeScreen):
    """The profile of ``actor_id``, opened from the users of ``target``, scrolled to ``focus_seq`` if given."""

    def __init__(
        self,
        project: Project,
        target: Target,
        settings: Any,
        actor_id: int,
        list_count: int | None = None,
        focus_seq: int | None = None,
    ):
        super().__init__(project, target, settings, list_count)
        self.actor_id = actor_id
        self.focus_seq = focus_seq
        self.profile: Profile | None = None
        self.facts: Table | None = None
        self.events: pd.DataFrame | None = None
        # How many newer events come before ``events`` in the activity (newest first); they are not loaded.
        self.first_offset = 0
        # Activity pages queried, so tests can check that opening at an old event reads one page.
        self.activity_queries = 0
        self._loading_newer = False

    def compose(self) -> ComposeResult:
        yield Static(Text("Profile", style="bold"), id="profile-title", classes="screen-title")
        yield PointHeader(self.project, self.target, self.settings, self.list_count)
        with VerticalScroll(id="profile-facts"):
            yield Static(Text("Loading the profile… (Esc cancels)"), id="profile-facts-table")
        yield Static(id="profile-status", classes="microscope-status")
        yield RowView(ACTIVITY_COLUMNS, page_size=CHUNK, id="activity")
        yield SteadyFooter()

    @property
    def table(self) -> RowView:
        return self.query_one("#activity", RowView)

    def on_mount(self) -> None:
        self.table.focus()
        self.table.show_message("Loading the activity…")
        actor_id, focus_seq = self.actor_id, self.focus_seq
        self.activity_queries += 1

        def task(cursor) -> tuple[Profile, int, pd.DataFrame]:
            # One count places the event, so one page contains it however old it is.
            position = activity_position(cursor, actor_id, focus_seq) if focus_seq is not None else None
            first = max((position or 0) - NEWER_CONTEXT, 0)
            return user_profile(cursor, actor_id), first, activity(cursor, actor_id, offset=first, limit=CHUNK)

        self.run_job(task, self._loaded, "Loading the profile failed", self._load_failed)

    def _page_task(self, offset: int, limit: int):
        """Return a task reading ``limit`` activity events from ``offset``, counted in ``activity_queries``."""
        self.activity_queries += 1
        actor_id = self.actor_id
        return lambda cursor: activity(cursor, actor_id, offset=offset, limit=limit)

    def _loaded(self, result: tuple[Profile, int, pd.DataFrame]) -> None:
        self.profile, self.first_offset, self.events = result
        title = f"Profile of {printable(self.profile.display_id)}"
        self.query_one("#profile-title", Static).update(Text(title, style="bold"))
        self.facts = facts_table(self.profile, self.zone)
        self.query_one("#profile-facts-table", Static).update(self.facts)
        # The facts just grew, so the next layout shrinks the activity. Its cursor is placed after
        # that layout, because a cursor placed now near the bottom would end up below the screen.
        self.call_after_refresh(self._show_first_activity)

    def _show_first_activity(self) -> None:
        # The screen may have closed before the layout ran.
        if self.is_attached:
            self._show_activity(self._row_of(self.focus_seq))

    def _load_failed(self, error: Exception) -> None:
        self.query_one("#profile-facts-table", Static).update(Text("The profile could not be loaded: see the error."))
        self.table.show_message("")

    def _rows(self) -> list[Row]:
        """Return the activity rows, under a row that counts the newer events not loaded yet."""
        more = self.first_offset + len(self.events) < self.profile.event_count
        rows = activity_rows(self.events, self.zone, more)
        if self.first_offset:
            # NOTE: the top session's header counts only its loaded events until the newer ones load.
            newer = f"{format_number(self.first_offset)} newer events above: move up to load them"
            rows.insert(0, Row((Text(newer),), rule=True))
        return rows

    def _show_activity(self, cursor: int) -> None:
        more = self.first_offset + len(self.events) < self.profile.event_count
        self.table.show_rows(self._rows(), more=more, cursor=cursor)
        total = format_number(self.profile.event_count)
        shown = f"{format_number(len(self.events))} of {quantity_text(self.profile.event_count, 'events')}"
        if self.first_offset:
            last = self.first_offset + len(self.events)
            shown = f"events {format_number(self.first_offset + 1)} to {format_number(last)} of {total}"
        status = f"Activity, newest first · {shown} · {self.zone}"
        self.query_one("#profile-status", Static).update(Text(status))

    def _row_of(self, seq: int | None) -> int:
        """Return the row of event ``seq``, else 0."""
        if seq is None:
            return 0
        for index, row in enumerate(self._rows()):
            if row.key == seq:
                return index
        return 0

    def on_row_view_rows_requested(self, message: RowView.RowsRequested) -> None:
        message.stop()
        older = self._page_task(self.first_offset + len(self.events), CHUNK)
        self.run_job(older, self._more_loaded, "Loading more events failed")

    def _more_loaded(self, chunk: pd.DataFrame) -> None:
        if chunk.empty:
            self.table.more = False
            return
        self.events = pd.concat([self.events, chunk], ignore_index=True)
        self._show_activity(self.table.cursor_row)

    def on_row_view_cursor_moved(self, message: RowView.CursorMoved) -> None:
        if message.index == 0:
            self._load_newer()

    def on_row_view_edge_reached(self, message: RowView.EdgeReached) -> None:
        if message.direction < 0:
            self._load_newer()

    def _load_newer(self) -> None:
        """Load the chunk of events just newer than those loaded, when some are not loaded yet."""
        if not self.first_offset or self._loading_newer or self.events is None:
            return
        self._loading_newer = True
        start = max(self.first_offset - CHUNK, 0)
        page = self._page_task(start, self.first_offset - start)

        def failed(error: Exception) -> None:
            self._loading_newer = False

        self.run_job(
            lambda cursor: (start, page(cursor)),
            self._newer_loaded,
            "Loading newer events failed",
            failed,
        )

    def _newer_loaded(self, result: tuple[int, pd.DataFrame]) -> None:
        self._loading_newer = False
        start, chunk = result
        if start + len(chunk) != self.first_offset:
            # The activity changed under the profile (events were imported), so the pieces no longer join.
            self.notify("The user's events changed meanwhile: close the profile and open it again.", severity="warning")
            return
        previous_first = int(self.events["seq"].iloc[0]) if len(self.events) else None
        self.events = pd.concat([chunk, self.events], ignore_index=True)
        self.first_offset = start
        # The cursor goes to the row just above the event that was the newest loaded.
        self._show_activity(max(self._row_of(previous_first) - 1, 0))
