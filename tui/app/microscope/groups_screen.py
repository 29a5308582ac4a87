"""View groups: the groups of a point counted by a group type, or of a group set, in a table paged in DuckDB.

Each group opens the list of its users within the point (or set), and each
user opens a profile, as in View users. A group set is one part of a
comparison of two points, or the groups of a conversion driver.
"""

from __future__ import annotations

import pandas as pd
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from tui.analytics.groups import group_users, groups_properties, point_group_count, point_groups
from tui.app.microscope.cells import TIME_CELLS, count_text, data_text, properties_text, time_text
from tui.app.microscope.download_dialog import GroupsDownloadDialog
from tui.app.microscope.header import ChartedGroupSet, charted_set
from tui.app.microscope.paged_list import PagedListScreen, list_bindings
from tui.app.microscope.row_view import Row, RowView
from tui.app.microscope.users_screen import UsersScreen
from tui.text import printable


class GroupsScreen(PagedListScreen):
    """The table of the groups of ``target``, where each row opens the group's users.

    Opened as ``GroupsScreen(project, target, settings, list_count)``, where
    ``target`` is a Point counted by a group type or a GroupSet, and the
    optional ``list_count`` is the number of groups the caller counted.
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
        page = point_groups(cursor, self.target, self.settings, sort, descending, search, offset, limit)
        properties = groups_properties(cursor, page["group_id"].tolist())
        return page.merge(properties, on="group_id", how="left")

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
            key = (int(group.group_id), group.group_name, group.properties)
            rows.append(Row(cells, key=key))
        # Showing the first page puts the cursor on its first row without a CursorMoved message,
        # so the line is updated once the caller has shown these rows.
        self.call_later(self._show_properties)
        return rows

    def compose(self) -> ComposeResult:
        widgets = list(super().compose())
        # Under the table, above the footer.
        widgets.insert(-1, Static(id="groups-properties", classes="microscope-status"))
        yield from widgets

    def on_row_view_cursor_moved(self, message: RowView.CursorMoved) -> None:
        message.stop()
        self._show_properties()

    def _show_properties(self) -> None:
        """Show the latest properties of the group under the cursor in the line under the table."""
        if not self.is_mounted:
            return
        row = self.table.cursor_value
        if row is None or row.key is None:
            text = Text("")
        else:
            _, group_name, properties = row.key
            listed = properties_text(properties) or "none"
            text = Text.assemble("Latest properties of ", printable(group_name), ": ", listed)
        self.query_one("#groups-properties", Static).update(text)

    def on_row_view_chosen(self, message) -> None:
        message.stop()
        self.action_open_users()

    def action_open_users(self) -> None:
        key = self.chosen_key()
        if key is None:
            return
        group_id, group_name, _ = key
        # The users keep the groups' chart types, so their list offers streams only where those charts have them.
        chart = self.target.chart if isinstance(self.target, ChartedGroupSet) else None
        users = charted_set(group_users(self.target, self.settings, group_id, group_name), chart)
        self.app.push_screen(UsersScreen(self.project, users, self.settings))

    def action_download(self) -> None:
        self.app.push_screen(GroupsDownloadDialog(self.project, self.target, self.settings))

    def action_cohort(self) -> None:
        self.open_other_screen("cohort")
