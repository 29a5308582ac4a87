"""A sum or average of a text property: the values stay 0 and stderr explains why."""

from __future__ import annotations

import csv
import io
import json

from builders import build_project
from tui.analytics.definition import parse_chart
from tui.analytics.measure_values import non_numeric_note, numeric_properties
from tui.cli import main

EVENTS = [
    {"event_type": "Purchase", "event_time": "2024-03-09T10:00:00Z", "user_id": "a", "plan": "pro", "amount": 12},
    {"event_type": "Purchase", "event_time": "2024-03-10T10:00:00Z", "user_id": "b", "plan": "free", "amount": "3.5"},
    {"event_type": "Purchase", "event_time": "2024-03-10T11:00:00Z", "user_id": "c", "plan": "pro"},
]


def sum_chart(measure: str) -> dict:
    return {
        "type": "segmentation",
        "events": [{"event": "Purchase"}],
        "measure": measure,
        "interval": "day",
        "range": {"from": "2024-03-09", "to": "2024-03-10"},
    }


def run_chart(tmp_path, measure: str, capsys) -> tuple[int, list[dict], str]:
    with build_project(tmp_path, EVENTS) as project:
        path = project.path
    chart = tmp_path / "chart.json"
    chart.write_text(json.dumps(sum_chart(measure)), encoding="utf-8")

    status = main(["chart", str(chart), "--project", str(path), "--format", "csv"])

    output = capsys.readouterr()
    return status, list(csv.DictReader(io.StringIO(output.out))), output.err


def test_text_sum_warns_on_stderr(tmp_path, capsys):
    status, rows, err = run_chart(tmp_path, "sum:plan", capsys)

    assert status == 0
    assert [row["value"] for row in rows] == ["0.0", "0.0"]
    assert err == "Warning: 'plan' has no numeric values in this range, so its sum is 0.\n"


def test_numeric_sum_has_no_warning(tmp_path, capsys):
    status, rows, err = run_chart(tmp_path, "sum:amount", capsys)

    assert status == 0
    assert [row["value"] for row in rows] == ["12.0", "3.5"]
    assert err == ""


def test_note_and_numeric_properties(tmp_path):
    with build_project(tmp_path, EVENTS) as project:
        cursor = project.cursor()
        average = non_numeric_note(cursor, parse_chart(sum_chart("avg:plan")), project)
        unset = non_numeric_note(cursor, parse_chart(sum_chart("sum:missing")), project)
        numeric = numeric_properties(cursor, ["amount", "plan", "missing"], "Purchase")

    assert average == "'plan' has no numeric values in this range, so its average is 0."
    # No event sets the property, so no value was skipped and there is nothing to explain.
    assert unset is None
    assert numeric == {"amount"}
