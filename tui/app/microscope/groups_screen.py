"""View groups: the groups of a point counted by a group type, in a table paged, sorted and searched in DuckDB.

Each group opens the list of its users within the point, and each user
opens a profile, as in View users.
"""

from __future__ import annotations

import pandas as pd
from rich.text import Text
from textual.binding import Binding

from tui.analytics.groups import group_users, point_group_count, point_groups
from tui.app.microscope.cells import TIME_CELLS, count_text, data_text, time_text
from tui.app.microscope.download_dialog import GroupsDownloadDialog
from tui.app.microscope.paged_list import PagedListScreen, list_bindings
from tui.app.microscope.row_view import Row
from tui.app.microscope.users_screen import UsersScreen


class GroupsScreen(PagedListScreen):
    """The table of the groups of ``target`` (a Point counted by a group type); each row opens the group's users.

    Opened as ``GroupsScreen(project, point, settings)``.
    """

    BINDINGS = [
        *list_bindings("groups", "Search the list"),
        Binding("enter", "open_users", "Users", id="groups.users", tooltip="Open the users of the group in this point"),
        Binding("d", "download", "Download", id="groups.download", tooltip="Download these groups as CSV"),
        Binding("c", "cohort", "Cohort", id="groups.cohort", tooltip="Save these groups as a cohort"),
    ]

    list_id = "groups"
    list_title = "Groups"
    noun = "groups"
    singular = "group"
    search_hint = "search group names and ids"
    no_match = "No group name or id contains the search."
    sorts = (
        ("events_in_point", True), ("users_in_point", True), ("group_name", False), ("first_time", False),
        ("group_id", False),
    )
    columns = (
        ("group_name", "Group", 0, "left"),
        ("group_id", "Group id", 10, "right"),
        ("first_time", "First time", TIME_CELLS, "left"),
        ("creator_id", "Creator", 0, "left"),
        ("events_in_point", "Events", 9, "right"),
        ("users_in_point", "Users", 8, "right"),
    )

    def count_rows(self, cursor, search: str | None) -> int:
        return point_group_count(cursor, self.target, self.settings, search)

    def fetch_page(self, cursor, sort: str, descending: bool, search: str | None, offset: int, limit: int) -> pd.DataFrame:
        return point_groups(cursor, self.target, self.settings, sort, descending, search, offset, limit)

    def make_rows(self, frame: pd.DataFrame) -> list[Row]:
        rows = []
        for group in frame.itertuples(index=False):
            cells = (
                data_text(group.group_name),
                Text(str(group.group_id)),
                time_text(group.first_time, self.zone),
                data_text(group.creator_id),
                count_text(group.events_in_point),
                count_text(group.users_in_point),
            )
            rows.append(Row(cells, key=(int(group.group_id), group.group_name)))
        return rows

    def on_row_view_chosen(self, message) -> None:
        message.stop()
        self.action_open_users()

    def action_open_users(self) -> None:
        key = self.chosen_key()
        if key is None:
            return
        group_id, group_name = key
        users = group_users(self.target, self.settings, group_id, group_name)
        self.app.push_screen(UsersScreen(self.project, users, self.settings))

    def action_download(self) -> None:
        self.app.push_screen(GroupsDownloadDialog(self.project, self.target, self.settings))

    def action_cohort(self) -> None:
        self.open_other_screen("cohort")
