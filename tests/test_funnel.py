"""Funnel counts and step actor lists against values worked out by hand on small imported projects."""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest

from builders import build_project
from funnel_helpers import chart, conversions, event, micros, run, step_event_rows, step_users
from tui.analytics.definition import parse_chart
from tui.analytics.funnel import funnel_over_time


def test_window_edge_is_inclusive(tmp_path):
    project = build_project(tmp_path, [
        event("Signup", "2024-03-01T10:00:00Z", "alice"),
        event("Purchase", "2024-03-01T11:00:00Z", "alice"),
        event("Signup", "2024-03-01T10:00:00Z", "bob"),
        event("Purchase", "2024-03-01T11:00:01Z", "bob"),
    ])
    obj = chart(["Signup", "Purchase"], window="1h")
    frame = run(project, obj)

    assert frame["converted"].tolist() == [2, 1]
    assert frame["dropped"].tolist() == [0, 1]
    assert frame["conversion"].tolist() == [1.0, 0.5]
    assert frame["overall"].tolist() == [1.0, 0.5]
    assert frame["median_seconds"].iloc[1] == 3600.0
    assert frame["average_seconds"].iloc[1] == 3600.0
    assert math.isnan(frame["median_seconds"].iloc[0])
    assert step_users(project, obj, 2) == ["alice"]
    assert step_users(project, obj, 2, dropped=True) == ["bob"]


def test_window_uses_client_time(tmp_path):
    # The server moved bob's purchase past the window, but the device captured it within the window.
    project = build_project(tmp_path, [
        event("Signup", "2024-03-01T10:00:00Z", "bob", client_time="2024-03-01T10:00:00Z"),
        event("Purchase", "2024-03-01T12:00:00Z", "bob", client_time="2024-03-01T10:30:00Z"),
    ])
    frame = run(project, chart(["Signup", "Purchase"], window="1h"))

    assert frame["converted"].tolist() == [1, 1]
    assert frame["median_seconds"].iloc[1] == 1800.0


def test_later_steps_may_follow_the_range(tmp_path):
    project = build_project(tmp_path, [
        event("Signup", "2024-03-01T23:30:00Z", "alice"),
        event("Purchase", "2024-03-02T00:30:00Z", "alice"),
        # A step-1 event after the range starts no conversion.
        event("Signup", "2024-03-02T09:00:00Z", "bob"),
        event("Purchase", "2024-03-02T09:10:00Z", "bob"),
    ])
    frame = run(project, chart(["Signup", "Purchase"]))

    assert frame["converted"].tolist() == [1, 1]


def test_range_follows_project_timezone(tmp_path):
    # 2024-03-01 in New York is [05:00Z on March 1, 05:00Z on March 2).
    project = build_project(tmp_path, [
        event("Signup", "2024-03-01T04:59:59Z", "early"),
        event("Signup", "2024-03-02T04:59:59Z", "late"),
    ], timezone="America/New_York")
    obj = chart(["Signup", "Purchase"])

    assert run(project, obj)["converted"].tolist() == [1, 0]
    assert step_users(project, obj, 1) == ["late"]


def test_one_event_never_fills_two_steps(tmp_path):
    project = build_project(tmp_path, [
        event("View", "2024-03-01T10:00:00Z", "alice"),
        # Two events at one timestamp fill both steps.
        event("View", "2024-03-01T10:00:00Z", "bob", insert_id="b1"),
        event("View", "2024-03-01T10:00:00Z", "bob", insert_id="b2"),
    ])
    obj = chart(["View", "View"])

    assert run(project, obj)["converted"].tolist() == [2, 1]
    assert step_users(project, obj, 2) == ["bob"]
    assert step_users(project, obj, 2, dropped=True) == ["alice"]


