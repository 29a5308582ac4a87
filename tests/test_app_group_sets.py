"""Compare two points of a chart counted by groups in the app: group counts, and each part's groups list.

The project and its hand-counted groups are described in ``group_sets_data``.
The chart opens on March 2; March 1 is marked and compared with it.
"""

from __future__ import annotations

from builders import build_project
from funnel_app import user_ids
from group_sets_data import GROUP_SET_EVENTS, buyers
from microscope_app import error_messages, press, running, table_rows
from tui.app.microscope.cohort_dialog import CohortDialog
from tui.app.microscope.compare import CompareScreen
from tui.app.microscope.groups_screen import GroupsScreen
from tui.app.microscope.header import PointHeader
from tui.app.microscope.users_screen import UsersScreen
from tui.store.saved_charts import save_chart


def buyers_project(tmp_path, count_by: str | None = "group:company"):
    with build_project(tmp_path, GROUP_SET_EVENTS) as project:
        save_chart(project.con, "Buyers", buyers(count_by))
        return project.path


async def open_comparison(app, pilot) -> CompareScreen:
    """Mark March 1, move to March 2, and compare the two from March 2's microscope."""
    await press(app, pilot, "h", "m", "l", "enter", "C")
    assert isinstance(app.screen, CompareScreen)
    return app.screen


def group_names(screen: GroupsScreen) -> list[str]:
    return [row.plain()[0] for row in table_rows(screen.table)]


def option_texts(screen: CompareScreen) -> list[str]:
    options = screen.query_one("#compare-parts")
    return [options.get_option_at_index(index).prompt.plain for index in range(options.option_count)]


async def test_compare_counts_groups(tmp_path):
    async with running(buyers_project(tmp_path)) as (app, pilot):
        screen = await open_comparison(app, pilot)

        assert screen.counts == {"first": 3, "second": 3, "both": 2, "only_first": 1, "only_second": 1}
        assert screen.query_one("#compare-sums").content.plain == (
            "first = 3 groups = both + only first · second = 3 groups = both + only second"
        )
        assert option_texts(screen) == [
            "1  Only in the first (marked) point: 1 group",
            "b  In both points: 2 groups",
            "2  Only in the second point: 1 group",
        ]
        assert error_messages(app) == []


async def test_compare_parts_open_groups(tmp_path):
    expected = {"1": ["Initech"], "b": ["Acme", "Globex"], "2": ["Hooli"]}
    parts = {"1": "only_first", "b": "both", "2": "only_second"}
    async with running(buyers_project(tmp_path)) as (app, pilot):
        screen = await open_comparison(app, pilot)
        for key, names in expected.items():
            await press(app, pilot, key)
            groups = app.screen
            assert isinstance(groups, GroupsScreen)
            assert groups.total == screen.counts[parts[key]] == len(names)
            assert sorted(group_names(groups)) == names
            header = groups.query_one("#point-header").plain()
            assert f"list = {len(names)} group" in header
            # The banner names the chart both points are on.
            assert "Buyers" in header
            await press(app, pilot, "escape")
            assert app.screen is screen
        assert error_messages(app) == []


async def test_compared_group_opens_users(tmp_path):
    async with running(buyers_project(tmp_path)) as (app, pilot):
        await open_comparison(app, pilot)
        await press(app, pilot, "b")
        groups = app.screen
        # Acme has four events in both points (lines 1, 2, 5 and 9), Globex two, so Acme comes first.
        assert [row.plain()[4:] for row in table_rows(groups.table)] == [("4", "3"), ("2", "1")]
        assert group_names(groups) == ["Acme", "Globex"]

        await press(app, pilot, "enter")
        users = app.screen
        assert isinstance(users, UsersScreen)
        assert user_ids(users) == {"alice", "bob", "frank"}
        assert users.target.chart_types == ("segmentation", "segmentation")
        # Both points are event segmentation points, so the users have streams.
        assert users.check_action("streams", ()) is True
        assert error_messages(app) == []


async def test_compared_groups_cohort(tmp_path):
    async with running(buyers_project(tmp_path)) as (app, pilot):
        await open_comparison(app, pilot)
        await press(app, pilot, "1", "c")
        dialog = app.screen
        assert isinstance(dialog, CohortDialog)
        assert "list = 1 group" in dialog.query_one(PointHeader).plain()
        assert dialog.query_one("#form-note").content.plain.startswith("1 group will be saved")
        assert error_messages(app) == []


async def test_users_chart_compares_users(tmp_path):
    async with running(buyers_project(tmp_path, count_by=None)) as (app, pilot):
        screen = await open_comparison(app, pilot)

        # March 1: alice, bob, carol, dan. March 2: alice, erin, bob, frank.
        assert screen.counts == {"first": 4, "second": 4, "both": 2, "only_first": 2, "only_second": 2}
        await press(app, pilot, "1")
        assert isinstance(app.screen, UsersScreen)
        assert user_ids(app.screen) == {"carol", "dan"}
