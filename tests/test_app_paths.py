"""Show user paths in the app: the tree against the paths report, its keys, the range limit, cancelling, hostile names."""

from datetime import datetime, timezone

import pandas as pd
from textual.widgets._footer import FooterKey

from builders import build_project
from ecom_app import VIEWS_BY_PLATFORM, endless_set, messages, run_menu_action, with_chart
from microscope_app import ecom, ecom_template, error_messages, press, running, settle
from tui.analytics.microscope.actor_set import ActorSet
from tui.analytics.microscope.paths import point_paths
from tui.app.home_screen import HomeScreen
from tui.app.microscope.menu import MicroscopeMenu
from tui.app.microscope.paths_screen import PathsScreen
from tui.app.microscope.paths_tree import PathsTree
from tui.app.microscope.selection import current_point

__all__ = ["ecom", "ecom_template"]

MARKUP_EVENT = "[@click=app.quit]x[/]"
ESCAPE_EVENT = "clear\x1b[2J"

# Weekly product views in March 2024: the last week's point has over a hundred users, so every step has Other.
VIEWS_WEEKLY = {
    "type": "segmentation",
    "events": [{"event": "product_view"}],
    "measure": "uniques",
    "interval": "week",
    "range": {"from": "2024-03-04", "to": "2024-03-31"},
}

# The catalog opened in March 2024: the monthly point spans 31 days, more than the 30 days paths read by default.
CATALOG_MONTHLY = {
    "type": "segmentation",
    "events": [{"event": "catalog"}],
    "measure": "uniques",
    "interval": "month",
    "range": {"from": "2024-03-01", "to": "2024-03-31"},
}


def expected_nodes(app, point, **options) -> pd.DataFrame:
    return point_paths(app.project.cursor(), point, app.settings, **options)


def tree_rows(screen: PathsScreen) -> list[tuple]:
    """Return each tree node as (path, users, label text), parents before children."""
    return [(node.data.path, node.data.users, node.label.plain) for node in screen.query_one(PathsTree).nodes()]


def frame_rows(nodes: pd.DataFrame) -> list[tuple]:
    return [(row.path, row.users) for row in nodes.itertuples()]


async def test_paths_tree_equals_report(ecom):
    async with running(with_chart(ecom, VIEWS_WEEKLY, "Weekly views")) as (app, pilot):
        point = current_point(app)
        screen = await run_menu_action(app, pilot, "p", PathsScreen)
        expected = expected_nodes(app, point)

        rows = tree_rows(screen)
        assert [(path, users) for path, users, _ in rows] == frame_rows(expected)
        assert len(rows) > 10
        for (path, users, label), row in zip(rows, expected.itertuples()):
            assert label.startswith(row.label)
            assert f"{row.share_of_parent:.1%}" in label
            if row.kind != "other":
                assert f"{users} user" in label

        users = int(app.points.point().value)
        assert users > 100
        assert expected.loc[expected["depth"] == 0, "users"].sum() == users
        assert f"point = {users}, list = {users}" in screen.query_one("#point-header").plain()
        assert "Other (" in " ".join(label for _, _, label in rows)
        assert any(label.startswith("End") for _, _, label in rows)
        assert error_messages(app) == []


async def test_paths_keys_change_report(ecom):
    async with running(with_chart(ecom, VIEWS_BY_PLATFORM)) as (app, pilot):
        point = current_point(app)
        screen = await run_menu_action(app, pilot, "p", PathsScreen)

        await press(app, pilot, "minus", "minus")
        assert screen.depth == 3
        assert frame_rows(expected_nodes(app, point, depth=3)) == [row[:2] for row in tree_rows(screen)]
        assert max(node.data.depth for node in screen.query_one(PathsTree).nodes()) <= 3

        await press(app, pilot, "left_square_bracket", "left_square_bracket")
        assert screen.top == 3
        await press(app, pilot, "r")
        assert screen.keep_repeats
        expected = expected_nodes(app, point, depth=3, top=3, keep_repeats=True)
        assert frame_rows(expected) == [row[:2] for row in tree_rows(screen)]
        settings_line = screen.query_one("#paths-settings").content.plain
        assert settings_line.startswith("Depth 3 (+ -) · top 3 ([ ]) · repeats kept (r)")

        await press(app, pilot, "escape")
        assert isinstance(app.screen, MicroscopeMenu)


