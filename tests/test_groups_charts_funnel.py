"""Funnels counted by a group type, against conversions worked out by hand.

A group's step events are the events of any member that name it, so a group
converts when one member does step 1 and another member step 2.
"""

from __future__ import annotations

import pytest

from builders import build_project
from funnel_helpers import chart, run
from groups_charts_helpers import event_rows, group_names, member_names
from groups_data import event
from tui.analytics.cohorts import create_cohort_from_point
from tui.analytics.definition import parse_chart
from tui.analytics.funnel import funnel_over_time, funnel_step_actors_sql
from tui.analytics.groups import point_group_count
from tui.analytics.point import Point

ACCOUNT_EVENTS = [
    # Acme: alice signs up, bob, another member, buys.
    event("Signup", "2024-03-01T10:00:00Z", "alice", company="Acme"),
    event("Purchase", "2024-03-01T11:00:00Z", "bob", company="Acme"),
    # One signup of two companies: Globex buys, Initech does not.
    event("Signup", "2024-03-01T10:00:00Z", "carol", company=["Globex", "Initech"]),
    event("Purchase", "2024-03-01T10:30:00Z", "dan", company="Globex"),
    # Hooli buys more than a day after its signup.
    event("Signup", "2024-03-01T09:00:00Z", "erin", company="Hooli"),
    event("Purchase", "2024-03-02T10:00:00Z", "frank", company="Hooli"),
    # A purchase that names no company converts nothing counted by company.
    event("Purchase", "2024-03-01T12:00:00Z", "carol"),
]


def by_company(steps=("Signup", "Purchase"), **changes) -> dict:
    return chart(list(steps), count_by="group:company", **changes)


@pytest.fixture
def project(tmp_path):
    project = build_project(tmp_path, ACCOUNT_EVENTS)
    yield project
    project.close()


def test_two_members_convert_one_account(project):
    frame = run(project, by_company())

    # Acme, Globex, Initech and Hooli signed up; Acme and Globex bought within the day.
    assert frame["converted"].tolist() == [4, 2]
    assert frame["dropped"].tolist() == [0, 2]
    # Counted by users, only carol bought after her own signup: bob, dan and frank never signed up.
    assert run(project, chart(["Signup", "Purchase"]))["converted"].tolist() == [3, 1]


def test_converted_groups_and_members(project):
    point = Point(parse_chart(by_company()), step=2)

    assert group_names(project, point) == ["Acme", "Globex"]
    assert point_group_count(project.cursor(), point, project) == 2
    assert member_names(project, point, "Acme") == ["alice", "bob"]
    assert event_rows(project, point) == [
        ("Purchase", "2024-03-01T10:30:00", "dan", "Globex"),
        ("Purchase", "2024-03-01T11:00:00", "bob", "Acme"),
        ("Signup", "2024-03-01T10:00:00", "alice", "Acme"),
        ("Signup", "2024-03-01T10:00:00", "carol", "Globex"),
    ]


def test_dropped_groups_and_events(project):
    point = Point(parse_chart(by_company()), step=2, dropped=True)

    assert group_names(project, point) == ["Hooli", "Initech"]
    # carol's signup names Globex too, but only Initech dropped off with it.
    assert event_rows(project, point) == [
        ("Signup", "2024-03-01T09:00:00", "erin", "Hooli"),
        ("Signup", "2024-03-01T10:00:00", "carol", "Initech"),
    ]
    assert member_names(project, point, "Initech") == ["carol"]


def test_step_list_names_groups(project):
    sql, params = funnel_step_actors_sql(parse_chart(by_company()), project, 2, False)
    rows = project.con.execute(
        f"SELECT groups.group_name FROM ({sql}) AS part JOIN groups USING (group_id) ORDER BY 1", params
    ).fetchall()

    assert [name for (name,) in rows] == ["Acme", "Globex"]


def test_one_event_fills_one_step(tmp_path):
    project = build_project(tmp_path, [
        event("Open", "2024-03-01T10:00:00Z", "alice", company="Acme"),
        event("Open", "2024-03-01T10:00:00Z", "bob", company=["Acme", "Globex"]),
    ])
    obj = by_company(["Open", "Open"])

    # Acme has two Open events (alice's and bob's); Globex has one, which cannot be both steps.
    assert run(project, obj)["converted"].tolist() == [2, 1]
    assert group_names(project, Point(parse_chart(obj), step=2)) == ["Acme"]


