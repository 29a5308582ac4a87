"""View users: the users of a point (or of an actor set) in a table paged, sorted and searched in DuckDB.

Only the pages around the visible rows are fetched, so a point with a
million users costs one count and one page query per page the user reaches.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from textual.binding import Binding

from tui.analytics.microscope.actor_set import Target
from tui.analytics.microscope.users import point_users, point_users_count
from tui.analytics.point import Point
from tui.app.microscope.actions import ACTIONS, chart_type_reason
from tui.app.microscope.cells import TIME_CELLS, count_text, data_text, time_text
from tui.app.microscope.header import chart_types
from tui.app.microscope.paged_list import PagedListScreen, list_bindings
from tui.app.microscope.profile_screen import ProfileScreen
from tui.app.microscope.row_view import Row, RowView
from tui.app.microscope.streams_screen import StreamsScreen
from tui.app.microscope.why_screen import WhyScreen
from tui.store.project import Project


def events_column_title(target: Target) -> str:
    """Return the title of the events column, named for the events a retention point counts there.

    A retained user's events are their return events in the period, and a
    user not retained has exactly one: the first start event, which put
    them in the start cohort. Other points keep ``Events in point``.
    """
    if isinstance(target, Point) and target.definition.type == "retention":
        return "Start event" if target.dropped else "Return events"
    return "Events in point"


class UsersScreen(PagedListScreen):
    """The table of ``target``'s users; each row opens a profile, the events behind it, or streams from it."""

    BINDINGS = [
        Binding("enter", "open_profile", "Profile", id="users.profile", tooltip="Open the user's profile"),
        Binding("w", "why", "Why here", id="users.why", tooltip="Show the events that put this user in the list"),
        Binding("s", "streams", "Streams", id="users.streams", tooltip="Show user streams, starting at this user"),
        Binding("p", "paths", "Paths", id="users.paths", tooltip="Show user paths of these users"),
        Binding("d", "download", "Download", id="users.download", tooltip="Download these users as CSV"),
        Binding("c", "cohort", "Cohort", id="users.cohort", tooltip="Save these users as a cohort"),
        *list_bindings("users", "Search user ids and device ids"),
    ]

    list_id = "users"
    list_title = "Users"
    noun = "users"
    singular = "user"
    search_hint = "search user ids and device ids"
    no_match = "No user id or device id contains the search."
    sorts = (("events_in_point", True), ("user_id", False), ("first_seen", False), ("last_seen", True))
    columns = (
        ("user_id", "User id", 0, "left"),
        ("first_seen", "First seen", TIME_CELLS, "left"),
        ("last_seen", "Last seen", TIME_CELLS, "left"),
        ("events_in_point", "Events in point", 17, "right"),
    )

    def __init__(self, project: Project, target: Target, settings: Any, list_count: int | None = None):
        super().__init__(project, target, settings, list_count)
        events_title = events_column_title(target)
        self.columns = tuple(
            (name, events_title if name == "events_in_point" else title, width, justify)
            for name, title, width, justify in self.columns
        )

    def count_rows(self, cursor, search: str | None) -> int:
        return point_users_count(cursor, self.target, self.settings, search)

    def fetch_page(self, cursor, sort: str, descending: bool, search: str | None, offset: int, limit: int) -> pd.DataFrame:
        return point_users(cursor, self.target, self.settings, sort, descending, search, offset, limit)

    def make_rows(self, frame: pd.DataFrame) -> list[Row]:
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

    # Opening a user -------------------------------------------------------------------

    def on_row_view_chosen(self, message: RowView.Chosen) -> None:
        message.stop()
        self.action_open_profile()

    def action_open_profile(self) -> None:
        user = self.chosen_key()
        if user is not None:
            self.app.push_screen(ProfileScreen(self.project, self.target, self.settings, user[0], self.list_count))

    def action_why(self) -> None:
        user = self.chosen_key()
        if user is not None:
            actor_id, display_id = user
            self.app.push_screen(
                WhyScreen(self.project, self.target, self.settings, actor_id, display_id, self.list_count)
            )

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        # None keeps the key listed, greyed out, so the keys dialog still shows it exists.
        return None if self.unavailable_reason(action) else True

    def unavailable_reason(self, action: str) -> str | None:
        """Return why ``action`` cannot run on this list, or None when it can. The app shows it when the key is pressed.

        Streams need every chart the users come from to have them, and only event segmentation points do.
        A set of unknown origin (no chart types, such as a Pathfinder report's users) keeps them.
        """
        if action != "streams":
            return None
        for chart_type in chart_types(self.target):
            reason = chart_type_reason(ACTIONS["streams"], chart_type)
            if reason is not None:
                return f"{reason}, and these users come from a {chart_type} chart."
        return None

    def action_streams(self) -> None:
        if self.chosen_key() is None:
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
