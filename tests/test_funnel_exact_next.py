"""Funnels in ``exact`` order, read off each start's next events, and ``*`` steps in ``this`` order near bucket edges.

Windows cut time into buckets one window wide, and only events in a start's
bucket or the next one are read, so these cases put events on both sides of
a bucket edge (UTC midnight for a 1-day window).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pandas
import pytest

from builders import build_project
from funnel_helpers import chart, conversions, event, micros, run, step_users


def test_exact_other_event_in_next_bucket_stops(tmp_path):
    # Bob's page view lies after midnight, between his signup and his purchase.
    project = build_project(tmp_path, [
        event("Signup", "2024-03-01T23:00:00Z", "alice"),
        event("Purchase", "2024-03-02T01:00:00Z", "alice"),
        event("Signup", "2024-03-01T23:00:00Z", "bob"),
        event("Page", "2024-03-02T00:30:00Z", "bob"),
        event("Purchase", "2024-03-02T01:00:00Z", "bob"),
    ])
    obj = chart(["Signup", "Purchase"], order="exact")

    assert run(project, obj)["converted"].tolist() == [2, 1]
    assert step_users(project, obj, 2) == ["alice"]


def test_exact_step_at_window_edge_converts(tmp_path):
    project = build_project(tmp_path, [
        event("Signup", "2024-03-01T12:00:00Z", "alice"),
        event("Purchase", "2024-03-02T12:00:00Z", "alice"),
        event("Signup", "2024-03-01T12:00:00Z", "bob"),
        event("Purchase", "2024-03-02T12:00:01Z", "bob"),
    ])
    found = conversions(project, chart(["Signup", "Purchase"], order="exact"))

    assert found["alice"]["reached"] == 2
    assert found["alice"]["t2"] == micros("2024-03-02T12:00:00Z")
    assert found["bob"]["reached"] == 1
    assert pandas.isna(found["bob"]["t2"])


def test_exact_star_step_takes_next_event(tmp_path):
    # Any next event fills "*", and the purchase must then follow it directly.
    project = build_project(tmp_path, [
        event("Signup", "2024-03-01T23:50:00Z", "alice"),
        event("Page", "2024-03-02T00:10:00Z", "alice"),
        event("Purchase", "2024-03-02T00:20:00Z", "alice"),
        event("Signup", "2024-03-01T10:00:00Z", "bob"),
        event("Page", "2024-03-01T10:10:00Z", "bob"),
        event("Page", "2024-03-01T10:20:00Z", "bob"),
        event("Purchase", "2024-03-01T10:30:00Z", "bob"),
    ])
    obj = chart(["Signup", "*", "Purchase"], order="exact")

    assert run(project, obj)["converted"].tolist() == [2, 2, 1]
    assert step_users(project, obj, 3) == ["alice"]


def test_exact_equal_times_follow_seq(tmp_path):
    # Events of one client_time follow one another in import order.
    project = build_project(tmp_path, [
        event("Signup", "2024-03-01T10:00:00Z", "alice", insert_id="a1"),
        event("Page", "2024-03-01T10:00:00Z", "alice", insert_id="a2"),
        event("Purchase", "2024-03-01T10:00:00Z", "alice", insert_id="a3"),
    ])
    obj = chart(["Signup", "Purchase"], order="exact")

    assert run(project, obj)["converted"].tolist() == [1, 0]


def test_this_star_step_in_next_bucket_converts(tmp_path):
    # The "*" and purchase events fall on the next UTC day, inside the window.
    project = build_project(tmp_path, [
        event("Signup", "2024-03-01T22:00:00Z", "alice"),
        event("Page", "2024-03-02T21:00:00Z", "alice"),
        event("Purchase", "2024-03-02T22:00:00Z", "alice"),
        event("Purchase", "2024-03-02T22:00:01Z", "alice"),
    ])
    found = conversions(project, chart(["Signup", "*", "Purchase"]))

    assert found["alice"]["reached"] == 3
    assert found["alice"]["t2"] == micros("2024-03-02T21:00:00Z")
    assert found["alice"]["t3"] == micros("2024-03-02T22:00:00Z")


@pytest.fixture(scope="module")
def hourly_project(tmp_path_factory):
    """Return a project of random events on a 20-minute grid over two days, with client clocks up to an hour behind."""
    rng = random.Random(23)
    start = datetime(2024, 2, 29, 22, tzinfo=timezone.utc)
    events = []
    for user in range(40):
        for _ in range(rng.randint(1, 25)):
            server = start + timedelta(minutes=20 * rng.randint(0, 3 * 52))
            client = server - timedelta(minutes=20 * rng.randint(0, 3))
            events.append(event(
                rng.choice("AABCD"), server.isoformat(), f"u{user:02d}",
                client_time=client.isoformat(), insert_id=str(len(events)),
            ))
    return build_project(tmp_path_factory.mktemp("hourly"), events)


@pytest.mark.parametrize("steps", [["A", "B", "C"], ["A", "*", "B"], ["A", "A", "B"], ["*", "A"], ["B", "A", "*", "C"]])
def test_exact_matches_reference(hourly_project, steps):
    obj = chart(steps, last="2024-03-02", window="1h", order="exact")
    expected = _exact_reference(hourly_project, steps, timedelta(hours=1))
    found = conversions(hourly_project, obj)

    assert sorted(found) == sorted(expected)
    for user, (reached, seqs) in expected.items():
        assert found[user]["reached"] == reached, user
        assert [found[user][f"seq{k}"] for k in range(1, reached + 1)] == seqs, user


def _exact_reference(project, steps: list[str], window: timedelta) -> dict[str, tuple[int, list[int]]]:
    """Return each user's kept ``(reached, [seq1, ...])`` in exact order, walking the user's sorted events.

    A start is a step-1 event with server time in 2024-03-01..2024-03-02
    (UTC). Step k takes the event right after step k-1's by ``(client_time,
    seq)`` when it matches the step and is at most one window after the start.
    The kept start reaches the most steps, then is the earliest.
    """
    rows = project.cursor().execute(
        "SELECT user_id, event_type, client_time, event_time, seq FROM events ORDER BY user_id, client_time, seq"
    ).fetchall()
    by_user: dict[str, list[tuple]] = {}
    for user, kind, client, server, seq in rows:
        by_user.setdefault(user, []).append((kind, client, server, seq))
    first, last = datetime(2024, 3, 1, tzinfo=timezone.utc), datetime(2024, 3, 3, tzinfo=timezone.utc)
    kept: dict[str, tuple] = {}
    for user, events in by_user.items():
        for index, (kind, client, server, seq) in enumerate(events):
            if not _matches(kind, steps[0]) or not first <= server < last:
                continue
            chain = [seq]
            for offset, step in enumerate(steps[1:], start=1):
                if index + offset >= len(events):
                    break
                next_kind, next_client, _, next_seq = events[index + offset]
                if not _matches(next_kind, step) or next_client > client + window:
                    break
                chain.append(next_seq)
            rank = (-len(chain), client, seq)
            if user not in kept or rank < kept[user][0]:
                kept[user] = (rank, chain)
    return {user: (len(chain), chain) for user, (_, chain) in kept.items()}


def _matches(kind: str, step: str) -> bool:
    return step in (kind, "*")
