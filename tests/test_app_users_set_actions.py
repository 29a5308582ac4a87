"""User lists of actor sets made from chart points know their charts' types, so streams are offered only where they work.

Streams exist only for event segmentation points. A compared set of two
retention cells or two funnel parts, and a group's users from a funnel
counted by groups, list their users without them.
"""

from __future__ import annotations

from builders import build_project
from funnel_app import make_shop
from groups_data import ACCOUNT_EVENTS, chart
from microscope_app import error_messages, press, running, settle
from test_app_retention import signups, signups_template  # noqa: F401 - fixtures
from tui.analytics.definition import parse_chart
from tui.analytics.point import Point
from tui.app.keys import key_entries
from tui.app.microscope.compare import CompareScreen
from tui.app.microscope.groups_screen import GroupsScreen
from tui.app.microscope.header import ChartedSet
from tui.app.microscope.users_screen import UsersScreen

FUNNEL_BY_COMPANY = {
    "type": "funnel",
    "steps": [{"event": "Buy"}, {"event": "Buy"}],
    "range": {"from": "2024-03-01", "to": "2024-03-02"},
    "window": "2d",
    "count_by": "group:company",
}


def streams_state(screen: UsersScreen) -> bool | None:
    """Return how the list offers streams: True on, None listed but greyed out, False hidden."""
    return screen.check_action("streams", ())


def streams_listed(app) -> bool:
    return any(entry.action == "streams" for entry in key_entries(app.screen))


async def test_compared_retention_cells_have_no_streams(signups):  # noqa: F811 - the fixture imported above
    async with running(signups) as (app, pilot):
        await press(app, pilot, "m", "h", "enter", "C")
        assert isinstance(app.screen, CompareScreen)
        await press(app, pilot, "1")
        users = app.screen
        assert isinstance(users, UsersScreen)
        assert isinstance(users.target, ChartedSet)
        assert users.target.chart_types == ("retention", "retention")
        assert streams_state(users) is None
        # Listed, greyed out, so the keys dialog still shows the key exists.
        assert streams_listed(app)

        await press(app, pilot, "s")
        assert app.screen is users
        assert error_messages(app) == []


async def test_compared_funnel_parts_have_no_streams(tmp_path):
    async with running(make_shop(tmp_path), size=(100, 30)) as (app, pilot):
        # Step 2 converted is marked; step 3 converted is compared with it.
        await press(app, pilot, "l", "m", "l", "enter", "C")
        assert isinstance(app.screen, CompareScreen)
        # u1 and u5 reached step 3, both also in step 2.
        assert app.screen.counts["both"] == 2
        await press(app, pilot, "b")
        users = app.screen
        assert isinstance(users, UsersScreen)
        assert users.target.chart_types == ("funnel", "funnel")
        assert streams_state(users) is None


async def open_first_group_users(app, pilot, point: Point) -> UsersScreen:
    """Open the groups of ``point`` and the users of the first group."""
    await app.push_screen(GroupsScreen(app.project, point, app.settings))
    await settle(app, pilot)
    await press(app, pilot, "enter")
    assert isinstance(app.screen, UsersScreen)
    return app.screen


async def test_group_users_follow_chart_type(tmp_path):
    with build_project(tmp_path, ACCOUNT_EVENTS) as project:
        path = project.path
    async with running(path) as (app, pilot):
        users = await open_first_group_users(app, pilot, Point(parse_chart(FUNNEL_BY_COMPANY), step=1))
        assert users.target.chart_types == ("funnel",)
        assert streams_state(users) is None

        await press(app, pilot, "escape", "escape")
        users = await open_first_group_users(app, pilot, Point(parse_chart(chart()), series=0, segment=None, bucket=0))
        assert users.target.chart_types == ("segmentation",)
        assert streams_state(users) is True
        assert error_messages(app) == []