def test_any_event_step_takes_another_event(tmp_path):
    project = build_project(tmp_path, [
        event("Signup", "2024-03-01T10:00:00Z", "alice"),
        event("Signup", "2024-03-01T10:00:00Z", "bob"),
        event("Search", "2024-03-01T10:00:00Z", "bob"),
    ])
    obj = chart(["Signup", "*"])
    frame = run(project, obj)

    assert frame["event"].tolist() == ["Signup", "Any event"]
    assert frame["converted"].tolist() == [2, 1]
    assert step_users(project, obj, 2) == ["bob"]


def test_equal_timestamps_satisfy_steps_in_either_order(tmp_path):
    project = build_project(tmp_path, [
        # The file lists carol's purchase first; both share one timestamp.
        event("Purchase", "2024-03-01T10:00:00Z", "carol"),
        event("Signup", "2024-03-01T10:00:00Z", "carol"),
    ])
    frame = run(project, chart(["Signup", "Purchase"]))

    assert frame["converted"].tolist() == [1, 1]
    assert frame["median_seconds"].iloc[1] == 0.0


def test_equal_timestamps_leave_event_for_later_step(tmp_path):
    project = build_project(tmp_path, [
        # All at one time, in file order A, B, Search: the any-event step must take the search.
        event("A", "2024-03-01T10:00:00Z", "alice"),
        event("B", "2024-03-01T10:00:00Z", "alice"),
        event("Search", "2024-03-01T10:00:00Z", "alice"),
    ])
    obj = chart(["A", "*", "B"])
    alice = conversions(project, obj)["alice"]

    types = dict(project.cursor().execute("SELECT seq, event_type FROM events").fetchall())

    assert run(project, obj)["converted"].tolist() == [1, 1, 1]
    assert [types[alice[f"seq{k}"]] for k in (1, 2, 3)] == ["A", "Search", "B"]


def test_conversions_columns_for_drivers(tmp_path):
    project = build_project(tmp_path, [
        event("Signup", "2024-03-01T10:00:00Z", "alice"),
        event("Purchase", "2024-03-01T10:30:00Z", "alice"),
        event("Signup", "2024-03-01T11:00:00Z", "bob"),
    ])
    rows = conversions(project, chart(["Signup", "Purchase"]))

    assert list(rows["alice"]) == ["name", "actor_id", "reached", "start_t", "t1", "t2", "seq1", "seq2"]
    assert rows["alice"]["start_t"] == rows["alice"]["t1"] == micros("2024-03-01T10:00:00Z")
    assert rows["alice"]["t2"] == micros("2024-03-01T10:30:00Z")
    assert rows["bob"]["reached"] == 1
    assert pd.isna(rows["bob"]["t2"])


def test_retry_converts_from_later_start(tmp_path):
    project = build_project(tmp_path, [
        event("Signup", "2024-03-01T10:00:00Z", "alice"),
        event("Purchase", "2024-03-01T12:00:00Z", "alice"),
        event("Signup", "2024-03-01T13:00:00Z", "alice"),
        event("Purchase", "2024-03-01T13:30:00Z", "alice"),
    ])
    frame = run(project, chart(["Signup", "Purchase"], window="1h"))

    assert frame["converted"].tolist() == [1, 1]
    assert frame["median_seconds"].iloc[1] == 1800.0


def test_earliest_of_most_complete_conversions(tmp_path):
    project = build_project(tmp_path, [
        # Two starts that both reach step 3: the earlier one counts, with its own times.
        event("A", "2024-03-01T08:00:00Z", "alice"),
        event("B", "2024-03-01T08:10:00Z", "alice"),
        event("A", "2024-03-01T09:00:00Z", "alice"),
        event("C", "2024-03-01T09:05:00Z", "alice"),
    ])
    frame = run(project, chart(["A", "B", "C"], window="2h"))

    assert frame["converted"].tolist() == [1, 1, 1]
    assert frame["median_seconds"].tolist()[1:] == [600.0, 3300.0]


