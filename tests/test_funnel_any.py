"""Funnels in any order: counts, kept windows and time to convert, worked out by hand."""

from __future__ import annotations

import math

from builders import build_project
from funnel_helpers import chart, conversions, event, micros, run, step_users


def test_step_two_before_step_one_converts(tmp_path):
    project = build_project(tmp_path, [
        event("Purchase", "2024-03-01T10:00:00Z", "alice"),
        event("Signup", "2024-03-01T10:30:00Z", "alice"),
    ])
    steps = ["Signup", "Purchase"]
    frame = run(project, chart(steps, order="any"))

    assert frame["converted"].tolist() == [1, 1]
    # Time to convert runs from the window's start, the purchase.
    assert frame["median_seconds"].tolist() == [1800.0, 0.0]
    assert run(project, chart(steps))["converted"].tolist() == [1, 0]


def test_repeated_step_events_use_earliest(tmp_path):
    project = build_project(tmp_path, [
        event("B", "2024-03-01T10:00:00Z", "alice"),
        event("B", "2024-03-01T10:05:00Z", "alice"),
        event("A", "2024-03-01T10:10:00Z", "alice"),
        event("A", "2024-03-01T10:20:00Z", "alice"),
        event("C", "2024-03-01T10:30:00Z", "alice"),
    ])
    obj = chart(["A", "B", "C"], order="any", window="1h")
    frame = run(project, obj)
    alice = conversions(project, obj)["alice"]

    assert frame["converted"].tolist() == [1, 1, 1]
    assert alice["reached"] == 3
    assert alice["start_t"] == micros("2024-03-01T10:00:00Z")
    assert alice["t1"] == micros("2024-03-01T10:10:00Z")
    assert alice["t2"] == micros("2024-03-01T10:00:00Z")
    assert alice["t3"] == micros("2024-03-01T10:30:00Z")
    assert frame["median_seconds"].tolist() == [600.0, 0.0, 1800.0]


def test_same_event_as_two_steps_needs_two_events(tmp_path):
    project = build_project(tmp_path, [
        event("View", "2024-03-01T10:00:00Z", "alice"),
        event("Cart", "2024-03-01T10:05:00Z", "alice"),
        event("View", "2024-03-01T10:00:00Z", "bob"),
        event("Cart", "2024-03-01T10:05:00Z", "bob"),
        event("View", "2024-03-01T10:10:00Z", "bob"),
        # Two views at one timestamp are two events.
        event("Cart", "2024-03-01T09:00:00Z", "carol"),
        event("View", "2024-03-01T09:30:00Z", "carol", insert_id="c1"),
        event("View", "2024-03-01T09:30:00Z", "carol", insert_id="c2"),
    ])
    obj = chart(["View", "Cart", "View"], order="any")

    assert run(project, obj)["converted"].tolist() == [3, 3, 2]
    assert step_users(project, obj, 3) == ["bob", "carol"]
    assert step_users(project, obj, 3, dropped=True) == ["alice"]
    carol = conversions(project, obj)["carol"]
    assert carol["seq1"] != carol["seq3"]
    assert carol["t1"] == carol["t3"] == micros("2024-03-01T09:30:00Z")


def test_any_event_step_needs_its_own_event(tmp_path):
    project = build_project(tmp_path, [
        event("Signup", "2024-03-01T10:00:00Z", "alice"),
        event("Signup", "2024-03-01T10:00:00Z", "bob"),
        event("Search", "2024-03-01T10:20:00Z", "bob"),
        # The any-event step takes the search, so the purchase is left for step 2.
        event("Purchase", "2024-03-01T10:00:00Z", "carol"),
        event("Search", "2024-03-01T10:00:00Z", "carol"),
    ])

    assert run(project, chart(["Signup", "*"], order="any"))["converted"].tolist() == [2, 1]
    obj = chart(["*", "Purchase"], order="any")
    assert run(project, obj)["converted"].tolist() == [3, 1]
    assert step_users(project, obj, 2) == ["carol"]


def test_window_edge_is_inclusive(tmp_path):
    project = build_project(tmp_path, [
        event("Purchase", "2024-03-01T10:00:00Z", "alice"),
        event("Signup", "2024-03-01T11:00:00Z", "alice"),
        event("Purchase", "2024-03-01T10:00:00Z", "bob"),
        event("Signup", "2024-03-01T11:00:01Z", "bob"),
    ])
    obj = chart(["Signup", "Purchase"], order="any", window="1h")

    assert run(project, obj)["converted"].tolist() == [2, 1]
    assert step_users(project, obj, 2, dropped=True) == ["bob"]
    # Bob's window opens at his signup, since a window opened by the purchase reaches no step.
    assert conversions(project, obj)["bob"]["start_t"] == micros("2024-03-01T11:00:01Z")


