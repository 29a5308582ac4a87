"""Funnels with windows of at most one day, whose chains start only at step-1 events near a step-2 event.

Time is cut into buckets one window wide (UTC days for a 1-day window), and
a start is near when its actor has a step-2 event in the start's bucket or
the next one. The other starts stop at step 1 without a chain.
"""

from __future__ import annotations

import pandas

from builders import build_project
from funnel_helpers import chart, conversions, event, micros, run, step_users


def test_step2_in_next_bucket_converts(tmp_path):
    # Alice's purchase falls on the next UTC day. Bob's is one day and one second after his signup.
    project = build_project(tmp_path, [
        event("Signup", "2024-03-01T23:00:00Z", "alice"),
        event("Purchase", "2024-03-02T22:59:59Z", "alice"),
        event("Signup", "2024-03-01T23:00:00Z", "bob"),
        event("Purchase", "2024-03-02T23:00:01Z", "bob"),
    ])
    obj = chart(["Signup", "Purchase"])

    assert run(project, obj)["converted"].tolist() == [2, 1]
    assert step_users(project, obj, 2) == ["alice"]


def test_step2_exactly_one_window_later_converts(tmp_path):
    project = build_project(tmp_path, [
        event("Signup", "2024-03-01T12:00:00Z", "alice"),
        event("Purchase", "2024-03-02T12:00:00Z", "alice"),
    ])
    alice = conversions(project, chart(["Signup", "Purchase"]))["alice"]

    assert alice["reached"] == 2
    assert alice["t2"] == micros("2024-03-02T12:00:00Z")


def test_step2_two_buckets_later_stops(tmp_path):
    # The purchase is one minute past the window and two UTC days after the signup.
    project = build_project(tmp_path, [
        event("Signup", "2024-03-01T23:59:00Z", "alice"),
        event("Purchase", "2024-03-03T00:00:00Z", "alice"),
    ])
    alice = conversions(project, chart(["Signup", "Purchase"]))["alice"]

    assert alice["reached"] == 1
    assert alice["t1"] == micros("2024-03-01T23:59:00Z")
    assert pandas.isna(alice["t2"])


def test_later_near_start_beats_earlier_far_one(tmp_path):
    project = build_project(tmp_path, [
        event("Signup", "2024-03-01T01:00:00Z", "alice"),
        event("Signup", "2024-03-03T08:00:00Z", "alice"),
        event("Purchase", "2024-03-03T09:00:00Z", "alice"),
    ])
    alice = conversions(project, chart(["Signup", "Purchase"], last="2024-03-03"))["alice"]

    assert alice["reached"] == 2
    assert alice["start_t"] == micros("2024-03-03T08:00:00Z")
    assert alice["t2"] == micros("2024-03-03T09:00:00Z")


def test_earliest_start_kept_when_none_converts(tmp_path):
    # The first signup has no purchase near it. The second has one near it, but outside its window.
    project = build_project(tmp_path, [
        event("Signup", "2024-03-01T01:00:00Z", "alice"),
        event("Signup", "2024-03-03T08:00:00Z", "alice"),
        event("Purchase", "2024-03-04T09:00:00Z", "alice"),
    ])
    obj = chart(["Signup", "Purchase"], last="2024-03-03")
    alice = conversions(project, obj)["alice"]

    assert alice["reached"] == 1
    assert alice["start_t"] == micros("2024-03-01T01:00:00Z")
    assert alice["t1"] == micros("2024-03-01T01:00:00Z")
    assert step_users(project, obj, 2, dropped=True) == ["alice"]


def test_exclusion_keeps_earliest_cut_start(tmp_path):
    # An error cuts both of alice's chains at step 2, so her earliest start is kept with one step.
    project = build_project(tmp_path, [
        event("Signup", "2024-03-01T10:00:00Z", "alice"),
        event("Signup", "2024-03-01T10:01:00Z", "alice"),
        event("Error", "2024-03-01T10:02:00Z", "alice"),
        event("Purchase", "2024-03-01T10:05:00Z", "alice"),
        event("Signup", "2024-03-01T10:00:00Z", "bob"),
        event("Error", "2024-03-01T10:02:00Z", "bob"),
        event("Signup", "2024-03-01T10:03:00Z", "bob"),
        event("Purchase", "2024-03-01T10:05:00Z", "bob"),
    ])
    obj = chart(["Signup", "Purchase"], exclude=[{"event": "Error", "between": [1, 2]}])
    found = conversions(project, obj)

    assert found["alice"]["reached"] == 1
    assert found["alice"]["start_t"] == micros("2024-03-01T10:00:00Z")
    assert found["bob"]["reached"] == 2
    assert found["bob"]["start_t"] == micros("2024-03-01T10:03:00Z")
    assert run(project, obj)["converted"].tolist() == [2, 1]


def test_three_steps_from_near_start(tmp_path):
    # Only the second signup is near a cart, and its chain goes on to the purchase the next day.
    project = build_project(tmp_path, [
        event("Signup", "2024-03-01T02:00:00Z", "alice"),
        event("Signup", "2024-03-03T20:00:00Z", "alice"),
        event("Cart", "2024-03-03T21:00:00Z", "alice"),
        event("Purchase", "2024-03-04T19:00:00Z", "alice"),
        event("Purchase", "2024-03-04T21:00:00Z", "bob"),
    ])
    alice = conversions(project, chart(["Signup", "Cart", "Purchase"], last="2024-03-03"))["alice"]

    assert alice["reached"] == 3
    assert alice["start_t"] == micros("2024-03-03T20:00:00Z")
    assert alice["t3"] == micros("2024-03-04T19:00:00Z")
