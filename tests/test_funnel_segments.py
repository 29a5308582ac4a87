"""Funnels with a group-by: one funnel per segment, against segments and lists worked out by hand.

A conversion is in the segment of the event that filled its step 1, and only
the conversion the ungrouped funnel keeps counts: a retry whose step 1 had
another value never moves an actor to that value's segment.
"""

from __future__ import annotations

import math

import pytest

from builders import build_project
from funnel_helpers import chart, event, run
from tui.analytics.definition import DefinitionError, parse_chart
from tui.analytics.drivers import drivers
from tui.analytics.funnel import funnel_over_time, funnel_step_actors_sql
from tui.analytics.groups import point_group_count
from tui.analytics.microscope import point_users
from tui.analytics.point import Point, point_actor_count

PLAN_EVENTS = [
    # alice's 09:00 free signup never converts. Her 12:00 pro signup does, so pro is her segment.
    event("Signup", "2024-03-01T09:00:00Z", "alice", plan="free"),
    event("Signup", "2024-03-01T12:00:00Z", "alice", plan="pro"),
    event("Purchase", "2024-03-01T12:30:00Z", "alice"),
    # bob converts twice: the earlier conversion, started on the free plan, is the one that counts.
    event("Signup", "2024-03-01T10:00:00Z", "bob", plan="free"),
    event("Purchase", "2024-03-01T10:20:00Z", "bob"),
    event("Signup", "2024-03-01T11:00:00Z", "bob", plan="pro"),
    event("Purchase", "2024-03-01T11:10:00Z", "bob"),
    # carol's signup has no plan.
    event("Signup", "2024-03-01T10:00:00Z", "carol"),
    # dan drops off twice: the earliest start counts, on the pro plan.
    event("Signup", "2024-03-01T08:00:00Z", "dan", plan="pro"),
    event("Signup", "2024-03-01T13:00:00Z", "dan", plan="free"),
    # erin sends her user property tier with the signup only.
    event("Signup", "2024-03-01T14:00:00Z", "erin", plan="free", user_properties={"tier": "gold"}),
    event("Purchase", "2024-03-01T14:05:00Z", "erin", user_properties={"tier": "silver"}),
]


def by_plan(**changes) -> dict:
    return chart(["Signup", "Purchase"], window="1h", **{"group_by": "plan", **changes})


def rows_by_segment(frame) -> dict[str, list[tuple[int, int]]]:
    """Return each segment's ``(converted, dropped)`` per step."""
    found = {}
    for row in frame.itertuples(index=False):
        found.setdefault(row.segment, []).append((row.converted, row.dropped))
    return found


def part_users(project, obj, step, segment, dropped=False) -> list[str]:
    """Return the user ids the microscope lists for one segment's part of one step."""
    point = Point(parse_chart(obj), step=step, dropped=dropped, segment=segment)
    listed = point_users(project.cursor(), point, project, sort="user_id", descending=False, limit=None)
    assert point_actor_count(project.cursor(), point, project) == len(listed)
    return listed["user_id"].tolist()


@pytest.fixture
def plans(tmp_path):
    project = build_project(tmp_path, PLAN_EVENTS)
    yield project
    project.close()


def test_kept_conversion_decides_segment(plans):
    frame = run(plans, by_plan())

    # free and pro both have two actors at step 1, so they are ranked by value; (none) comes last.
    assert list(dict.fromkeys(frame["segment"])) == ["free", "pro", "(none)"]
    assert rows_by_segment(frame) == {
        "free": [(2, 0), (2, 0)],
        "pro": [(2, 0), (1, 1)],
        "(none)": [(1, 0), (0, 1)],
    }
    assert frame.columns.tolist()[:3] == ["segment", "step", "event"]
    assert frame["step"].tolist() == [1, 2] * 3


def test_segment_fractions_and_times(plans):
    frame = run(plans, by_plan()).set_index(["segment", "step"])

    assert frame.loc[("pro", 2), "conversion"] == 0.5
    assert frame.loc[("pro", 2), "overall"] == 0.5
    # bob took 20 minutes and erin 5.
    assert frame.loc[("free", 2), "median_seconds"] == 750.0
    assert frame.loc[("pro", 2), "average_seconds"] == 1800.0
    assert math.isnan(frame.loc[("(none)", 2), "median_seconds"])