async def test_paths_range_limit_raised_with_key(ecom):
    async with running(with_chart(ecom, CATALOG_MONTHLY, "Catalog in March")) as (app, pilot):
        point = current_point(app)
        screen = await run_menu_action(app, pilot, "p", PathsScreen)

        status = screen.query_one("#paths-status").content.plain
        assert "This report would read 31 days of events, more than the project's limit of 30 days" in status
        settings_line = screen.query_one("#paths-settings").content.plain
        assert settings_line.endswith(" · limit 30 days (L)")
        assert screen.check_action("raise_limit", ()) is True
        assert "The point covers 31 days, [2024-03-01 00:00, 2024-04-01 00:00) UTC." in status
        assert status.endswith("\nPress L to allow 31 days for this report.")
        # The app's key raises the limit, so the command line's option is not named.
        assert "--max-days" not in status
        assert screen.query_one(PathsTree).nodes() == []
        # The notification may be all that a user reads, so it names the key too.
        [notice] = error_messages(app)
        assert notice.startswith("This report would read 31 days of events")
        assert notice.endswith("[2024-03-01 00:00, 2024-04-01 00:00) UTC. Press L to allow 31 days.")

        await press(app, pilot, "L")
        assert screen.max_days == 31
        assert frame_rows(expected_nodes(app, point, max_days=31)) == [row[:2] for row in tree_rows(screen)]
        settings_line = screen.query_one("#paths-settings").content.plain
        assert settings_line.endswith(" · limit raised to 31 days")
        # Now the range is within the limit, so L is greyed out and changes nothing.
        assert screen.check_action("raise_limit", ()) is None
        await press(app, pilot, "L")
        assert screen.max_days == 31
        assert messages(app, "warning") == [
            "This point's range of 31 days is within the limit of 31 days set with L, so L has no limit to raise."
        ]
        assert app.is_running


async def test_paths_limit_key_within_limit(ecom):
    async with running(with_chart(ecom, VIEWS_BY_PLATFORM)) as (app, pilot):
        screen = await run_menu_action(app, pilot, "p", PathsScreen)
        settings_line = screen.query_one("#paths-settings").content.plain
        # A day's point is within the limit, so L is not offered.
        assert settings_line.endswith(" · limit 30 days")
        assert "(L" not in settings_line
        assert screen.check_action("raise_limit", ()) is None
        nodes = tree_rows(screen)

        await press(app, pilot, "L")
        # L never lowers the limit to the point's range: the report stays as it was.
        assert screen.max_days is None
        assert screen.query_one("#paths-settings").content.plain == settings_line
        assert tree_rows(screen) == nodes
        assert messages(app, "warning") == [
            "This point's range of 1 day is within the project's limit of 30 days, so L has no limit to raise."
        ]
        assert error_messages(app) == []


async def test_paths_escape_interrupts_report(ecom):
    async with running(with_chart(ecom, VIEWS_BY_PLATFORM)) as (app, pilot):
        await app.push_screen(PathsScreen(app.project, endless_set(), app.settings))
        await pilot.pause()
        screen = app.screen
        assert screen.report.running

        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        assert not screen.report.running
        assert screen.report.cancelled
        assert error_messages(app) == []
        assert app.is_running


