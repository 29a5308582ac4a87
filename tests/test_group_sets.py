"""Group sets: comparing two points counted by groups, and the groups, users, cohort and CSV of each part.

The project and its hand-counted groups are described in ``group_sets_data``.
"""

from __future__ import annotations

import csv

import pytest

from builders import build_project
from group_sets_data import GROUP_SET_EVENTS, day
from tui.analytics.cohorts import create_cohort_from_point
from tui.analytics.groups import GroupSet, as_group_set, group_users, groups_csv, point_group_count, point_groups
from tui.analytics.microscope.actor_set import ActorSet, MicroscopeError, as_actor_set
from tui.analytics.microscope.compare import compare_actors_sql, compare_part, compare_points, compares_groups
from tui.analytics.microscope.users import point_users
from tui.store.cohorts import cohort_groups, load_cohort


@pytest.fixture
def project(tmp_path):
    project = build_project(tmp_path, GROUP_SET_EVENTS)
    yield project
    project.close()


def group_rows(project, target) -> dict[str, tuple[int, int]]:
    """Return each group of ``target`` as name -> (events in the set, users in the set)."""
    frame = point_groups(project.cursor(), target, project, limit=None)
    return {row.group_name: (row.events_in_point, row.users_in_point) for row in frame.itertuples()}


def user_events(project, actor_set) -> dict[str, int]:
    """Return each user of ``actor_set`` as user id -> events in the set."""
    frame = point_users(project.cursor(), actor_set, project, limit=None)
    return dict(zip(frame["user_id"], frame["events_in_point"]))


def test_compare_counts_groups(project):
    first, second = day(0), day(1)

    assert compares_groups(first, second)
    counts = compare_points(project.cursor(), first, second, project)
    # March 1: Acme, Globex, Initech. March 2: Acme, Hooli, Globex.
    assert counts == {"first": 3, "second": 3, "both": 2, "only_first": 1, "only_second": 1}


def test_compare_parts_are_groups(project):
    first, second = day(0), day(1)
    counts = compare_points(project.cursor(), first, second, project)
    expected = {"both": {"Acme", "Globex"}, "only_first": {"Initech"}, "only_second": {"Hooli"}}

    for part, names in expected.items():
        group_set = compare_part(first, second, project, part)
        assert isinstance(group_set, GroupSet)
        assert group_set.group_type == "company"
        assert group_set.chart_types == ("segmentation", "segmentation")
        assert set(group_rows(project, group_set)) == names
        assert point_group_count(project.cursor(), group_set, project) == counts[part]


def test_both_part_events_and_users(project):
    both = compare_part(day(0), day(1), project, "both")

    # Acme: lines 1 and 2 on March 1, lines 5 and 9 on March 2, by alice, bob and frank. Globex: lines 2 and 7, by bob.
    assert group_rows(project, both) == {"Acme": (4, 3), "Globex": (2, 1)}
    assert (both.start.isoformat(), both.end.isoformat()) == ("2024-03-01T00:00:00+00:00", "2024-03-03T00:00:00+00:00")


def test_only_part_keeps_own_events(project):
    only_first = compare_part(day(0), day(1), project, "only_first")
    only_second = compare_part(day(0), day(1), project, "only_second")

    assert group_rows(project, only_first) == {"Initech": (1, 1)}
    assert group_rows(project, only_second) == {"Hooli": (1, 1)}
    assert only_second.start.isoformat() == "2024-03-02T00:00:00+00:00"


def test_point_compared_with_itself(project):
    counts = compare_points(project.cursor(), day(0), day(0), project)
    both = compare_part(day(0), day(0), project, "both")

    assert counts == {"first": 3, "second": 3, "both": 3, "only_first": 0, "only_second": 0}
    # Each (event, group) row is kept once: line 2 names Acme and Globex, so it counts once for each.
    assert group_rows(project, both) == {"Acme": (2, 2), "Globex": (1, 1), "Initech": (1, 1)}


def test_group_users_of_compared_part(project):
    both = compare_part(day(0), day(1), project, "both")
    acme = project.con.execute("SELECT group_id FROM groups WHERE group_name = 'Acme'").fetchone()[0]

    users = group_users(both, project, acme, "Acme")
    assert user_events(project, users) == {"alice": 2, "bob": 1, "frank": 1}
    assert users.chart_types == ("segmentation", "segmentation")
    assert users.label.endswith(", group Acme")


def test_other_group_type_compares_users(project):
    # Counted by team, March 1 has alice, bob and dan; by company, alice, bob and carol.
    by_company, by_team = day(0), day(0, "group:team")

    assert not compares_groups(by_company, by_team)
    counts = compare_points(project.cursor(), by_company, by_team, project)
    assert counts == {"first": 3, "second": 3, "both": 2, "only_first": 1, "only_second": 1}
    both = compare_part(by_company, by_team, project, "both")
    assert isinstance(both, ActorSet)
    # alice's line 1 is in both points and counts once; bob's line 2 too.
    assert user_events(project, both) == {"alice": 1, "bob": 1}
    assert user_events(project, compare_part(by_company, by_team, project, "only_second")) == {"dan": 1}


def test_users_point_compares_users(project):
    counts = compare_points(project.cursor(), day(0, None), day(1), project)

    # Users of March 1: alice, bob, carol, dan. Users behind March 2's companies: alice, erin, bob, frank.
    assert counts == {"first": 4, "second": 4, "both": 2, "only_first": 2, "only_second": 2}


def test_compare_actors_sql_stays_users(project):
    only_first = compare_actors_sql(day(0), day(1), project, "only_first")

    # carol is only in March 1. dan has no company, so he is not behind March 1's companies.
    assert isinstance(only_first, ActorSet)
    assert user_events(project, only_first) == {"carol": 1}


def test_group_set_with_user_point_rejected(project):
    group_set = as_group_set(day(0), project)

    with pytest.raises(MicroscopeError, match="compares only with groups"):
        compare_points(project.cursor(), group_set, day(1, None), project)


def test_group_set_of_point_matches_point(project):
    group_set = as_group_set(day(0), project)

    assert group_rows(project, group_set) == group_rows(project, day(0))
    assert group_set.chart_types == ("segmentation",)
    assert as_actor_set(day(0), project).chart_types == ("segmentation",)
    with pytest.raises(MicroscopeError, match="count_by"):
        as_group_set(day(0, None), project)


def test_group_set_cohort(project):
    only_first = compare_part(day(0), day(1), project, "only_first")

    cohort = create_cohort_from_point(project, "Only March 1", None, only_first, project)
    assert cohort.size == 1
    assert load_cohort(project, "Only March 1").member_kind == "groups:company"
    assert cohort_groups(project, "Only March 1")["group_name"].tolist() == ["Initech"]
    assert "group_set" in load_cohort(project, "Only March 1").definition


def test_group_set_csv(project, tmp_path):
    only_second = compare_part(day(0), day(1), project, "only_second")
    out = tmp_path / "hooli.csv"

    result = groups_csv(project.cursor(), only_second, project, out)
    assert result.rows == 1
    with open(out, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert [row[1:] for row in rows] == [
        ["group_name", "first_time", "creator_id"],
        # 2024-03-02T09:00:00Z, created by erin.
        ["Hooli", "1709370000", "erin"],
    ]
