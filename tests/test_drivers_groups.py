"""Conversion drivers of funnels counted by a group type, against tables worked out by hand.

The funnel is Signup → Purchase counted by company, window 1 day, range
2024-03-01 (UTC). A group's events are the events that name it, by any
member:

- Acme: alice signs up at 10:00, bob chats at 11:00 and buys at 12:00, so Acme
  converts through bob, who never signed up. alice's chat at 12:30 comes
  after the purchase. Chat: converted.
- Globex and Initech: carol's 10:00 signup names both, and so does her help
  request at 10:30. Her 10:45 chat names Initech only. dan buys for Globex
  at 11:00; Initech never buys. Help: Globex converted, Initech dropped.
  Chat: Initech dropped.
- Hooli: erin signs up at 09:00 and asks for help at 10:00 without naming a
  company, so that request is not Hooli's. frank asks for help exactly at the
  window's end (09:00 on March 2) and chats a second later. Help: dropped.

So the population is 4 companies: Acme and Globex converted, Initech and
Hooli dropped off. Chat has converted 1 (Acme) and dropped 1 (Initech). Help
has converted 1 (Globex) and dropped 2 (Initech, Hooli).
"""

from __future__ import annotations

import math

import pytest

from builders import build_project
from groups_data import event
from tui.analytics.definition import parse_chart
from tui.analytics.drivers import driver_events_sql, drivers, point_driver_events_sql, point_drivers
from tui.analytics.funnel import funnel
from tui.analytics.point import Point
from tui.store.cohorts import save_cohort

COMPANY_EVENTS = [
    event("Signup", "2024-03-01T10:00:00Z", "alice", company="Acme"),
    event("Chat", "2024-03-01T11:00:00Z", "bob", company="Acme"),
    event("Purchase", "2024-03-01T12:00:00Z", "bob", company="Acme"),
    event("Chat", "2024-03-01T12:30:00Z", "alice", company="Acme"),
    event("Signup", "2024-03-01T10:00:00Z", "carol", company=["Globex", "Initech"]),
    event("Help", "2024-03-01T10:30:00Z", "carol", company=["Globex", "Initech"]),
    event("Chat", "2024-03-01T10:45:00Z", "carol", company="Initech"),
    event("Purchase", "2024-03-01T11:00:00Z", "dan", company="Globex"),
    event("Signup", "2024-03-01T09:00:00Z", "erin", company="Hooli"),
    event("Help", "2024-03-01T10:00:00Z", "erin"),
    event("Help", "2024-03-02T09:00:00Z", "frank", company="Hooli"),
    event("Chat", "2024-03-02T09:00:01Z", "frank", company="Hooli"),
]


def by_company(last="2024-03-01", **changes) -> dict:
    obj = {
        "type": "funnel",
        "steps": [{"event": "Signup"}, {"event": "Purchase"}],
        "count_by": "group:company",
        "range": {"from": "2024-03-01", "to": last},
    }
    obj.update(changes)
    return obj


@pytest.fixture
def project(tmp_path):
    project = build_project(tmp_path, COMPANY_EVENTS)
    yield project
    project.close()


def row(result, event_type: str) -> dict:
    frame = result.frame
    match = frame[frame["event"] == event_type]
    assert len(match) == 1, frame["event"].tolist()
    return match.iloc[0].to_dict()


def driver_groups(project, obj, event_type, part, **point) -> list[str]:
    """Return the names of the groups in one driver's list, from the rows of its events."""
    if point:
        sql, params = point_driver_events_sql(Point(parse_chart(obj), **point), project, event_type, part=part)
    else:
        sql, params = driver_events_sql(parse_chart(obj), project, 2, event_type, part=part)
    rows = project.cursor().execute(
        f"SELECT DISTINCT groups.group_name FROM ({sql}) AS listed JOIN groups USING (group_id) ORDER BY 1", params
    ).fetchall()
    return [name for (name,) in rows]


def test_population_matches_funnel_groups(project):
    obj = by_company()
    steps = funnel(project.cursor(), parse_chart(obj), project)
    result = drivers(project.cursor(), parse_chart(obj), project, 2)

    assert steps["converted"].tolist() == [4, 2]
    assert (result.population, result.converted, result.dropped) == (4, 2, 2)
    assert result.population == steps["converted"][0]
    assert result.dropped == steps["dropped"][1]
    assert result.counts_groups is True
    assert result.min_support == 1


def test_group_counts_and_order(project):
    result = drivers(project.cursor(), parse_chart(by_company()), project, 2)

    assert result.frame["event"].tolist() == ["Help", "Chat"]
    help_row, chat = row(result, "Help"), row(result, "Chat")
    assert (help_row["converted_users"], help_row["dropped_users"]) == (1, 2)
    assert (chat["converted_users"], chat["dropped_users"]) == (1, 1)


