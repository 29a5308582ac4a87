"""Property test: retention, sessions and funnel charts counted by company, against counts by hand and group lists.

For random events naming zero, one or several companies, every point's
value is checked against a count worked out here in plain Python, and the
groups the microscope lists for the point (``point_groups``,
``point_group_count``) against the companies expected there.

Retention by hand reuses ``test_retention_property.HandCount`` with one row
per (event, company it names), each named after its company, so the unit
is the company instead of the actor. A funnel counted by company is checked
against the users' funnel of a second project, where each (event, company)
pair is an event of a user named after the company.
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from dataclasses import replace
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builders import build_project
from test_retention_property import (
    HandCount,
    chart_object,
    client_actor_names,
    event_strategy,
    import_rows,
    stored_rows,
)
from test_retention_property import chart_strategy as retention_chart_strategy
from tui.analytics.definition import parse_chart
from tui.analytics.funnel import funnel
from tui.analytics.groups import group_users, point_group_count, point_groups
from tui.analytics.microscope import point_users
from tui.analytics.point import Point, point_events
from tui.analytics.retention import retention
from tui.analytics.sessions import sessions_chart

COMPANIES = ["Acme", "Globex", "Ünïcode 🚀", "[bold]Initech[/bold]"]
SESSION_IDS = ["s1", "s2", "-1"]
LENGTH_EDGES = [60, 600]

company_strategy = st.one_of(
    st.none(),
    st.sampled_from(COMPANIES),
    st.lists(st.sampled_from(COMPANIES), min_size=1, max_size=3, unique=True),
)
group_event_strategy = st.tuples(event_strategy, company_strategy, st.sampled_from(SESSION_IDS))
sessions_chart_strategy = st.fixed_dictionaries({
    "measure": st.sampled_from(["sessions", "avg_length", "per_user", "length"]),
    "where": st.sampled_from([[], [{"property": "color", "op": "=", "value": "red"}]]),
    "group_by": st.sampled_from([None, "platform", "group:company"]),
    "zone": st.sampled_from(["America/New_York", "Asia/Kolkata", "UTC"]),
})


def companies_of(company) -> list[str]:
    if company is None:
        return []
    return [company] if isinstance(company, str) else list(company)


def import_group_rows(drawn: list[tuple]) -> list[dict]:
    """Return the import rows of the drawn events, with their companies and session ids."""
    rows = import_rows([event for event, _, _ in drawn])
    for row, (_, company, session_id) in zip(rows, drawn):
        if company is not None:
            row["groups"] = {"company": company}
        row["session_id"] = session_id
    return rows


def group_names(cursor, point: Point, project) -> set[str]:
    listed = point_groups(cursor, point, project, limit=None)
    assert point_group_count(cursor, point, project) == len(listed)
    return set(listed["group_name"])


def group_members(cursor, point: Point, project) -> dict[str, set[str]]:
    """Return the user ids (device ids when never identified) the microscope lists for each group of ``point``."""
    members = {}
    for group in point_groups(cursor, point, project, limit=None).itertuples():
        users = point_users(cursor, group_users(point, project, group.group_id, group.group_name), project, limit=None)
        members[group.group_name] = set(users["user_id"])
    return members


def point_pairs(cursor, point: Point, project) -> set[tuple[int, str]]:
    """Return the point's rows as (event seq, company)."""
    sql, params = point_events(point, project)
    named = f"SELECT part.seq, groups.group_name FROM ({sql}) AS part JOIN groups USING (group_id)"
    pairs = cursor.execute(named, params).fetchall()
    assert len(pairs) == len(set(pairs)), "a point has one row per (event, group)"
    return set(pairs)


# Retention ---------------------------------------------------------------------


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(drawn_events=st.lists(group_event_strategy, min_size=1, max_size=25), drawn_chart=retention_chart_strategy)
def test_retention_groups_equal_hand_count(drawn_events, drawn_chart):
    rows = import_group_rows(drawn_events)
    names = client_actor_names(rows)
    obj = dict(chart_object(drawn_chart), count_by="group:company")
    definition = parse_chart(obj)

    with tempfile.TemporaryDirectory() as folder:
        with build_project(Path(folder), rows, timezone="UTC") as project:
            stored = stored_rows(project, rows, names)
            actor_of = {row.seq: row.name for row in stored}
            # One row per (event, company), named after the company: the hand count's unit.
            company_rows = [
                replace(row, name=company)
                for row, (_, company, _) in zip(stored, drawn_events)
                for company in companies_of(company)
            ]
            hand = HandCount(company_rows, obj, last_event=max(row.event_time for row in stored))
            cursor = project.cursor()
            for cell in retention(cursor, definition, project).itertuples():
                cohort = hand.cohort(cell.bucket)
                counted = {company: hand.counted_seqs(company, cell.period) for company in cohort}
                retained = {company for company, seqs in counted.items() if seqs}
                assert cell.cohort_size == len(cohort), (cell, obj)
                assert cell.retained == len(retained), (cell, obj)

                point = Point(definition, bucket=cell.bucket, period=cell.period)
                assert group_names(cursor, point, project) == retained, (cell, obj)
                expected_pairs = {(seq, company) for company, seqs in counted.items() for seq in seqs}
                assert point_pairs(cursor, point, project) == expected_pairs, (cell, obj)
                expected_members = {
                    company: {actor_of[seq] for seq in seqs} for company, seqs in counted.items() if seqs
                }
                assert group_members(cursor, point, project) == expected_members, (cell, obj)

                dropped = Point(definition, bucket=cell.bucket, period=cell.period, dropped=True)
                # A period that had not begun has no not-retained units, unless a return landed in it.
                not_retained = cohort - retained if retained or hand.begun(cell.bucket, cell.period) else set()
                assert group_names(cursor, dropped, project) == not_retained, (cell, obj)
                assert cell.not_retained == len(not_retained), (cell, obj)
                first_starts = {(hand.first_starts[company].seq, company) for company in not_retained}
                assert point_pairs(cursor, dropped, project) == first_starts, (cell, obj)


