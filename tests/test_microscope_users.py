"""User lists of a point (paging, sorting, search) and user profiles (properties, cohorts, activity)."""

from __future__ import annotations

import pandas as pd
import pytest

from builders import build_project
from microscope_data import chart_json, day_point, minutes_after
from tui.analytics.microscope import (
    MicroscopeError,
    activity,
    find_actor,
    point_users,
    point_users_count,
    user_profile,
    user_property_names,
)
from tui.store.cohorts import save_cohort

POINT = day_point(chart_json("Buy"), 2)  # 2024-03-03


def buys(user: str, count: int, **extra) -> list[dict]:
    return [
        {"event_type": "Buy", "event_time": minutes_after("2024-03-03T09:00", minute), "user_id": user, **extra}
        for minute in range(count)
    ]


@pytest.fixture
def project(tmp_path):
    events = []
    # u00 to u11 with 1, 2, 3, 1, 2, 3... Buy events in the bucket.
    for number in range(12):
        events += buys(f"u{number:02d}", number % 3 + 1, user_properties={"rank": number})
    events += [{"event_type": "Buy", "event_time": "2024-03-03T12:00:00+00:00", "device_id": "Device-%_Zed"}]
    events += [{"event_type": "View", "event_time": "2024-03-03T12:00:00+00:00", "user_id": "viewer"}]
    with build_project(tmp_path, events) as project:
        yield project


def test_users_match_point(project):
    users = point_users(project.cursor(), POINT, project, limit=None)

    assert list(users.columns) == ["actor_id", "user_id", "first_seen", "last_seen", "events_in_point"]
    assert len(users) == 13
    assert "viewer" not in users["user_id"].tolist()
    assert users.set_index("user_id").loc["u05", "events_in_point"] == 3
    assert point_users_count(project.cursor(), POINT, project) == 13


def test_users_device_only_shows_device(project):
    users = point_users(project.cursor(), POINT, project, limit=None).set_index("user_id")

    assert users.loc["Device-%_Zed", "events_in_point"] == 1
    assert users.loc["Device-%_Zed", "first_seen"] == pd.Timestamp("2024-03-03T12:00:00Z")


def test_users_pages_do_not_overlap(project):
    cursor = project.cursor()
    everyone = point_users(cursor, POINT, project, limit=None)

    pages = [point_users(cursor, POINT, project, offset=offset, limit=5) for offset in (0, 5, 10)]

    assert [len(page) for page in pages] == [5, 5, 3]
    assert pd.concat(pages)["actor_id"].tolist() == everyone["actor_id"].tolist()
    counts = everyone["events_in_point"].tolist()
    assert counts == sorted(counts, reverse=True)
    # Ties keep actor id order, so paging is stable.
    threes = everyone[everyone["events_in_point"] == 3]["actor_id"].tolist()
    assert threes == sorted(threes)


def test_users_sort_by_user_id(project):
    cursor = project.cursor()

    ascending = point_users(cursor, POINT, project, sort="user_id", descending=False, limit=3)
    descending = point_users(cursor, POINT, project, sort="user_id", descending=True, limit=2)

    assert ascending["user_id"].tolist() == ["Device-%_Zed", "u00", "u01"]
    assert descending["user_id"].tolist() == ["u11", "u10"]


def test_users_sort_rejects_other_columns(project):
    with pytest.raises(MicroscopeError, match="sort: 'user_id; DROP TABLE events'"):
        point_users(project.cursor(), POINT, project, sort="user_id; DROP TABLE events")


def test_users_search_ignores_case(project):
    cursor = project.cursor()

    found = point_users(cursor, POINT, project, search="U1", sort="user_id", descending=False)

    assert found["user_id"].tolist() == ["u10", "u11"]
    assert point_users_count(cursor, POINT, project, search="U1") == 2


def test_users_search_matches_device_literally(project):
    cursor = project.cursor()

    assert point_users(cursor, POINT, project, search="e-%_z")["user_id"].tolist() == ["Device-%_Zed"]
    # % and _ are not wildcards: "u%1" matches no id.
    assert point_users_count(cursor, POINT, project, search="u%1") == 0


def test_users_property_columns(project):
    cursor = project.cursor()
    names = user_property_names(cursor, POINT, project)

    users = point_users(cursor, POINT, project, sort="user_id", descending=False, limit=2, property_names=names)

    assert names == ["rank"]
    assert pd.isna(users["rank"].iloc[0])  # the device-only actor sent no user properties
    assert users["rank"].iloc[1] == "0"


