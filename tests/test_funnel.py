"""Funnel counts and step actor lists against values worked out by hand on small imported projects."""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta, timezone

import pytest

from builders import build_project
from tui.analytics.definition import DefinitionError, parse_chart
from tui.analytics.funnel import funnel, funnel_step_actors_sql


def chart(steps, first="2024-03-01", last="2024-03-01", **changes) -> dict:
    """Return a funnel chart of ``steps`` (names or step objects) over ``first``..``last``."""
    specs = [{"event": step} if isinstance(step, str) else step for step in steps]
    obj = {"type": "funnel", "steps": specs, "range": {"from": first, "to": last}}
    obj.update(changes)
    return obj


def event(event_type, time, user=None, device=None, **fields) -> dict:
    return {"event_type": event_type, "event_time": time, "user_id": user, "device_id": device, **fields}


def run(project, obj):
    return funnel(project.cursor(), parse_chart(obj), project)


def step_users(project, obj, step, dropped=False) -> list[str]:
    """Return the user ids (device ids for anonymous actors) in one step's converted or dropped part."""
    sql, params = funnel_step_actors_sql(parse_chart(obj), project, step, dropped)
    rows = project.cursor().execute(
        f"SELECT coalesce(actors.user_id, actors.device_id) FROM ({sql}) AS part "
        "JOIN actors USING (actor_id) ORDER BY 1",
        params,
    ).fetchall()
    return [name for (name,) in rows]


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


def test_unsupported_order_is_rejected(tmp_path):
    project = build_project(tmp_path, [event("Signup", "2024-03-01T10:00:00Z", "alice")])

    with pytest.raises(DefinitionError, match="order: 'any' is not supported yet"):
        run(project, chart(["Signup", "Purchase"], order="any"))


def test_funnel_without_starts_counts_zero(tmp_path):
    project = build_project(tmp_path, [event("Other", "2024-03-01T10:00:00Z", "alice")])
    frame = run(project, chart(["Signup", "Purchase"]))

    assert frame["converted"].tolist() == [0, 0]
    assert frame["dropped"].tolist() == [0, 0]
    assert frame["conversion"].isna().all()


@pytest.mark.parametrize("order", ["this", "exact"])
@pytest.mark.parametrize("steps", [["A", "B", "C"], ["A", "A", "B"], ["A", "B", "A", "C"]])
def test_parts_add_up_and_match_lists(tmp_path, steps, order):
    project = build_project(tmp_path, _random_events(random.Random(7), users=40))
    obj = chart(steps, last="2024-03-02", window="3h", order=order)
    frame = run(project, obj)
    converted = frame["converted"].tolist()

    assert converted == _reference_counts(project, obj)
    for k in range(2, len(steps) + 1):
        assert frame["converted"].iloc[k - 1] + frame["dropped"].iloc[k - 1] == converted[k - 2]
    for k in range(1, len(steps) + 1):
        assert len(step_users(project, obj, k)) == converted[k - 1]
        assert len(step_users(project, obj, k, dropped=True)) == frame["dropped"].iloc[k - 1]


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

    best: dict[int, int] = {}
    for index, (actor, kind, client, server) in enumerate(rows):
        if kind != steps[0] or not first <= server < last:
            continue
        actor_rows = [(i, row) for i, row in enumerate(rows) if row[0] == actor]
        if definition.order == "exact":
            reached = _adjacent(actor_rows, steps, index, client + window)
        else:
            reached = _deepest(actor_rows, steps, 1, client, client + window, {index})
        best[actor] = max(best.get(actor, 0), reached)
    return [sum(1 for reached in best.values() if reached >= k) for k in range(1, len(steps) + 1)]


def _deepest(actor_rows, steps, done, previous, deadline, used) -> int:
    """Return the most steps reachable after ``done`` steps, the last one at ``previous``."""
    if done == len(steps):
        return done
    deepest = done
    for i, (_, kind, client, _) in actor_rows:
        if i not in used and kind == steps[done] and previous <= client <= deadline:
            deepest = max(deepest, _deepest(actor_rows, steps, done + 1, client, deadline, used | {i}))
    return deepest


def _adjacent(actor_rows, steps, start, deadline) -> int:
    """Return how many steps the actor's events from ``start`` on fill one after another, without gaps."""
    later = [row for i, row in actor_rows if i >= start]
    reached = 0
    for (_, kind, client, _), step in zip(later, steps):
        if kind != step or client > deadline:
            break
        reached += 1
    return reached