def test_step_two_before_step_one_drops(tmp_path):
    project = build_project(tmp_path, [
        event("Purchase", "2024-03-01T09:00:00Z", "dave"),
        event("Signup", "2024-03-01T10:00:00Z", "dave"),
    ])
    obj = chart(["Signup", "Purchase"])

    assert run(project, obj)["converted"].tolist() == [1, 0]
    assert step_users(project, obj, 2, dropped=True) == ["dave"]


def test_anonymous_steps_count_for_identified_user(tmp_path):
    project = build_project(tmp_path, [
        event("Visit", "2024-03-01T10:00:00Z", device="d1"),
        event("Signup", "2024-03-01T10:05:00Z", device="d1"),
        event("Purchase", "2024-03-01T10:20:00Z", "erin", "d1"),
    ])
    obj = chart(["Visit", "Signup", "Purchase"])

    assert run(project, obj)["converted"].tolist() == [1, 1, 1]
    assert step_users(project, obj, 3) == ["erin"]


def test_step_where_filters(tmp_path):
    ios = {"property": "platform", "op": "=", "value": "iOS"}
    big = {"property": "amount", "op": ">=", "value": 100}
    project = build_project(tmp_path, [
        event("Signup", "2024-03-01T10:00:00Z", "alice", platform="iOS"),
        event("Purchase", "2024-03-01T10:10:00Z", "alice", event_properties={"amount": 250}),
        event("Signup", "2024-03-01T10:00:00Z", "bob", platform="iOS"),
        event("Purchase", "2024-03-01T10:10:00Z", "bob", event_properties={"amount": 20}),
        event("Signup", "2024-03-01T10:00:00Z", "carol", platform="Android"),
        event("Purchase", "2024-03-01T10:10:00Z", "carol", event_properties={"amount": 500}),
    ])
    obj = chart([{"event": "Signup", "where": [ios]}, {"event": "Purchase", "where": [big]}])

    assert run(project, obj)["converted"].tolist() == [2, 1]
    assert step_users(project, obj, 1) == ["alice", "bob"]
    assert step_users(project, obj, 2) == ["alice"]


def test_exclusion_drops_at_later_step(tmp_path):
    project = build_project(tmp_path, [
        event("Signup", "2024-03-01T10:00:00Z", "alice"),
        event("Cart", "2024-03-01T10:05:00Z", "alice"),
        event("Purchase", "2024-03-01T10:10:00Z", "alice"),
        event("Signup", "2024-03-01T10:00:00Z", "bob"),
        event("Cart", "2024-03-01T10:05:00Z", "bob"),
        event("Error", "2024-03-01T10:07:00Z", "bob"),
        event("Purchase", "2024-03-01T10:10:00Z", "bob"),
    ])
    obj = chart(["Signup", "Cart", "Purchase"], exclude=[{"event": "Error", "between": [2, 3]}])

    assert run(project, obj)["converted"].tolist() == [2, 2, 1]
    assert step_users(project, obj, 3, dropped=True) == ["bob"]


def test_exact_order_needs_adjacent_steps(tmp_path):
    project = build_project(tmp_path, [
        event("Signup", "2024-03-01T10:00:00Z", "alice"),
        event("Purchase", "2024-03-01T10:10:00Z", "alice"),
        event("Signup", "2024-03-01T10:00:00Z", "bob"),
        event("Search", "2024-03-01T10:05:00Z", "bob"),
        event("Purchase", "2024-03-01T10:10:00Z", "bob"),
        # Carol's retry converts: her second signup is directly followed by a purchase.
        event("Signup", "2024-03-01T11:00:00Z", "carol"),
        event("Search", "2024-03-01T11:05:00Z", "carol"),
        event("Signup", "2024-03-01T11:10:00Z", "carol"),
        event("Purchase", "2024-03-01T11:20:00Z", "carol"),
    ])
    obj = chart(["Signup", "Purchase"], order="exact")
    frame = run(project, obj)

    assert frame["converted"].tolist() == [3, 2]
    assert frame["median_seconds"].iloc[1] == 600.0
    assert step_users(project, obj, 2) == ["alice", "carol"]
    assert step_users(project, obj, 2, dropped=True) == ["bob"]


