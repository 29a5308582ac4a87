"""A user's profile: ids, first and last seen, latest properties, cohorts, and activity grouped by session.

Activity loads ``CHUNK`` events at a time, newest first, and more as the
user scrolls down. Opened at an event (from a stream or "why is this user
here"), it loads chunks until that event is in, then puts the cursor on it.
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
from tui.analytics.microscope.profile import Profile, activity, user_profile
from tui.app.footer import SteadyFooter
from tui.app.formatting import format_number
from tui.app.microscope.base import MicroscopeScreen
from tui.app.microscope.header import PointHeader
from tui.app.microscope.profile_rows import ACTIVITY_COLUMNS, activity_rows, facts_table
from tui.app.microscope.row_view import RowView
from tui.store.project import Project
from tui.text import printable

CHUNK = 500


def load_activity(cursor, actor_id: int, offset: int, focus_seq: int | None = None) -> pd.DataFrame:
    """Return the actor's events from ``offset``: one chunk, or as many chunks as it takes to reach ``focus_seq``."""
    chunks = []
    while True:
        chunk = activity(cursor, actor_id, offset=offset, limit=CHUNK)
        chunks.append(chunk)
        offset += len(chunk)
        # NOTE: reaching an old event reads every newer one first; a user with millions of events waits for it.
        if focus_seq is None or len(chunk) < CHUNK or (chunk["seq"] == focus_seq).any():
            break
    return pd.concat(chunks, ignore_index=True) if len(chunks) > 1 else chunks[0]


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

        def task(cursor) -> tuple[Profile, pd.DataFrame]:
            return user_profile(cursor, actor_id), load_activity(cursor, actor_id, 0, focus_seq)

        self.run_job(task, self._loaded, "Loading the profile failed", self._load_failed)

    def _loaded(self, result: tuple[Profile, pd.DataFrame]) -> None:
        self.profile, self.events = result
        title = f"Profile of {printable(self.profile.display_id)}"
        self.query_one("#profile-title", Static).update(Text(title, style="bold"))
        self.facts = facts_table(self.profile, self.zone)
        self.query_one("#profile-facts-table", Static).update(self.facts)
        self._show_activity(self._focus_row())

    def _load_failed(self, error: Exception) -> None:
        self.query_one("#profile-facts-table", Static).update(Text("The profile could not be loaded: see the error."))
        self.table.show_message("")

    def _show_activity(self, cursor: int) -> None:
        more = len(self.events) < self.profile.event_count
        rows = activity_rows(self.events, self.zone, more)
        self.table.show_rows(rows, more=more, cursor=cursor)
        shown = f"{format_number(len(self.events))} of {format_number(self.profile.event_count)} events"
        status = f"Activity, newest first · {shown} · {self.zone}"
        self.query_one("#profile-status", Static).update(Text(status))

    def _focus_row(self) -> int:
        """Return the row of the event the profile was opened at, else 0."""
        if self.focus_seq is None:
            return 0
        rows = activity_rows(self.events, self.zone, more=False)
        for index, row in enumerate(rows):
            if row.key == self.focus_seq:
                return index
        return 0

    def on_row_view_rows_requested(self, message: RowView.RowsRequested) -> None:
        message.stop()
        actor_id, offset = self.actor_id, len(self.events)
        self.run_job(lambda cursor: load_activity(cursor, actor_id, offset), self._more_loaded, "Loading more events failed")

    def _more_loaded(self, chunk: pd.DataFrame) -> None:
        if chunk.empty:
            self.table.more = False
            return
        self.events = pd.concat([self.events, chunk], ignore_index=True)
        self._show_activity(self.table.cursor_row)
