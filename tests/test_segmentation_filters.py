"""``where`` items on event properties, user properties and columns, counted as event totals."""

from __future__ import annotations

import pytest

from builders import build_project
from tui.analytics.definition import parse_chart
from tui.analytics.filters import json_pointer, quote_identifier
from tui.analytics.segmentation import segmentation

# Odd property names: each must select exactly its own key.
ODD_NAMES = ["a.b", 'say "hi"', "it's", "a/b", "~tilde", "$dollar", "ünïcødé ключ", " ", "[0]", "x" * 300]


def totals(project, where) -> float:
    """Return the number of ``Buy`` events on 2024-03-01 that pass ``where``."""
    obj = {
        "type": "segmentation",
        "events": [{"event": "Buy", "where": where}],
        "measure": "totals",
        "range": {"from": "2024-03-01", "to": "2024-03-01"},
    }
    return segmentation(project.cursor(), parse_chart(obj), project)["value"].iloc[0]


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """One project for the whole module: the tests only read it."""
    properties = [
        {"price": 10, "size": "M", "tags": "red,blue", "flag": True},
        {"price": "2.5", "size": "L", "tags": "Blue", "flag": False},
        {"price": "free", "size": "S"},
        {"price": None, "size": "XL"},
        {"size": "M"},
    ]
    events = [
        {"event_type": "Buy", "event_time": f"2024-03-01T1{index}:00:00Z", "user_id": f"u{index}",
         "event_properties": props, "platform": ["iOS", "Web", None, "iOS", "Android"][index],
         "user_properties": {"age": [30, 17, "unknown", 45, None][index]}}
        for index, props in enumerate(properties)
    ]
    odd = {name: f"value of {name}" for name in ODD_NAMES}
    events.append({"event_type": "Buy", "event_time": "2024-03-01T20:00:00Z", "user_id": "odd", "event_properties": odd})
    with build_project(tmp_path_factory.mktemp("filters"), events) as built:
        yield built


@pytest.mark.parametrize("name", ODD_NAMES)
def test_odd_property_names_select_their_key(project, name):
    assert totals(project, [{"property": name, "op": "=", "value": f"value of {name}"}]) == 1
    assert totals(project, [{"property": name, "op": "set"}]) == 1


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"property": "size", "op": "=", "value": "M"}, 2),
        ({"property": "size", "op": "!=", "value": "M"}, 4),        # includes the event without a size
        ({"property": "size", "op": "in", "value": ["S", "L"]}, 2),
        ({"property": "size", "op": "not in", "value": ["S", "L"]}, 4),
        ({"property": "tags", "op": "contains", "value": "BLUE"}, 2),  # case is ignored
        ({"property": "price", "op": ">", "value": 2.5}, 1),
        ({"property": "price", "op": ">=", "value": 2.5}, 2),
        ({"property": "price", "op": "<", "value": 10}, 1),
        ({"property": "price", "op": "<=", "value": 10}, 2),
        ({"property": "price", "op": "=", "value": 10}, 1),
        ({"property": "price", "op": "=", "value": "free"}, 1),
        ({"property": "price", "op": "in", "value": [2.5, "free"]}, 2),
        ({"property": "price", "op": "!=", "value": 10}, 5),
        ({"property": "price", "op": "set"}, 3),                    # JSON null counts as not set
        ({"property": "price", "op": "not set"}, 3),
        ({"property": "size", "op": "<", "value": "M"}, 1),         # text compares as text: "L" < "M"
        ({"property": "flag", "op": "=", "value": True}, 1),
        ({"property": "flag", "op": "=", "value": False}, 1),
        ({"property": "platform", "op": "=", "value": "iOS"}, 2),
        ({"property": "platform", "op": "not set"}, 2),
        ({"property": "user_id", "op": "in", "value": ["u1", "u4"]}, 2),
        ({"property": "event_type", "op": "=", "value": "Buy"}, 6),
        ({"property": "user.age", "op": ">=", "value": 18}, 2),
        ({"property": "user.age", "op": "<", "value": 18}, 1),
        ({"property": "user.age", "op": "=", "value": "unknown"}, 1),
        ({"property": "user.age", "op": "not set"}, 2),
    ],
    ids=lambda value: str(value) if not isinstance(value, dict) else f"{value['property']} {value['op']}",
)
def test_operators(project, condition, expected):
    assert totals(project, [condition]) == expected


def test_filters_combine_with_and(project):
    where = [{"property": "platform", "op": "=", "value": "iOS"}, {"property": "size", "op": "=", "value": "M"}]

    assert totals(project, where) == 1


def test_values_with_sql_text_are_data(project):
    hostile = "M' OR '1'='1"

    assert totals(project, [{"property": hostile, "op": "=", "value": hostile}]) == 0
    assert totals(project, [{"property": "size", "op": "=", "value": hostile}]) == 0


def test_quote_identifier_and_json_pointer():
    assert quote_identifier('we"ird') == '"we""ird"'
    assert json_pointer("a/b~c") == "/a~1b~0c"
    assert json_pointer("") == "/"