def test_funnel_without_starts_counts_zero(tmp_path):
    project = build_project(tmp_path, [event("Other", "2024-03-01T10:00:00Z", "alice")])
    frame = run(project, chart(["Signup", "Purchase"]))

    assert frame["converted"].tolist() == [0, 0]
    assert frame["dropped"].tolist() == [0, 0]
    assert frame["conversion"].isna().all()


@pytest.fixture(scope="module")
def random_project(tmp_path_factory):
    """Return one project of random events, shared by the tests that only read it."""
    return build_project(tmp_path_factory.mktemp("random"), _random_events(random.Random(7), users=40))


@pytest.mark.parametrize("order", ["this", "exact", "any"])
@pytest.mark.parametrize("steps", [["A", "B", "C"], ["A", "A", "B"], ["A", "B", "A", "C"], ["A", "*", "B"]])
def test_parts_add_up_and_match_lists(random_project, steps, order):
    project = random_project
    obj = chart(steps, last="2024-03-02", window="3h", order=order)
    frame = run(project, obj)
    converted = frame["converted"].tolist()

    assert converted == _reference_counts(project, obj)
    for k in range(2, len(steps) + 1):
        assert frame["converted"].iloc[k - 1] + frame["dropped"].iloc[k - 1] == converted[k - 2]
    for k in range(1, len(steps) + 1):
        assert len(step_users(project, obj, k)) == converted[k - 1]
        assert len(step_users(project, obj, k, dropped=True)) == frame["dropped"].iloc[k - 1]
        _assert_step_events(project, obj, k, dropped=False, expected=converted[k - 1])
        _assert_step_events(project, obj, k, dropped=True, expected=frame["dropped"].iloc[k - 1])
    over_time = funnel_over_time(project.cursor(), parse_chart(obj), project)
    assert over_time.groupby("step")["converted"].sum().tolist() == converted
    assert over_time.groupby("step")["dropped"].sum().tolist() == frame["dropped"].tolist()


@pytest.mark.parametrize("steps", [["A", "B", "C"], ["A", "A", "B"], ["A", "*", "B"], ["*", "A", "*"]])
def test_any_order_conversions_are_valid(random_project, steps):
    project = random_project
    obj = chart(steps, last="2024-03-02", window="3h", order="any")
    rows = project.cursor().execute(
        "SELECT seq, event_type, epoch_us(client_time) FROM events"
    ).fetchall()
    kinds = {seq: (kind, time) for seq, kind, time in rows}
    window_us = 3 * 3600 * 1_000_000

    for conversion in conversions(project, obj).values():
        used = [conversion[f"seq{k}"] for k in range(1, conversion["reached"] + 1)]
        times = [kinds[seq][1] for seq in used]
        assert len(set(used)) == len(used)
        assert all(_matches(kinds[seq][0], step) for seq, step in zip(used, steps))
        assert times == [conversion[f"t{k}"] for k in range(1, conversion["reached"] + 1)]
        assert min(times) == conversion["start_t"]
        assert max(times) <= conversion["start_t"] + window_us


def _assert_step_events(project, obj, step, dropped, expected):
    """Check that one part's step events belong to its actors, ``step`` (or ``step - 1``) events each."""
    rows = step_event_rows(project, obj, step, dropped)
    users = [user for user, _, _ in rows]
    assert len(set(users)) == expected
    assert sorted(set(users)) == step_users(project, obj, step, dropped)
    per_user = step - 1 if dropped else step
    assert all(users.count(user) == per_user for user in set(users))


