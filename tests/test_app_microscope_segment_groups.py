"""A profile's groups and "why is this user here" on a point grouped by platform, on a small hand-made project.

The chart counts the users who bought on 2024-03-02, grouped by platform:
- u1 buys twice on iOS, naming account Acme, then account Beta and team Red;
- u2 buys once on iOS and names no group;
- u3 buys once on Android, naming account Acme;
- u4 buys once with no platform.
So iOS (2 users) is the first segment, then Android and (none).
"""

from __future__ import annotations

from pathlib import Path

from builders import build_project
from ecom_app import run_menu_action
from microscope_app import error_messages, press, running, table_rows
from tui.analytics.microscope import profile as profile_analytics
from tui.app.microscope.profile_screen import ProfileScreen
from tui.app.microscope.users_screen import UsersScreen
from tui.app.microscope.why_screen import WhyScreen
from tui.store.saved_charts import save_chart

BUYERS_BY_PLATFORM = {
    "type": "segmentation",
    "events": [{"event": "buy"}],
    "measure": "uniques",
    "interval": "day",
    "range": {"from": "2024-03-01", "to": "2024-03-02"},
    "group_by": "platform",
}


def buy(user: str, when: str, platform: str | None = None, groups: dict | None = None) -> dict:
    row = {"event_type": "buy", "event_time": when, "user_id": user}
    if platform is not None:
        row["platform"] = platform
    if groups is not None:
        row["groups"] = groups
    return row


def make_shop(tmp_path: Path) -> Path:
    events = [
        # A visit the day before, outside the point, still names a group of u1's.
        {"event_type": "view", "event_time": "2024-03-01T09:00:00Z", "user_id": "u1", "groups": {"account": "Zeta"}},
        buy("u1", "2024-03-02T10:00:00Z", "iOS", {"account": "Acme"}),
        buy("u1", "2024-03-02T11:00:00Z", "iOS", {"account": "Beta", "team": "Red"}),
        buy("u2", "2024-03-02T12:00:00Z", "iOS"),
        buy("u3", "2024-03-02T13:00:00Z", "Android", {"account": "Acme"}),
        buy("u4", "2024-03-02T14:00:00Z"),
    ]
    project = build_project(tmp_path, events)
    save_chart(project.con, "Buyers by platform", BUYERS_BY_PLATFORM)
    project.close()
    return tmp_path / "p.duckdb"


async def open_users(app, pilot, *keys: str) -> UsersScreen:
    """Move the chart cursor with ``keys`` (segments are lines: ``j`` goes to the next) and open the user list."""
    await press(app, pilot, *keys)
    return await run_menu_action(app, pilot, "u", UsersScreen)


async def open_user(app, pilot, users: UsersScreen, user_id: str, key: str):
    """Put the user list's cursor on ``user_id``, press ``key`` and return the screen it opens."""
    ids = [row.plain()[0] for row in table_rows(users.table)]
    users.table.move_cursor(ids.index(user_id))
    await press(app, pilot, key)
    return app.screen


def group_facts(profile: ProfileScreen) -> list[tuple[str, str]]:
    """Return the facts table's rows from the "Groups" row to the row before the next labelled one."""
    labels = [str(label) for label in profile.facts.columns[0].cells]
    values = [value.plain for value in profile.facts.columns[1].cells]
    first = labels.index("Groups")
    rows = [(labels[first], values[first])]
    for label, value in zip(labels[first + 1 :], values[first + 1 :]):
        if label:
            break
        rows.append((label, value))
    return rows


async def test_profile_lists_groups(tmp_path):
    async with running(make_shop(tmp_path)) as (app, pilot):
        users = await open_users(app, pilot)
        profile = await open_user(app, pilot, users, "u1", "enter")
        assert isinstance(profile, ProfileScreen)
        # Every group the user's events name, the event outside the point included, one line per group type.
        assert profile.profile.groups == (("account", "Acme"), ("account", "Beta"), ("account", "Zeta"), ("team", "Red"))
        assert profile.profile.group_count == 4
        assert group_facts(profile) == [("Groups", "account = Acme, Beta, Zeta"), ("", "team = Red")]
        assert error_messages(app) == []


async def test_profile_without_groups(tmp_path):
    async with running(make_shop(tmp_path)) as (app, pilot):
        users = await open_users(app, pilot)
        profile = await open_user(app, pilot, users, "u2", "enter")
        assert profile.profile.groups == ()
        assert group_facts(profile) == [("Groups", "(none)")]


async def test_profile_counts_unlisted_groups(tmp_path, monkeypatch):
    monkeypatch.setattr(profile_analytics, "MAX_PROFILE_GROUPS", 2)
    async with running(make_shop(tmp_path)) as (app, pilot):
        users = await open_users(app, pilot)
        profile = await open_user(app, pilot, users, "u1", "enter")
        assert profile.profile.groups == (("account", "Acme"), ("account", "Beta"))
        assert profile.profile.group_count == 4
        assert group_facts(profile) == [("Groups", "account = Acme, Beta"), ("", "and 2 more groups not listed")]


async def test_why_shows_segment_value(tmp_path):
    async with running(make_shop(tmp_path)) as (app, pilot):
        users = await open_users(app, pilot)
        assert {row.plain()[0] for row in table_rows(users.table)} == {"u1", "u2"}
        why = await open_user(app, pilot, users, "u1", "w")
        assert isinstance(why, WhyScreen)

        table = why.query_one("#why-table")
        assert [column.title for column in table.columns] == ["Time", "Event", "platform", "Session", "Event properties"]
        rows = [row.plain()[:3] for row in table.loaded_rows()]
        assert rows == [("2024-03-02 10:00:00", "buy", "iOS"), ("2024-03-02 11:00:00", "buy", "iOS")]
        line = why.query_one("#why-segment").content.plain
        assert line == "Segment iOS (platform): the user's platform on these events is iOS."


async def test_why_shows_missing_segment_value(tmp_path):
    async with running(make_shop(tmp_path)) as (app, pilot):
        # Segments in order: iOS, Android, (none).
        users = await open_users(app, pilot, "j", "j")
        assert [row.plain()[0] for row in table_rows(users.table)] == ["u4"]
        why = await open_user(app, pilot, users, "u4", "w")
        assert [row.plain()[:3] for row in why.query_one("#why-table").loaded_rows()] == [
            ("2024-03-02 14:00:00", "buy", "")
        ]
        line = why.query_one("#why-segment").content.plain
        assert line == "Segment (none) (platform): these events have no platform value."