def test_group_statistics(project):
    result = drivers(project.cursor(), parse_chart(by_company()), project, 2)

    # Help [[1, 1], [2, 0]]: phi = (1*0 - 1*2) / sqrt(2*2*3*1), odds ratio = 2*1 / (2*3).
    help_row = row(result, "Help")
    assert help_row["phi"] == pytest.approx(-2 / math.sqrt(12))
    assert help_row["odds_ratio"] == pytest.approx(1 / 3)
    # Three of the four groups asked for help, so a is 1 or 2, each with chance 3/6.
    assert help_row["p_value"] == pytest.approx(1.0)
    # Chat [[1, 1], [1, 1]].
    assert row(result, "Chat")["phi"] == pytest.approx(0.0)
    assert row(result, "Chat")["odds_ratio"] == pytest.approx(1.0)


def test_member_who_did_not_start(project):
    # Only bob chatted for Acme, and bob did not sign up: Acme still counts once, as converted.
    obj = by_company()

    assert driver_groups(project, obj, "Chat", "converted") == ["Acme"]
    assert driver_groups(project, obj, "Chat", "dropped") == ["Initech"]


def test_user_in_two_groups(project):
    # carol's help names Globex and Initech, her chat Initech only.
    obj = by_company()
    sql, params = driver_events_sql(parse_chart(obj), project, 2, "Help", part="all")
    rows = project.cursor().execute(
        f"SELECT listed.user_id, groups.group_name FROM ({sql}) AS listed JOIN groups USING (group_id) ORDER BY 2",
        params,
    ).fetchall()

    assert rows == [("carol", "Globex"), ("frank", "Hooli"), ("carol", "Initech")]
    assert "Globex" not in driver_groups(project, obj, "Chat", "all")


def test_unnamed_and_late_events_left_out(project):
    # erin's help names no company, and frank's chat comes a second after Hooli's window.
    obj = by_company()

    assert driver_groups(project, obj, "Help", "dropped") == ["Hooli", "Initech"]
    assert "Hooli" not in driver_groups(project, obj, "Chat", "all")


def test_list_sizes_equal_counts(project):
    obj = by_company()
    result = drivers(project.cursor(), parse_chart(obj), project, 2)

    for driver in result.frame.to_dict("records"):
        converted = driver_groups(project, obj, driver["event"], "converted")
        dropped = driver_groups(project, obj, driver["event"], "dropped")
        assert len(converted) == driver["converted_users"], driver
        assert len(dropped) == driver["dropped_users"], driver


def test_users_cohort_keeps_its_members_events(project):
    # With a cohort of alice, bob and erin, the funnel sees Acme (converted by bob) and Hooli (dropped).
    # frank, who asked for help for Hooli, is not in the cohort, so his request is not one of its events.
    ids = dict(project.cursor().execute("SELECT user_id, actor_id FROM users").fetchall())
    members = [ids["alice"], ids["bob"], ids["erin"]]
    save_cohort(project, "Early team", ("SELECT unnest(?)", [members]), None)
    obj = by_company(cohort="Early team")
    result = drivers(project.cursor(), parse_chart(obj), project, 2)

    assert (result.population, result.converted, result.dropped) == (2, 1, 1)
    assert result.frame["event"].tolist() == ["Chat"]
    assert (row(result, "Chat")["converted_users"], row(result, "Chat")["dropped_users"]) == (1, 0)
    assert driver_groups(project, obj, "Help", "all") == []


def test_point_drivers_of_group_point(project):
    obj = by_company()
    result = point_drivers(project.cursor(), Point(parse_chart(obj), step=2, dropped=True), project)

    assert (result.population, result.converted, result.dropped) == (4, 2, 2)
    assert driver_groups(project, obj, "Help", "all", step=2, dropped=True) == ["Globex", "Hooli", "Initech"]


def test_group_entry_bucket(project):
    # Over two days every company entered on March 1, so March 2's point has no groups to compare.
    definition = parse_chart(by_company(last="2024-03-02"))
    march_1 = point_drivers(project.cursor(), Point(definition, step=2, bucket=0, over_time=True), project)
    march_2 = point_drivers(project.cursor(), Point(definition, step=2, bucket=1, over_time=True), project)

    assert (march_1.population, march_1.converted, march_1.dropped) == (4, 2, 2)
    assert (march_2.population, march_2.converted, march_2.dropped) == (0, 0, 0)
    assert march_2.frame.empty
