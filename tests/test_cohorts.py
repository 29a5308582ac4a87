"""Cohorts made from a data point: members, listing, deletion, roles and the chart's cohort filter."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from builders import build_project
from tui.analytics.cohorts import create_cohort_from_point
from tui.analytics.definition import DefinitionError, parse_chart
from tui.analytics.microscope.actor_set import events_actor_set
from tui.analytics.point import Point, point_actor_count
from tui.analytics.segmentation import segmentation
from tui.store.cohorts import CohortError, can_create_cohort, cohort_members, cohort_names, delete_cohort, list_cohorts, load_cohort

CHART = {
    "type": "segmentation",
    "events": [{"event": "Purchase"}],
    "range": {"from": "2024-03-01", "to": "2024-03-03"},
}


def event(event_type, time, user=None, device=None, **fields) -> dict:
    return {"event_type": event_type, "event_time": time, "user_id": user, "device_id": device, **fields}


@pytest.fixture
def project(tmp_path):
    project = build_project(tmp_path, [
        event("Purchase", "2024-03-01T09:00:00Z", "alice"),
        event("Purchase", "2024-03-01T10:00:00Z", "alice"),
        event("Purchase", "2024-03-01T11:00:00Z", device="phone-1"),
        event("Purchase", "2024-03-02T09:00:00Z", "bob"),
        event("Open", "2024-03-01T09:00:00Z", "carol"),
        event("Open", "2024-03-02T09:00:00Z", "alice"),
        event("Open", "2024-03-02T10:00:00Z", "bob"),
        event("Open", "2024-03-02T11:00:00Z", "carol"),
    ])
    yield project
    project.close()


def first_day_point() -> Point:
    return Point(definition=parse_chart(CHART), series=0, segment=None, bucket=0)


def test_cohort_members_are_point_actors(project):
    point = first_day_point()

    cohort = create_cohort_from_point(project, "Buyers 1 March", "bought on day one", point)

    assert cohort.size == point_actor_count(project.cursor(), point, project) == 2
    assert cohort_members(project, "Buyers 1 March")["user_id"].tolist() == ["alice", "phone-1"]
    assert cohort.member_kind == "users"
    assert cohort.description == "bought on day one"
    assert cohort.created_by == project.current_member()


def test_cohort_records_its_definition(project):
    cohort = create_cohort_from_point(project, "Buyers", None, first_day_point())

    stored = load_cohort(project, "Buyers").definition
    assert stored == cohort.definition
    assert stored["chart"] == parse_chart(CHART).to_json()
    assert stored["point"]["series"] == 0
    assert stored["point"]["segment"] is None
    assert stored["point"]["bucket"] == 0
    assert stored["point"]["bucket_start"] == "2024-03-01T00:00:00+00:00"
    assert stored["point"]["bucket_end"] == "2024-03-02T00:00:00+00:00"
    assert stored["point"]["timezone"] == "UTC"


def test_cohort_as_of_is_creation_time(project):
    before = project.con.execute("SELECT now()").fetchall()[0][0]

    cohort = create_cohort_from_point(project, "Buyers", None, first_day_point())

    after = project.con.execute("SELECT now()").fetchall()[0][0]
    assert before <= cohort.as_of <= after


def test_cohort_from_actor_set(project):
    events = ("SELECT * EXCLUDE (dedupe_key) FROM events WHERE event_type = 'Open' AND user_id <> 'alice'", [])
    start = datetime(2024, 3, 1, tzinfo=timezone.utc)
    end = datetime(2024, 3, 3, tzinfo=timezone.utc)
    actor_set = events_actor_set("Open, not alice", events, start, end)

    cohort = create_cohort_from_point(project, "Openers", None, actor_set)

    assert cohort_members(project, "Openers")["user_id"].tolist() == ["bob", "carol"]
    assert cohort.definition["actor_set"]["label"] == "Open, not alice"


def test_duplicate_name_rejected(project):
    create_cohort_from_point(project, "Buyers", None, first_day_point())

    with pytest.raises(CohortError, match="A cohort called 'Buyers' already exists"):
        create_cohort_from_point(project, "Buyers", None, first_day_point())

    assert cohort_names(project) == ["Buyers"]
    assert load_cohort(project, "Buyers").size == 2


def test_empty_name_rejected(project):
    with pytest.raises(CohortError, match="Cohort name is empty"):
        create_cohort_from_point(project, "   ", None, first_day_point())

    assert cohort_names(project) == []


def test_list_and_delete(project):
    create_cohort_from_point(project, "Day one", None, first_day_point())
    second_day = Point(definition=parse_chart(CHART), series=0, segment=None, bucket=1)
    create_cohort_from_point(project, "Day two", "later", second_day)

    listed = list_cohorts(project)
    assert [(cohort.name, cohort.size, cohort.description) for cohort in listed] == [
        ("Day one", 2, None),
        ("Day two", 1, "later"),
    ]

    delete_cohort(project, "Day one")

    assert cohort_names(project) == ["Day two"]
    assert project.con.execute("SELECT count(*) FROM cohort_members").fetchall()[0][0] == 1


def test_delete_missing_cohort(project):
    create_cohort_from_point(project, "Buyers", None, first_day_point())

    with pytest.raises(CohortError, match=r"No cohort is called 'Sellers': cohorts are 'Buyers'\."):
        delete_cohort(project, "Sellers")


def test_viewer_cannot_create(project):
    project.set_member("vera", "viewer")
    project.set_setting("current_member", "vera")

    with pytest.raises(PermissionError, match="Create cohort: needs member or higher; vera is viewer"):
        create_cohort_from_point(project, "Buyers", None, first_day_point())

    assert cohort_names(project) == []
    assert can_create_cohort(project)[0] is False
    project.set_member("mel", "member")
    project.set_setting("current_member", "mel")
    assert can_create_cohort(project) == (True, "")


def test_chart_filtered_by_cohort(project):
    create_cohort_from_point(project, "Buyers 1 March", None, first_day_point())
    opens = parse_chart({
        "type": "segmentation",
        "events": [{"event": "Open"}],
        "range": {"from": "2024-03-01", "to": "2024-03-03"},
        "cohort": "Buyers 1 March",
    })

    frame = segmentation(project.cursor(), opens, project)

    # Unfiltered, Open has carol on day one and alice, bob, carol on day two; only alice is in the cohort.
    assert frame["value"].tolist() == [0.0, 1.0, 0.0]


def test_chart_filter_after_delete(project):
    create_cohort_from_point(project, "Buyers", None, first_day_point())
    delete_cohort(project, "Buyers")
    filtered = parse_chart({**CHART, "cohort": "Buyers"})

    with pytest.raises(DefinitionError, match="no cohort named 'Buyers'"):
        segmentation(project.cursor(), filtered, project)