def test_exact_order_counts_group_events(tmp_path):
    project = build_project(tmp_path, [
        event("Signup", "2024-03-01T10:00:00Z", "alice", company="Acme"),
        # A member's other event naming Acme comes between the steps.
        event("View", "2024-03-01T10:30:00Z", "bob", company="Acme"),
        event("Purchase", "2024-03-01T11:00:00Z", "bob", company="Acme"),
        event("Signup", "2024-03-01T10:00:00Z", "carol", company="Globex"),
        # An event naming no company is not one of Globex's events.
        event("View", "2024-03-01T10:30:00Z", "dan"),
        event("Purchase", "2024-03-01T11:00:00Z", "dan", company="Globex"),
    ])
    obj = by_company(order="exact")

    assert run(project, obj)["converted"].tolist() == [2, 1]
    assert group_names(project, Point(parse_chart(obj), step=2)) == ["Globex"]
    assert run(project, by_company())["converted"].tolist() == [2, 2]


def test_exact_order_positions_per_group(tmp_path):
    project = build_project(tmp_path, [
        event("Signup", "2024-03-01T10:00:00Z", "alice", company=["Acme", "Globex"]),
        # Only Acme's events have one between the steps.
        event("View", "2024-03-01T10:30:00Z", "bob", company="Acme"),
        event("Purchase", "2024-03-01T11:00:00Z", "bob", company=["Acme", "Globex"]),
    ])
    obj = by_company(order="exact")

    assert run(project, obj)["converted"].tolist() == [2, 1]
    assert group_names(project, Point(parse_chart(obj), step=2)) == ["Globex"]
    assert group_names(project, Point(parse_chart(obj), step=2, dropped=True)) == ["Acme"]


def test_any_order_across_members(tmp_path):
    project = build_project(tmp_path, [
        event("Purchase", "2024-03-01T09:00:00Z", "bob", company="Acme"),
        event("Signup", "2024-03-01T10:00:00Z", "alice", company="Acme"),
    ])

    assert run(project, by_company(order="any"))["converted"].tolist() == [1, 1]
    assert run(project, by_company())["converted"].tolist() == [1, 0]
    point = Point(parse_chart(by_company(order="any")), step=2)
    assert member_names(project, point, "Acme") == ["alice", "bob"]


def test_exclusion_by_other_member(tmp_path):
    project = build_project(tmp_path, [
        event("Signup", "2024-03-01T10:00:00Z", "alice", company="Acme"),
        event("Cancel", "2024-03-01T10:10:00Z", "carol", company="Acme"),
        event("Purchase", "2024-03-01T11:00:00Z", "bob", company="Acme"),
        event("Signup", "2024-03-01T10:00:00Z", "dan", company="Globex"),
        # This cancel names no company, so it excludes nothing counted by company.
        event("Cancel", "2024-03-01T10:10:00Z", "dan"),
        event("Purchase", "2024-03-01T11:00:00Z", "dan", company="Globex"),
    ])
    obj = by_company(exclude=[{"event": "Cancel", "between": [1, 2]}])

    assert run(project, obj)["converted"].tolist() == [2, 1]
    assert group_names(project, Point(parse_chart(obj), step=2, dropped=True)) == ["Acme"]


def test_over_time_counts_groups(project):
    frame = funnel_over_time(project.cursor(), parse_chart(by_company(last="2024-03-02")), project)

    day_one = frame[frame["bucket_start"].dt.day == 1]
    assert day_one["converted"].tolist() == [4, 2]
    assert frame[frame["bucket_start"].dt.day == 2]["converted"].tolist() == [0, 0]


@pytest.mark.parametrize("order", ["this", "exact", "any"])
def test_group_cohort_filters_funnel(project, order):
    point = Point(parse_chart(by_company()), step=2)
    create_cohort_from_point(project, "Buyers", None, point)

    # The cohort contains Acme and Globex. carol's signup also names Initech, which the cohort leaves out.
    assert run(project, by_company(cohort="Buyers", order=order))["converted"].tolist() == [2, 2]