def test_segment_parts_list_their_users(plans):
    obj = by_plan()

    assert part_users(plans, obj, 1, "pro") == ["alice", "dan"]
    assert part_users(plans, obj, 2, "free") == ["bob", "erin"]
    assert part_users(plans, obj, 2, "pro") == ["alice"]
    assert part_users(plans, obj, 2, "pro", dropped=True) == ["dan"]
    assert part_users(plans, obj, 2, "(none)", dropped=True) == ["carol"]
    assert part_users(plans, obj, 2, "free", dropped=True) == []


def test_user_property_as_sent_with_step_one(plans):
    frame = run(plans, chart(["Signup", "Purchase"], window="1h", group_by="user.tier"))

    # erin's purchase sent tier silver, but her signup, which starts the conversion, sent gold.
    assert rows_by_segment(frame) == {"gold": [(1, 0), (1, 0)], "(none)": [(4, 0), (2, 2)]}


def test_column_group_by(tmp_path):
    project = build_project(tmp_path, [
        event("Signup", "2024-03-01T09:00:00Z", "alice", platform="iOS"),
        event("Purchase", "2024-03-01T09:10:00Z", "alice", platform="Android"),
        event("Signup", "2024-03-01T09:00:00Z", "bob", platform="Android"),
    ])
    frame = run(project, chart(["Signup", "Purchase"], group_by="platform"))

    assert rows_by_segment(frame) == {"Android": [(1, 0), (0, 1)], "iOS": [(1, 0), (1, 0)]}
    project.close()


def test_segment_required_on_grouped_points(plans):
    definition = parse_chart(by_plan())

    with pytest.raises(DefinitionError, match="segment: this funnel is grouped by 'plan'"):
        funnel_step_actors_sql(definition, plans, 2, False)
    with pytest.raises(DefinitionError, match="segment: 'free' given, but this funnel has no group_by"):
        funnel_step_actors_sql(parse_chart(chart(["Signup", "Purchase"])), plans, 2, False, "free")


def test_segments_key_hides_segments(plans):
    frame = run(plans, by_plan(segments={"drop": ["(none)"]}))

    assert list(dict.fromkeys(frame["segment"])) == ["free", "pro"]
    kept = run(plans, by_plan(segments={"keep": ["pro"]}))
    assert kept["converted"].tolist() == [2, 1]


def test_no_conversion_gives_no_segments(plans):
    frame = run(plans, by_plan(range={"from": "2024-04-01", "to": "2024-04-02"}))

    assert frame.empty
    assert frame.columns.tolist()[0] == "segment"


def test_cohorts_group_by_rejected(plans):
    with pytest.raises(DefinitionError, match="group_by: 'cohorts'"):
        run(plans, by_plan(group_by="cohorts"))


def test_top_ten_and_other(tmp_path):
    rows = []
    # v01 is the only value with two users, so it ranks first; v02..v10 tie and rank by value; v11 is cut.
    for index in range(1, 12):
        rows.append(event("Signup", "2024-03-01T09:00:00Z", f"u{index:02d}", plan=f"v{index:02d}"))
    rows.append(event("Signup", "2024-03-01T09:00:00Z", "u99", plan="v01"))
    rows.append(event("Purchase", "2024-03-01T09:30:00Z", "u11"))
    project = build_project(tmp_path, rows)
    frame = run(project, by_plan())

    segments = list(dict.fromkeys(frame["segment"]))
    assert segments == [f"v{index:02d}" for index in range(1, 11)] + ["(other)"]
    assert rows_by_segment(frame)["(other)"] == [(1, 0), (1, 0)]
    assert rows_by_segment(frame)["v01"] == [(2, 0), (0, 2)]
    assert part_users(project, by_plan(), 2, "(other)") == ["u11"]
    project.close()


