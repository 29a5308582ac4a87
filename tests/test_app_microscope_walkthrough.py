"""One microscope walk-through in one running app on the e-commerce project, every step checked against the CSV.

On the monthly catalog chart: May's point, its users, a profile, the
streams, a cohort of May's users that then filters the chart, an annotation
(added as admin, rejected as viewer) and the users CSV read back.
"""

from __future__ import annotations

import csv
from collections import Counter
from datetime import datetime, timezone

import duckdb
from textual.widgets import Button

from ecom_app import csv_users, line_values, messages
from microscope_app import (
    ECOM_CSV,
    JUNE,
    MAY,
    catalog_users,
    ecom,
    ecom_template,
    error_messages,
    facts_of,
    first_seen,
    press,
    readout,
    running,
    scroll_through,
    table_rows,
)
from tui.analytics.export import NOTICE
from tui.app.builder_screen import BuilderScreen
from tui.app.choice_screen import ChoiceScreen
from tui.app.home_screen import HomeScreen
from tui.app.microscope.annotation_dialog import AnnotationDialog
from tui.app.microscope.cohort_dialog import CohortDialog
from tui.app.microscope.download_dialog import DownloadDialog
from tui.app.microscope.menu import MicroscopeMenu
from tui.app.microscope.profile_screen import ProfileScreen
from tui.app.microscope.selection import current_point
from tui.app.microscope.streams_screen import StreamsScreen
from tui.app.microscope.users_screen import UsersScreen
from tui.store.annotations import list_annotations
from tui.store.cohorts import load_cohort

__all__ = ["ecom", "ecom_template"]

COHORT = "May catalog users"
MONTHS = [(f"2024-{month:02}-01", f"2024-{month + 1:02}-01") for month in range(1, 7)]
VIEWER_REASON = (
    "Add annotation: needs manager or admin; v is viewer. "
    "An admin can change that with loupe settings --member v=ROLE."
)


def catalog_times(user_id: str, month: tuple[str, str]) -> list[str]:
    """Return the times of the user's catalog events in ``month`` from the CSV, as ``YYYY-MM-DD HH:MM:SS``, sorted."""
    rows = duckdb.connect().execute(
        "SELECT strftime(timestamp, '%Y-%m-%d %H:%M:%S') FROM read_csv(?) WHERE user_id = ? AND event = 'catalog' "
        "AND timestamp >= CAST(? AS TIMESTAMP) AND timestamp < CAST(? AS TIMESTAMP) ORDER BY 1",
        [str(ECOM_CSV), user_id, month[0], month[1]],
    ).fetchall()
    return [time for (time,) in rows]


def first_seen_times() -> dict[str, datetime]:
    """Return each user's first event time in the CSV, in UTC, read in one pass."""
    rows = duckdb.connect().execute(
        "SELECT user_id, min(timestamp) FROM read_csv(?) GROUP BY user_id", [str(ECOM_CSV)]
    ).fetchall()
    return {user: time.replace(tzinfo=timezone.utc) for user, time in rows}