# Sessions ----------------------------------------------------------------------


class SessionHandCount:
    """The sessions of one chart counted by company, session by session.

    A session is an actor's filtered events with one session id (``-1`` is
    out of session). It starts at its earliest ``event_time``, its length is
    the span of its client times, its segment is the platform of its earliest
    event by (event time, seq), and it counts for every company its events name.
    Grouped by company too, it is in the segment of each of those companies
    and counts there for that company alone (fewer than 10 companies, so no ``(other)``).
    """

    def __init__(self, stored, drawn_events, chart: dict):
        self.zone = ZoneInfo(chart["timezone"])
        self.first_day = date.fromisoformat(chart["range"]["from"])
        self.last_day = date.fromisoformat(chart["range"]["to"])
        by_session = defaultdict(list)
        for row, (_, company, session_id) in zip(stored, drawn_events):
            red = row.color == "red"
            if session_id != "-1" and (not chart.get("where") or red):
                by_session[(row.name, session_id)].append((row, companies_of(company)))
        self.sessions = [self._session(events) for events in by_session.values()]
        self.sessions = [session for session in self.sessions if session["companies"] and session["bucket"] is not None]

    def _session(self, events) -> dict:
        rows = [row for row, _ in events]
        first = min(rows, key=lambda row: (row.event_time, row.seq))
        day = first.event_time.astimezone(self.zone).date()
        in_range = self.first_day <= day <= self.last_day
        return {
            "actor": first.name,
            "seqs": {row.seq for row in rows},
            "companies": set().union(*(set(companies) for _, companies in events)),
            "bucket": (day - self.first_day).days if in_range else None,
            "length": (max(row.client_time for row in rows) - min(row.client_time for row in rows)).total_seconds(),
            "platform": first.platform,
        }

    def point_sessions(self, bucket: int, segment, series: int, measure: str, by_company: bool = False) -> list[dict]:
        found = []
        for session in self.sessions:
            if by_company:
                if segment not in session["companies"]:
                    continue
                session = dict(session, companies={segment})
            platform = session["platform"] if session["platform"] is not None else "(none)"
            if session["bucket"] != bucket or (segment is not None and not by_company and platform != segment):
                continue
            if measure == "length" and length_series(session["length"]) != series:
                continue
            found.append(session)
        return found


def length_series(seconds: float) -> int:
    """Return the index of the length bucket of ``LENGTH_EDGES`` that ``seconds`` falls in."""
    return sum(1 for edge in LENGTH_EDGES if seconds >= edge)


def sessions_object(drawn: dict) -> dict:
    obj = {
        "type": "sessions",
        "measure": drawn["measure"],
        "where": drawn["where"],
        "range": {"from": "2024-03-09", "to": "2024-03-11"},
        "timezone": drawn["zone"],
        "count_by": "group:company",
    }
    if drawn["measure"] == "length":
        obj["length_buckets"] = LENGTH_EDGES
    if drawn["group_by"]:
        obj["group_by"] = drawn["group_by"]
    return obj


def expected_value(sessions: list[dict], measure: str) -> float:
    if not sessions:
        return 0
    if measure == "avg_length":
        return sum(session["length"] for session in sessions) / len(sessions)
    if measure == "per_user":
        companies = set().union(*(session["companies"] for session in sessions))
        return sum(len(session["companies"]) for session in sessions) / len(companies)
    return len(sessions)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(drawn_events=st.lists(group_event_strategy, min_size=1, max_size=25), drawn_chart=sessions_chart_strategy)