async def test_paths_hostile_names_literal(tmp_path):
    events = []
    for user in range(3):
        for minute, event in enumerate(["Start", MARKUP_EVENT, ESCAPE_EVENT]):
            events.append({
                "event_type": event, "event_time": f"2024-03-03T10:0{minute}:00Z",
                "user_id": f"u{user}", "session_id": f"s{user}",
            })
    build_project(tmp_path, events).close()
    chart = {"type": "segmentation", "events": [{"event": "Start"}], "measure": "uniques",
             "interval": "day", "range": {"from": "2024-03-01", "to": "2024-03-03"}}
    async with running(with_chart(tmp_path / "p.duckdb", chart)) as (app, pilot):
        screen = await run_menu_action(app, pilot, "p", PathsScreen)

        labels = [label for _, _, label in tree_rows(screen)]
        assert labels[0].startswith("Start  3 users")
        assert labels[1].startswith(f"{MARKUP_EVENT}  3 users")
        assert labels[2].startswith("clear\\x1b[2J  3 users")
        assert all("\x1b" not in label for label in labels)

        tree = screen.query_one(PathsTree)
        for line in range(1, 5):
            await pilot.click(tree, offset=(8, line))
        await settle(app, pilot)
        assert app.is_running
        assert isinstance(app.screen, PathsScreen)


async def test_paths_failed_query_keeps_app(ecom):
    async with running(with_chart(ecom, VIEWS_BY_PLATFORM)) as (app, pilot):
        broken = ActorSet("a set whose query fails", ("SELECT * FROM no_such_table", []),
                          ("SELECT 1 AS actor_id", []), datetime(2024, 3, 1, tzinfo=timezone.utc),
                          datetime(2024, 3, 2, tzinfo=timezone.utc))
        await app.push_screen(PathsScreen(app.project, broken, app.settings))
        await settle(app, pilot)

        assert "no_such_table" in app.screen.query_one("#paths-status").content.plain
        assert any("no_such_table" in message for message in error_messages(app))
        assert app.is_running
        await press(app, pilot, "escape")
        assert isinstance(app.screen, HomeScreen)


async def test_paths_fit_80_by_24(ecom):
    async with running(with_chart(ecom, VIEWS_BY_PLATFORM), size=(80, 24)) as (app, pilot):
        screen = await run_menu_action(app, pilot, "p", PathsScreen)
        tree = screen.query_one(PathsTree)
        assert tree.region.height >= 10
        assert screen.query_one("#paths-settings").region.height == 1


def closed_steps(tree: PathsTree) -> list[str]:
    """Return the paths of the steps that have children but are closed."""
    return [node.data.path for node in tree.nodes() if node.allow_expand and not node.is_expanded]


async def test_paths_e_opens_all_below(ecom):
    async with running(with_chart(ecom, VIEWS_WEEKLY, "Weekly views")) as (app, pilot):
        screen = await run_menu_action(app, pilot, "p", PathsScreen)
        tree = screen.query_one(PathsTree)
        assert tree.cursor_node is tree.root
        # Steps from depth 2 arrive closed.
        assert {path.count(" > ") for path in closed_steps(tree)} == {2, 3, 4}

        await press(app, pilot, "e")
        assert closed_steps(tree) == []

        # e opens only: pressed again, it closes nothing.
        await press(app, pilot, "e")
        assert closed_steps(tree) == []

        # On a step, shift+space (like e) opens that step and every step below it, and no other step.
        await press(app, pilot, "j", "j")
        step = tree.cursor_node
        sibling = step.next_sibling
        assert step.data.depth == 1
        assert sibling.allow_expand
        step.collapse_all()
        sibling.collapse_all()
        await press(app, pilot, "shift+space")
        assert step.data.path not in closed_steps(tree)
        assert not any(path.startswith(step.data.path + " > ") for path in closed_steps(tree))
        assert sibling.data.path in closed_steps(tree)

        # Space closes the highlighted step only.
        await press(app, pilot, "space")
        assert not step.is_expanded
        assert tree.root.is_expanded


async def test_paths_keys_named_alike(ecom):
    async with running(with_chart(ecom, VIEWS_WEEKLY, "Weekly views")) as (app, pilot):
        screen = await run_menu_action(app, pilot, "p", PathsScreen)

        keys = {key.description: key for key in screen.query(FooterKey)}
        assert keys["Open or close"].key == "space"
        assert keys["Open all below"].key == "e"
        status = screen.query_one("#paths-status").content.plain
        assert status.endswith(" users · Space open or close · e open all below")