def test_window_starts_at_a_step_event_it_uses(tmp_path):
    project = build_project(tmp_path, [
        # C cannot open a window that reaches only step 1, so the window opens at A.
        event("C", "2024-03-01T10:00:00Z", "alice"),
        event("A", "2024-03-01T10:10:00Z", "alice"),
    ])
    obj = chart(["A", "B", "C"], order="any")
    alice = conversions(project, obj)["alice"]

    assert run(project, obj)["converted"].tolist() == [1, 0, 0]
    assert alice["start_t"] == alice["t1"] == micros("2024-03-01T10:10:00Z")


def test_range_selects_window_starts(tmp_path):
    project = build_project(tmp_path, [
        # A window opened in the range reaches events after it.
        event("Signup", "2024-03-01T23:30:00Z", "alice"),
        event("Purchase", "2024-03-02T00:30:00Z", "alice"),
        # The purchase before the range opens no window, and the signup's window starts after it.
        event("Purchase", "2024-02-29T23:50:00Z", "bob"),
        event("Signup", "2024-03-01T00:10:00Z", "bob"),
    ])
    obj = chart(["Signup", "Purchase"], order="any")

    assert run(project, obj)["converted"].tolist() == [2, 1]
    assert step_users(project, obj, 2) == ["alice"]


def test_exclusion_in_window_drops_at_later_step(tmp_path):
    project = build_project(tmp_path, [
        event("A", "2024-03-01T10:00:00Z", "alice"),
        event("B", "2024-03-01T10:10:00Z", "alice"),
        event("C", "2024-03-01T10:20:00Z", "alice"),
        event("B", "2024-03-01T10:00:00Z", "bob"),
        event("Error", "2024-03-01T10:05:00Z", "bob"),
        event("C", "2024-03-01T10:10:00Z", "bob"),
        event("A", "2024-03-01T10:20:00Z", "bob"),
        # An excluded event after the steps, still inside the window, counts too.
        event("A", "2024-03-01T10:00:00Z", "carol"),
        event("B", "2024-03-01T10:10:00Z", "carol"),
        event("C", "2024-03-01T10:20:00Z", "carol"),
        event("Error", "2024-03-01T10:50:00Z", "carol"),
        # A later window without the excluded event converts.
        event("A", "2024-03-01T08:00:00Z", "dave"),
        event("Error", "2024-03-01T08:10:00Z", "dave"),
        event("C", "2024-03-01T08:20:00Z", "dave"),
        event("B", "2024-03-01T09:30:00Z", "dave"),
        event("A", "2024-03-01T09:35:00Z", "dave"),
        event("C", "2024-03-01T09:40:00Z", "dave"),
    ])
    obj = chart(["A", "B", "C"], order="any", window="1h", exclude=[{"event": "Error", "between": [2, 3]}])

    assert run(project, obj)["converted"].tolist() == [4, 4, 2]
    assert step_users(project, obj, 3) == ["alice", "dave"]
    assert step_users(project, obj, 3, dropped=True) == ["bob", "carol"]
    assert conversions(project, obj)["dave"]["start_t"] == micros("2024-03-01T09:30:00Z")


def test_anonymous_steps_count_for_identified_user(tmp_path):
    project = build_project(tmp_path, [
        event("Purchase", "2024-03-01T10:00:00Z", device="d1"),
        event("Visit", "2024-03-01T10:05:00Z", device="d1"),
        event("Signup", "2024-03-01T10:20:00Z", "erin", "d1"),
    ])
    obj = chart(["Signup", "Visit", "Purchase"], order="any")

    assert run(project, obj)["converted"].tolist() == [1, 1, 1]
    assert step_users(project, obj, 3) == ["erin"]


def test_unicode_and_markup_step_names(tmp_path):
    project = build_project(tmp_path, [
        event("[bold]注文[/bold]", "2024-03-01T10:00:00Z", "zoë"),
        event("Ünïcode 🚀", "2024-03-01T09:00:00Z", "zoë"),
    ])
    obj = chart(["Ünïcode 🚀", "[bold]注文[/bold]"], order="any")
    frame = run(project, obj)

    assert frame["event"].tolist() == ["Ünïcode 🚀", "[bold]注文[/bold]"]
    assert frame["converted"].tolist() == [1, 1]
    assert step_users(project, obj, 2) == ["zoë"]


def test_no_window_reaches_step_one(tmp_path):
    project = build_project(tmp_path, [event("Purchase", "2024-03-01T10:00:00Z", "alice")])
    frame = run(project, chart(["Signup", "Purchase"], order="any"))

    assert frame["converted"].tolist() == [0, 0]
    assert math.isnan(frame["median_seconds"].iloc[0])