def test_sessions_groups_equal_hand_count(drawn_events, drawn_chart):
    rows = import_group_rows(drawn_events)
    names = client_actor_names(rows)
    obj = sessions_object(drawn_chart)
    definition = parse_chart(obj)

    with tempfile.TemporaryDirectory() as folder:
        with build_project(Path(folder), rows, timezone="UTC") as project:
            hand = SessionHandCount(stored_rows(project, rows, names), drawn_events, obj)
            cursor = project.cursor()
            frame = sessions_chart(cursor, definition, project)
            by_company = obj.get("group_by") == "group:company"
            # Every counted session is in exactly one point, or by company in one per company it names.
            if obj["measure"] in ("sessions", "length"):
                expected = sum(len(session["companies"]) if by_company else 1 for session in hand.sessions)
                assert frame["value"].sum() == expected, obj
            for point in frame.itertuples():
                sessions = hand.point_sessions(point.bucket, point.segment, point.series, obj["measure"], by_company)
                assert point.value == pytest.approx(expected_value(sessions, obj["measure"])), (point, obj)

                target = Point(definition, point.series, point.segment, point.bucket)
                companies = set().union(*(session["companies"] for session in sessions)) if sessions else set()
                assert group_names(cursor, target, project) == companies, (point, obj)
                expected_pairs = {
                    (seq, company)
                    for session in sessions
                    for seq in session["seqs"]
                    for company in session["companies"]
                }
                assert point_pairs(cursor, target, project) == expected_pairs, (point, obj)
                members = defaultdict(set)
                for session in sessions:
                    for company in session["companies"]:
                        members[company].add(session["actor"])
                assert group_members(cursor, target, project) == dict(members), (point, obj)


# Funnels ----------------------------------------------------------------------

step_strategy = st.fixed_dictionaries({
    "event": st.sampled_from(["A", "B", "*"]),
    "where": st.sampled_from([[], [{"property": "color", "op": "=", "value": "red"}]]),
})
funnel_chart_strategy = st.fixed_dictionaries({
    "steps": st.lists(step_strategy, min_size=2, max_size=3),
    "order": st.sampled_from(["this", "exact", "any"]),
    "window": st.sampled_from(["1h", "1d"]),
    "exclude": st.sampled_from([[], [{"event": "C", "between": [1, 2]}]]),
})


def funnel_object(drawn: dict, count_by: str | None) -> dict:
    obj = {
        "type": "funnel",
        "steps": drawn["steps"],
        "order": drawn["order"],
        "window": drawn["window"],
        "exclude": drawn["exclude"],
        "range": {"from": "2024-03-09", "to": "2024-03-10"},
    }
    if count_by:
        obj["count_by"] = count_by
    return obj


def company_user_rows(rows: list[dict]) -> list[dict]:
    """Return one row per (event, company it names), as an event of a user named after the company.

    Rows keep the file order, so each company's events keep their order of
    ``seq``, and a funnel counted by company must equal the users' funnel here.
    """
    company_rows = []
    for row in rows:
        for company in companies_of(row.get("groups", {}).get("company")):
            copy = {key: value for key, value in row.items() if key not in ("groups", "device_id", "session_id")}
            copy.update(user_id=company, insert_id=f"{row['insert_id']}/{company}")
            company_rows.append(copy)
    return company_rows


def funnel_parts(cursor, definition, project, steps: int) -> dict[tuple[int, bool], set[tuple[str, str]]]:
    """Return each step part's events as (original insert id, unit name): a company, or a user named after one."""
    parts = {}
    for step in range(1, steps + 1):
        for dropped in (False, True) if step > 1 else (False,):
            sql, params = point_events(Point(definition, step=step, dropped=dropped), project)
            if definition.count_by:
                unit = f"SELECT part.insert_id, groups.group_name FROM ({sql}) AS part JOIN groups USING (group_id)"
            else:
                unit = f"SELECT split_part(part.insert_id, '/', 1), part.user_id FROM ({sql}) AS part"
            parts[(step, dropped)] = set(cursor.execute(unit, params).fetchall())
    return parts


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(drawn_events=st.lists(group_event_strategy, min_size=1, max_size=25), drawn_chart=funnel_chart_strategy)
def test_funnel_groups_equal_company_users(drawn_events, drawn_chart):
    rows = import_group_rows(drawn_events)
    by_company = parse_chart(funnel_object(drawn_chart, "group:company"))
    by_user = parse_chart(funnel_object(drawn_chart, None))
    steps = len(drawn_chart["steps"])
    columns = ["converted", "dropped", "median_seconds", "average_seconds"]

    with tempfile.TemporaryDirectory() as folder:
        company_rows = company_user_rows(rows)
        with build_project(Path(folder), rows, name="groups.duckdb") as project:
            cursor = project.cursor()
            counted = funnel(cursor, by_company, project)
            parts = funnel_parts(cursor, by_company, project, steps)
            for step in range(1, steps + 1):
                point = Point(by_company, step=step)
                assert point_group_count(cursor, point, project) == counted["converted"][step - 1], (step, drawn_chart)
                if step > 1:
                    dropped = Point(by_company, step=step, dropped=True)
                    assert point_group_count(cursor, dropped, project) == counted["dropped"][step - 1], step
        if not company_rows:
            assert counted["converted"].sum() == 0
            return
        with build_project(Path(folder), company_rows, name="users.duckdb") as project:
            cursor = project.cursor()
            expected = funnel(cursor, by_user, project)
            expected_parts = funnel_parts(cursor, by_user, project, steps)

    pd.testing.assert_frame_equal(counted[columns], expected[columns], obj=str(drawn_chart))
    assert parts == expected_parts, drawn_chart