def test_over_time_per_segment(tmp_path):
    project = build_project(tmp_path, [
        event("Signup", "2024-03-01T09:00:00Z", "alice", plan="pro"),
        event("Purchase", "2024-03-01T09:10:00Z", "alice"),
        event("Signup", "2024-03-02T09:00:00Z", "bob", plan="pro"),
        event("Signup", "2024-03-02T10:00:00Z", "carol", plan="free"),
        event("Purchase", "2024-03-02T10:10:00Z", "carol"),
    ])
    obj = chart(["Signup", "Purchase"], last="2024-03-02", group_by="plan")
    frame = funnel_over_time(project.cursor(), parse_chart(obj), project)

    assert frame.columns.tolist()[:4] == ["segment", "bucket_start", "bucket_end", "step"]
    # Every bucket of every segment is there, zeros included.
    pro = frame[frame["segment"] == "pro"]
    assert pro["converted"].tolist() == [1, 1, 1, 0]
    free = frame[frame["segment"] == "free"]
    assert free["converted"].tolist() == [0, 0, 1, 1]
    assert [str(start.date()) for start in free["bucket_start"][::2]] == ["2024-03-01", "2024-03-02"]
    project.close()


# Groups -------------------------------------------------------------------------

COMPANY_EVENTS = [
    # Initech's two members: alice signs up and bob buys, so the account converts but neither user does.
    event("Signup", "2024-03-01T09:00:00Z", "alice", plan="pro", groups={"company": "Initech"}),
    event("Purchase", "2024-03-01T09:30:00Z", "bob", groups={"company": "Initech"}),
    # One signup of two companies, then its purchase: carol is in both companies' segments.
    event("Signup", "2024-03-01T10:00:00Z", "carol", plan="free", groups={"company": ["Acme", "Globex"]}),
    event("Purchase", "2024-03-01T10:10:00Z", "carol", groups={"company": ["Acme", "Globex"]}),
    # dan's signup names Acme, and he never buys.
    event("Signup", "2024-03-01T11:00:00Z", "dan", plan="free", groups={"company": "Acme"}),
    # erin's signup names no company.
    event("Signup", "2024-03-01T12:00:00Z", "erin"),
    event("Purchase", "2024-03-01T12:05:00Z", "erin"),
]


@pytest.fixture
def companies(tmp_path):
    project = build_project(tmp_path, COMPANY_EVENTS)
    yield project
    project.close()


def test_users_by_company(companies):
    obj = chart(["Signup", "Purchase"], window="1h", group_by="group:company")
    frame = run(companies, obj)

    assert list(dict.fromkeys(frame["segment"])) == ["Acme", "Globex", "Initech", "(none)"]
    assert rows_by_segment(frame) == {
        "Acme": [(2, 0), (1, 1)],
        "Globex": [(1, 0), (1, 0)],
        # Counted by users, alice signed up for Initech but bob bought.
        "Initech": [(1, 0), (0, 1)],
        "(none)": [(1, 0), (1, 0)],
    }
    assert part_users(companies, obj, 2, "Acme") == ["carol"]
    assert part_users(companies, obj, 2, "Acme", dropped=True) == ["dan"]
    assert part_users(companies, obj, 2, "Globex") == ["carol"]


def test_companies_by_company(companies):
    obj = chart(["Signup", "Purchase"], window="1h", group_by="group:company", count_by="group:company")
    frame = run(companies, obj)

    # Each company is its own segment; Initech converts through two members.
    assert rows_by_segment(frame) == {
        "Acme": [(1, 0), (1, 0)],
        "Globex": [(1, 0), (1, 0)],
        "Initech": [(1, 0), (1, 0)],
    }
    point = Point(parse_chart(obj), step=2, segment="Initech")
    assert point_group_count(companies.cursor(), point, companies) == 1
    assert point_actor_count(companies.cursor(), point, companies) == 2


def test_companies_by_plan(companies):
    obj = chart(["Signup", "Purchase"], window="1h", group_by="plan", count_by="group:company")
    frame = run(companies, obj)

    # Acme's kept conversion starts with carol's free signup, not dan's later one.
    assert rows_by_segment(frame) == {"free": [(2, 0), (2, 0)], "pro": [(1, 0), (1, 0)]}
    point = Point(parse_chart(obj), step=1, segment="free")
    assert point_group_count(companies.cursor(), point, companies) == 2


# Drivers ------------------------------------------------------------------------


def test_drivers_population_is_segment(plans):
    definition = parse_chart(by_plan())

    result = drivers(plans.cursor(), definition, plans, 2, segment="pro")
    assert (result.population, result.converted, result.dropped) == (2, 1, 1)
    with pytest.raises(DefinitionError, match="segment: this funnel is grouped"):
        drivers(plans.cursor(), definition, plans, 2)