def read_csv(path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


async def check_users_and_profile(app, pilot, may_users: dict[str, int]) -> None:
    """Open View users on May's point, check the list against the CSV, open the second user's profile and go back."""
    await press(app, pilot, "u")
    users = app.screen
    assert isinstance(users, UsersScreen)
    assert users.table.row_count == users.total == len(may_users)
    assert f"point = {len(may_users)}, list = {len(may_users)}" in users.query_one("#point-header").plain()
    await scroll_through(app, pilot, users.table)
    assert {row.plain()[0]: int(row.plain()[3]) for row in table_rows(users.table)} == may_users

    await press(app, pilot, "g", "down")
    user_id = users.table.cursor_value.plain()[0]
    await press(app, pilot, "enter")
    profile = app.screen
    assert isinstance(profile, ProfileScreen)
    facts = facts_of(profile)
    assert facts["User id"] == user_id
    assert facts["First seen"] == f"{first_seen(user_id)} UTC"

    await press(app, pilot, "escape")
    assert app.screen is users
    await press(app, pilot, "escape")
    assert isinstance(app.screen, MicroscopeMenu)


async def check_streams(app, pilot) -> None:
    """Open View user streams and check that the first user's marked events are their catalog events in May."""
    await press(app, pilot, "s")
    streams = app.screen
    assert isinstance(streams, StreamsScreen)
    user_id = streams.table.cursor_value.key.display_id
    rows = streams.table.loaded_rows()
    end = streams.user_starts[1] if len(streams.user_starts) > 1 else len(rows)
    events = [row for row in rows[:end] if not row.rule]

    marked = sorted(row.plain()[0] for row in events if row.marked)
    assert marked == catalog_times(user_id, MAY)
    assert all(row.plain()[1] == "catalog" for row in events if row.marked)
    assert any(not row.marked for row in events)
    assert f"{len(marked)} counted events" in rows[0].plain()[0]
    await press(app, pilot, "escape")
    assert isinstance(app.screen, MicroscopeMenu)


async def filter_chart_by_cohort(app, pilot, may_users: set[str]) -> None:
    """Save May's users as a cohort from the menu, then choose it as the chart's cohort in the builder."""
    await press(app, pilot, "c")
    dialog = app.screen
    assert isinstance(dialog, CohortDialog)
    assert dialog.query_one("#form-note").content.plain.startswith(f"{len(may_users)} users will be saved")
    await press(app, pilot, *COHORT, "tab", *"from the walk-through", "enter")
    assert isinstance(app.screen, MicroscopeMenu)
    assert f"Saved cohort '{COHORT}' with {len(may_users)} users." in messages(app)
    assert load_cohort(app.project, COHORT).size == len(may_users)

    await press(app, pilot, "escape", "b")
    builder = app.screen
    assert isinstance(builder, BuilderScreen)
    builder.query_one("#cohort", Button).focus()
    await press(app, pilot, "enter")
    assert isinstance(app.screen, ChoiceScreen)
    await press(app, pilot, "down", "enter")
    assert builder.draft["cohort"] == COHORT
    await press(app, pilot, "ctrl+r")
    assert isinstance(app.screen, HomeScreen)
    assert app.definition.cohort == COHORT


async def check_annotation_roles(app, pilot) -> None:
    """Add an annotation on June's point as the admin, then act as a viewer and find the action rejected."""
    assert app.project.role_of(app.project.current_member()) == "admin"
    await press(app, pilot, "enter", "a")
    dialog = app.screen
    assert isinstance(dialog, AnnotationDialog)
    assert dialog.query_one("#annotation-day").value == "2024-06-01"
    await press(app, pilot, *"Catalog redesign", "enter")
    assert isinstance(app.screen, MicroscopeMenu)
    assert "Added annotation 'Catalog redesign' on 2024-06-01." in messages(app)
    (annotation,) = list_annotations(app.project)
    assert (annotation.label, str(annotation.day)) == ("Catalog redesign", "2024-06-01")

    # The role is set through the project's member settings, as `loupe settings --member` does.
    await press(app, pilot, "escape")
    app.project.set_member("v", "viewer")
    app.project.set_setting("current_member", "v")
    await press(app, pilot, "enter")
    menu = app.screen
    assert isinstance(menu, MicroscopeMenu)
    assert menu.reasons["annotation"] == VIEWER_REASON
    await press(app, pilot, "a")
    assert app.screen is menu
    assert len(list_annotations(app.project)) == 1


async def test_walkthrough_one_app(ecom, tmp_path):
    may_users = catalog_users(MAY)
    june_users = catalog_users(JUNE)
    returning = set(may_users) & set(june_users)
    assert 0 < len(returning) < len(june_users)

    async with running(ecom) as (app, pilot):
        # The cursor starts on June, the last month, so one step left is May.
        await press(app, pilot, "h")
        assert current_point(app).bucket == 4
        assert app.points.point().value == len(may_users) == 437
        assert readout(app).endswith(f"· {len(may_users)} users")

        await press(app, pilot, "enter")
        assert isinstance(app.screen, MicroscopeMenu)
        await check_users_and_profile(app, pilot, may_users)
        await check_streams(app, pilot)
        await filter_chart_by_cohort(app, pilot, set(may_users))

        # Each month now counts only the cohort's members who opened the catalog that month.
        expected = tuple(float(len(csv_users("catalog", *month) & set(may_users))) for month in MONTHS)
        assert line_values(app) == {(0, None): expected}
        assert expected[4] == len(may_users)
        await press(app, pilot, "G")
        assert current_point(app).bucket == 5
        assert readout(app).endswith(f"· {len(returning)} users")

        await check_annotation_roles(app, pilot)

        # Still in the menu of June's point of the filtered chart, now as the viewer.
        await press(app, pilot, "d")
        dialog = app.screen
        assert isinstance(dialog, DownloadDialog)
        note = dialog.query_one("#form-note").content.plain
        assert note == f"{NOTICE}\n{len(returning)} users will be written (export cap 1,000,000)."
        target = tmp_path / "returning.csv"
        dialog.query_one("#download-path").value = str(target)
        await press(app, pilot, "enter")
        assert isinstance(app.screen, MicroscopeMenu)
        assert f"Wrote {len(returning)} users to {target}." in messages(app)

        rows = read_csv(target)
        assert list(rows[0])[:4] == ["user_id", "first_seen", "last_seen", "events_in_point"]
        assert Counter(row["user_id"] for row in rows) == Counter(returning)
        assert {row["user_id"]: int(row["events_in_point"]) for row in rows} == {
            user: june_users[user] for user in returning
        }
        # The CSV writes ISO 8601 times with their UTC offset.
        first_times = first_seen_times()
        for row in rows:
            assert datetime.fromisoformat(row["first_seen"]) == first_times[row["user_id"]], row
        assert error_messages(app) == []