def _random_events(rng: random.Random, users: int) -> list[dict]:
    """Return events of types A to D on a half-hour grid over two days, so many share a timestamp."""
    start = datetime(2024, 2, 29, 20, tzinfo=timezone.utc)
    events = []
    for user in range(users):
        for _ in range(rng.randint(1, 20)):
            time = start + timedelta(minutes=30 * rng.randint(0, 2 * 48))
            events.append(event(rng.choice("AABCD"), time.isoformat(), f"u{user:02d}", insert_id=str(len(events))))
    return events


def _reference_counts(project, obj) -> list[int]:
    """Return each step's converted count by trying every start and every choice of later events."""
    definition = parse_chart(obj)
    window = timedelta(seconds=definition.window_seconds)
    steps = [step.event for step in definition.steps]
    rows = project.cursor().execute(
        "SELECT actor_id, event_type, client_time, event_time FROM events ORDER BY actor_id, client_time, seq"
    ).fetchall()
    # Range 2024-03-01..2024-03-02 in UTC, on server time.
    first = datetime(2024, 3, 1, tzinfo=timezone.utc)
    last = datetime(2024, 3, 3, tzinfo=timezone.utc)
    # In any order a window may start at any step's event; otherwise only at step 1's.
    start_steps = steps if definition.order == "any" else steps[:1]

    best: dict[int, int] = {}
    for index, (actor, kind, client, server) in enumerate(rows):
        if not any(_matches(kind, step) for step in start_steps) or not first <= server < last:
            continue
        actor_rows = [(i, row) for i, row in enumerate(rows) if row[0] == actor]
        if definition.order == "exact":
            reached = _adjacent(actor_rows, steps, index, client + window)
        elif definition.order == "any":
            reached = _any_order(actor_rows, steps, kind, client, client + window)
        else:
            reached = _deepest(actor_rows, steps, 1, client, client + window, {index})
        best[actor] = max(best.get(actor, 0), reached)
    return [sum(1 for reached in best.values() if reached >= k) for k in range(1, len(steps) + 1)]


def _matches(kind: str, step: str) -> bool:
    return step in (kind, "*")


def _deepest(actor_rows, steps, done, previous, deadline, used) -> int:
    """Return the most steps reachable after ``done`` steps, the last one at ``previous``."""
    if done == len(steps):
        return done
    deepest = done
    for i, (_, kind, client, _) in actor_rows:
        if i not in used and _matches(kind, steps[done]) and previous <= client <= deadline:
            deepest = max(deepest, _deepest(actor_rows, steps, done + 1, client, deadline, used | {i}))
    return deepest


def _adjacent(actor_rows, steps, start, deadline) -> int:
    """Return how many steps the actor's events from ``start`` on fill one after another, without gaps."""
    later = [row for i, row in actor_rows if i >= start]
    reached = 0
    for (_, kind, client, _), step in zip(later, steps):
        if not _matches(kind, step) or client > deadline:
            break
        reached += 1
    return reached


def _any_order(actor_rows, steps, start_kind, start, deadline) -> int:
    """Return the most leading steps that distinct events of the window fill, one of them the start's step."""
    kinds = [kind for _, (_, kind, client, _) in actor_rows if start <= client <= deadline]
    for count in range(len(steps), 0, -1):
        starts_one = any(_matches(start_kind, step) for step in steps[:count])
        if starts_one and _fill_distinct(kinds, steps[:count]):
            return count
    return 0


def _fill_distinct(kinds: list[str], steps: list[str]) -> bool:
    """Return whether every step can take its own event of ``kinds`` (augmenting paths, Kuhn's algorithm)."""
    owner: dict[int, int] = {}

    def assign(step: int, seen: set[int]) -> bool:
        for index, kind in enumerate(kinds):
            if index in seen or not _matches(kind, steps[step]):
                continue
            seen.add(index)
            if index not in owner or assign(owner[index], seen):
                owner[index] = step
                return True
        return False

    return all(assign(step, set()) for step in range(len(steps)))