def test_users_property_columns_by_events(project):
    cursor = project.cursor()

    users = point_users(cursor, POINT, project, limit=None, property_names=["rank"]).set_index("user_id")

    assert users.loc["u05", "rank"] == "5"
    assert users.loc["u05", "events_in_point"] == 3
    assert pd.isna(users.loc["Device-%_Zed", "rank"])


def test_users_sort_by_actor_id_pages(project):
    cursor = project.cursor()
    everyone = point_users(cursor, POINT, project, sort="actor_id", descending=True, limit=None)

    pages = [point_users(cursor, POINT, project, sort="actor_id", descending=True, offset=offset, limit=6)
             for offset in (0, 6, 12)]

    ids = everyone["actor_id"].tolist()
    assert ids == sorted(ids, reverse=True)
    assert pd.concat(pages)["actor_id"].tolist() == ids
    assert everyone.set_index("user_id").loc["u04", "first_seen"] == pd.Timestamp("2024-03-03T09:00:00Z")


def identified_events() -> list[dict]:
    """Alice browses anonymously on d1, signs in, then changes plan; two sessions."""
    return [
        {"event_type": "View", "event_time": "2024-03-02T08:00:00+00:00", "device_id": "d1", "session_id": "a",
         "user_properties": {"plan": "free", "city": "Oslo"}},
        {"event_type": "Buy", "event_time": "2024-03-02T08:05:00+00:00", "device_id": "d1", "user_id": "alice",
         "session_id": "a", "user_properties": {"plan": "free"}},
        {"event_type": "View", "event_time": "2024-03-03T08:00:00+00:00", "user_id": "alice", "session_id": "b",
         "user_properties": {"plan": "pro"}},
        {"event_type": "Buy", "event_time": "2024-03-03T08:01:00+00:00", "user_id": "alice", "session_id": "b"},
        {"event_type": "Buy", "event_time": "2024-03-03T08:02:00+00:00", "user_id": "bob", "session_id": "c"},
    ]


def test_profile_latest_properties(tmp_path):
    with build_project(tmp_path, identified_events()) as project:
        cursor = project.cursor()
        profile = user_profile(cursor, find_actor(cursor, "alice"))

    assert profile.user_id == "alice"
    assert profile.display_id == "alice"
    assert profile.device_ids == ("d1",)
    assert profile.properties == (("city", "Oslo"), ("plan", "pro"))
    assert profile.event_count == 4
    assert profile.first_seen == pd.Timestamp("2024-03-02T08:00:00Z")
    assert profile.last_seen == pd.Timestamp("2024-03-03T08:01:00Z")


def test_profile_lists_user_cohorts_only(tmp_path):
    with build_project(tmp_path, identified_events()) as project:
        cursor = project.cursor()
        alice = find_actor(cursor, "alice")
        member = (f"SELECT CAST({alice} AS BIGINT) AS actor_id", [])
        save_cohort(project, "Buyers", member, None)
        save_cohort(project, "Also buyers", member, None)
        # A group cohort's member ids are group ids; one equal to Alice's actor id is not her cohort.
        save_cohort(project, "Accounts", member, None, member_kind="groups")
        profile = user_profile(cursor, alice)

    assert profile.cohorts == ("Also buyers", "Buyers")


def test_profile_unknown_actor(tmp_path):
    with build_project(tmp_path, identified_events()) as project:
        with pytest.raises(MicroscopeError, match="no user with actor id 999"):
            user_profile(project.cursor(), 999)


def test_find_actor_by_user_or_device(tmp_path):
    with build_project(tmp_path, identified_events()) as project:
        cursor = project.cursor()

        assert find_actor(cursor, "d1") == find_actor(cursor, "alice")
        assert find_actor(cursor, "bob") != find_actor(cursor, "alice")
        assert find_actor(cursor, "nobody") is None


def test_activity_groups_sessions(tmp_path):
    with build_project(tmp_path, identified_events()) as project:
        cursor = project.cursor()
        alice = find_actor(cursor, "alice")
        newest = activity(cursor, alice)
        oldest_page = activity(cursor, alice, offset=1, limit=2, newest_first=False)

    assert newest["event_type"].tolist() == ["Buy", "View", "Buy", "View"]
    assert newest["session_number"].tolist() == [2, 2, 1, 1]
    assert newest["session_start"].tolist() == [False, True, False, True]
    assert newest["session_id"].tolist() == ["b", "b", "a", "a"]
    assert oldest_page["event_time"].tolist() == [
        pd.Timestamp("2024-03-02T08:05:00Z"), pd.Timestamp("2024-03-03T08:00:00Z")
    ]
