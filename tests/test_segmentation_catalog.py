"""The chart builder's catalog: event types, property names and top property values."""

from __future__ import annotations

import pytest

from builders import build_project
from tui.analytics.catalog import event_types, property_names, property_values


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """One project for the whole module: the tests only read it."""
    events = [
        {"event_type": "Buy", "event_time": "2024-03-01T10:00:00Z", "user_id": "a",
         "event_properties": {"price": 10, "item.kind": "book"}, "user_properties": {"plan": "pro"}, "platform": "iOS"},
        {"event_type": "Buy", "event_time": "2024-03-01T11:00:00Z", "user_id": "a",
         "event_properties": {"price": 3, "item.kind": "pen"}, "user_properties": {"plan": "pro"}},
        {"event_type": "Buy", "event_time": "2024-03-01T12:00:00Z", "user_id": "b",
         "event_properties": {"price": 3, "item.kind": "pen"}},
        {"event_type": "Open", "event_time": "2024-03-01T12:00:00Z", "user_id": "b",
         "event_properties": {"screen": "home"}, "user_properties": {"age": 30}, "country": "DE"},
        {"event_type": "Open", "event_time": "2024-03-01T13:00:00Z", "device_id": "d1"},
        {"event_type": "Close", "event_time": "2024-03-01T13:00:00Z", "device_id": "d1"},
    ]
    with build_project(tmp_path_factory.mktemp("catalog"), events) as built:
        yield built


def test_event_types_with_counts(project):
    frame = event_types(project.cursor())

    assert frame.to_dict("records") == [
        {"event_type": "Buy", "events": 3, "users": 2},
        {"event_type": "Open", "events": 2, "users": 2},
        {"event_type": "Close", "events": 1, "users": 1},
    ]


def test_property_names_of_one_event(project):
    frame = property_names(project.cursor(), "Buy")

    assert frame.to_dict("records") == [
        {"property": "item.kind", "kind": "event"},
        {"property": "price", "kind": "event"},
        {"property": "user.plan", "kind": "user"},
        {"property": "platform", "kind": "column"},
        {"property": "event_type", "kind": "column"},
        {"property": "user_id", "kind": "column"},
    ]


def test_property_names_of_any_event(project):
    frame = property_names(project.cursor())

    assert frame[frame["kind"] == "event"]["property"].tolist() == ["item.kind", "price", "screen"]
    assert frame[frame["kind"] == "user"]["property"].tolist() == ["user.age", "user.plan"]
    assert frame[frame["kind"] == "column"]["property"].tolist() == [
        "platform", "country", "event_type", "user_id", "device_id",
    ]


def test_property_values_by_frequency(project):
    kinds = property_values(project.cursor(), "item.kind", "Buy", limit=10)
    prices = property_values(project.cursor(), "price", None, limit=1)
    plans = property_values(project.cursor(), "user.plan")

    assert kinds.to_dict("records") == [{"value": "pen", "events": 2}, {"value": "book", "events": 1}]
    assert prices.to_dict("records") == [{"value": "3", "events": 2}]
    assert plans.to_dict("records") == [{"value": "pro", "events": 2}]
