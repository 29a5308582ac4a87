"""Funnels in ``this`` and ``exact`` order whose steps share no events: ties, clock skew and the kept events."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest

from builders import build_project
from funnel_helpers import chart, conversions, event, micros, run, step_users


def test_client_time_before_range_converts(tmp_path):
    # The server received alice's signup in the range, but her device captured both events the day before.
    project = build_project(tmp_path, [
        event("Signup", "2024-03-01T00:30:00Z", "alice", client_time="2024-02-29T22:00:00Z"),
        event("Purchase", "2024-02-29T23:50:00Z", "alice", client_time="2024-02-29T23:00:00Z"),
        event("Signup", "2024-03-01T10:00:00Z", "bob"),
    ])
    obj = chart(["Signup", "Purchase"])
    frame = run(project, obj)

    assert frame["converted"].tolist() == [2, 1]
    assert frame["median_seconds"].iloc[1] == 3600.0
    assert step_users(project, obj, 2) == ["alice"]


def test_equal_times_take_lowest_seq(tmp_path):
    project = build_project(tmp_path, [
        event("Signup", "2024-03-01T10:00:00Z", "alice", insert_id="s1"),
        event("Signup", "2024-03-01T10:00:00Z", "alice", insert_id="s2"),
        event("Purchase", "2024-03-01T10:05:00Z", "alice", insert_id="p1"),
        event("Purchase", "2024-03-01T10:05:00Z", "alice", insert_id="p2"),
    ])
    alice = conversions(project, chart(["Signup", "Purchase"]))["alice"]
    lowest = dict(project.cursor().execute("SELECT event_type, min(seq) FROM events GROUP BY event_type").fetchall())

    assert alice["reached"] == 2
    assert alice["seq1"] == lowest["Signup"]
    assert alice["seq2"] == lowest["Purchase"]
    assert alice["t2"] == micros("2024-03-01T10:05:00Z")


def test_latest_start_reaches_window_edge(tmp_path):
    # The purchase lies exactly one window after the last signup of the range, the furthest any later step can be.
    project = build_project(tmp_path, [
        event("Signup", "2024-03-01T08:00:00Z", "alice"),
        event("Signup", "2024-03-01T23:00:00Z", "bob"),
        event("Purchase", "2024-03-02T23:00:00Z", "bob"),
        event("Purchase", "2024-03-02T23:00:01Z", "alice"),
    ])
    frame = run(project, chart(["Signup", "Purchase"]))

    assert frame["converted"].tolist() == [2, 1]
    assert frame["median_seconds"].iloc[1] == 86400.0


@pytest.fixture(scope="module")
def skewed_project(tmp_path_factory):
    """Return a project of random events whose device clocks run up to two hours behind the server."""
    return build_project(tmp_path_factory.mktemp("skewed"), _skewed_events(random.Random(11), users=40))


@pytest.mark.parametrize("order", ["this", "exact"])
@pytest.mark.parametrize("steps", [["A", "B", "C"], ["B", "A", "D", "C"]])
def test_kept_events_match_reference(skewed_project, steps, order):
    obj = chart(steps, last="2024-03-02", window="3h", order=order)
    expected = _reference_conversions(skewed_project, steps, timedelta(hours=3), exact=order == "exact")
    found = conversions(skewed_project, obj)

    assert sorted(found) == sorted(expected)
    for user, (reached, seqs) in expected.items():
        assert found[user]["reached"] == reached, user
        assert [found[user][f"seq{k}"] for k in range(1, reached + 1)] == seqs, user


def _skewed_events(rng: random.Random, users: int) -> list[dict]:
    """Return events of types A to D on a half-hour grid over two days, many sharing a time, with lagging client times."""
    start = datetime(2024, 2, 29, 20, tzinfo=timezone.utc)
    events = []
    for user in range(users):
        for _ in range(rng.randint(1, 20)):
            server = start + timedelta(minutes=30 * rng.randint(0, 2 * 48))
            client = server - timedelta(minutes=30 * rng.randint(0, 4))
            events.append(event(
                rng.choice("AABCD"), server.isoformat(), f"u{user:02d}",
                client_time=client.isoformat(), insert_id=str(len(events)),
            ))
    return events


def _reference_conversions(project, steps: list[str], window: timedelta, exact: bool) -> dict[str, tuple[int, list[int]]]:
    """Return each user's kept ``(reached, [seq1, ...])`` by following every start step by step.

    A start is a step-1 event with server time in 2024-03-01..2024-03-02 (UTC).
    Each later step takes its earliest event by ``(client_time, seq)`` at or
    after the previous step's client time and at most one window after the
    start. With ``exact``, only the user's next event by ``(client_time, seq)``
    may fill it. The kept start reaches the most steps, then is the earliest.
    """
    rows = project.cursor().execute(
        "SELECT user_id, event_type, client_time, event_time, seq FROM events ORDER BY user_id, client_time, seq"
    ).fetchall()
    first, last = datetime(2024, 3, 1, tzinfo=timezone.utc), datetime(2024, 3, 3, tzinfo=timezone.utc)
    kept: dict[str, tuple] = {}
    for user, kind, client, server, seq in rows:
        if kind != steps[0] or not first <= server < last:
            continue
        chain = [(client, seq)]
        for step in steps[1:]:
            later = [
                (time, number) for name, other_kind, time, _, number in rows
                if name == user and other_kind == step and chain[-1][0] <= time <= client + window
            ]
            if exact:
                after = [(time, number) for name, _, time, _, number in rows if name == user and (time, number) > chain[-1]]
                later = [min(after)] if after and min(after) in later else []
            if not later:
                break
            chain.append(min(later))
        rank = (-len(chain), client, seq)
        if user not in kept or rank < kept[user][0]:
            kept[user] = (rank, chain)
    return {user: (len(chain), [number for _, number in chain]) for user, (_, chain) in kept.items()}
