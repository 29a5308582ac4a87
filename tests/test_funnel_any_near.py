"""Funnels in any order whose window pass reads only the buckets with events of both step 1 and step 2.

With a 1-day window the buckets are UTC days. An actor without such a window
keeps the earliest step-1 event of the range, at one step.
"""

from __future__ import annotations

import pandas

from builders import build_project
from funnel_helpers import chart, conversions, event, micros, run, step_users


def test_step2_then_step1_across_midnight_converts(tmp_path):
    project = build_project(tmp_path, [
        event("Purchase", "2024-03-01T23:30:00Z", "alice"),
        event("Signup", "2024-03-02T00:20:00Z", "alice"),
    ])
    obj = chart(["Signup", "Purchase"], order="any")
    alice = conversions(project, obj)["alice"]

    assert run(project, obj)["converted"].tolist() == [1, 1]
    assert alice["reached"] == 2
    assert alice["start_t"] == micros("2024-03-01T23:30:00Z")
    assert alice["t1"] == micros("2024-03-02T00:20:00Z")


def test_steps_two_buckets_apart_reach_one(tmp_path):
    # Alice's purchase is two UTC days after her signups, so she keeps the earlier signup at one step.
    project = build_project(tmp_path, [
        event("Signup", "2024-03-01T08:00:00Z", "alice", insert_id="a1"),
        event("Signup", "2024-03-01T09:00:00Z", "alice", insert_id="a2"),
        event("Purchase", "2024-03-03T10:00:00Z", "alice", insert_id="a3"),
    ])
    obj = chart(["Signup", "Purchase"], last="2024-03-03", order="any")
    alice = conversions(project, obj)["alice"]

    assert run(project, obj)["converted"].tolist() == [1, 0]
    assert alice["reached"] == 1
    assert alice["start_t"] == micros("2024-03-01T08:00:00Z")
    assert alice["t1"] == micros("2024-03-01T08:00:00Z")
    assert pandas.isna(alice["t2"])


def test_excluded_window_keeps_earliest_signup(tmp_path):
    # Bob's only window with both steps contains an excluded event, so his earliest signup wins at one step.
    project = build_project(tmp_path, [
        event("Signup", "2024-03-01T01:00:00Z", "bob"),
        event("Signup", "2024-03-02T10:00:00Z", "bob"),
        event("Refund", "2024-03-02T10:10:00Z", "bob"),
        event("Purchase", "2024-03-02T10:20:00Z", "bob"),
    ])
    obj = chart(
        ["Signup", "Purchase"], last="2024-03-02", order="any",
        exclude=[{"event": "Refund", "between": [1, 2]}],
    )
    bob = conversions(project, obj)["bob"]

    assert run(project, obj)["converted"].tolist() == [1, 0]
    assert step_users(project, obj, 2, dropped=True) == ["bob"]
    assert bob["reached"] == 1
    assert bob["start_t"] == micros("2024-03-01T01:00:00Z")
    assert bob["t1"] == micros("2024-03-01T01:00:00Z")


def test_step1_only_actor_reaches_one(tmp_path):
    project = build_project(tmp_path, [
        event("Signup", "2024-03-01T10:00:00Z", "carol"),
        event("Signup", "2024-03-01T12:00:00Z", "dan"),
        event("Purchase", "2024-03-01T12:30:00Z", "dan"),
        event("Purchase", "2024-03-01T13:00:00Z", "erin"),
    ])
    obj = chart(["Signup", "Purchase"], order="any")

    assert run(project, obj)["converted"].tolist() == [2, 1]
    assert step_users(project, obj, 1) == ["carol", "dan"]
    assert step_users(project, obj, 2) == ["dan"]
