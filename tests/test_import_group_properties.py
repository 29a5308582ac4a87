"""Group properties from Amplitude and PostHog lines: the latest value by event time wins, across imports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tui.store.importing import import_files
from tui.store.project import create_project, open_project

UNICODE_COMPANY = "Ünïcode [bold]GmbH[/]"


def amplitude_event(hour: int, user_id: str, groups: dict, group_properties=None, event_type: str = "Open") -> dict:
    moment = f"2024-03-01 {hour:02d}:00:00.000000"
    event = {
        "event_type": event_type, "event_time": moment, "client_event_time": moment, "user_id": user_id,
        "device_id": f"d-{user_id}", "session_id": 1, "groups": groups,
    }
    if group_properties is not None:
        event["group_properties"] = group_properties
    return event


def posthog_event(minute: int, distinct_id: str, event: str = "$pageview", **properties) -> dict:
    return {
        "uuid": f"0190a1b2-0000-7000-8000-{minute:012d}", "event": event,
        "timestamp": f"2024-03-01T10:{minute:02d}:00.000Z", "distinct_id": distinct_id,
        "properties": {"$device_id": f"d-{distinct_id}", **properties},
    }


def group_identify(minute: int, group_type: str, group_key, group_set) -> dict:
    return posthog_event(
        minute, "admin", "$groupidentify", **{"$group_type": group_type, "$group_key": group_key, "$group_set": group_set}
    )


def import_lines(tmp_path: Path, lines: list, format: str, name: str):
    source = tmp_path / name
    source.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    path = tmp_path / "p.duckdb"
    project = open_project(path) if path.exists() else create_project(path)
    summary = import_files(project, [source], format=format)
    return project, summary


def group_properties(project) -> dict:
    rows = project.con.execute("SELECT group_type, group_name, properties FROM groups").fetchall()
    return {(group_type, name): json.loads(properties) for group_type, name, properties in rows}


@pytest.fixture
def amplitude_project(tmp_path):
    project, summary = import_lines(tmp_path, [
        amplitude_event(10, "alice", {"company": "Acme"}, {"company": {"Acme": {"plan": "free", "seats": 3}}}),
        # Sent later than the next line, though earlier in the file: its plan wins.
        amplitude_event(12, "bob", {"company": "Acme"}, {"company": {"Acme": {"plan": "pro", "city": "Zürich"}}}),
        # A JSON null is no value, so seats keeps 3.
        amplitude_event(11, "bob", {"company": "Acme"}, {"company": {"Acme": {"plan": "team", "seats": None}}}),
        amplitude_event(11, "bob", {"company": "Globex"}),
        amplitude_event(9, "carol", {"company": UNICODE_COMPANY},
                        {"company": {UNICODE_COMPANY: {"ort": "Köln ☕", "tags": ["a", "b"]}}}),
        amplitude_event(13, "bob", {"company": "Initech", "team": "red"}, {"$set": {"plan": "enterprise"}},
                        event_type="$groupidentify"),
    ], "amplitude", "first.jsonl")
    assert summary.rejected_count == 0
    yield project
    project.close()


def test_amplitude_latest_value_wins(amplitude_project):
    properties = group_properties(amplitude_project)

    assert properties[("company", "Acme")] == {"plan": "pro", "seats": 3, "city": "Zürich"}


def test_amplitude_group_without_properties(amplitude_project):
    assert group_properties(amplitude_project)[("company", "Globex")] == {}


def test_amplitude_unicode_names_and_values(amplitude_project):
    properties = group_properties(amplitude_project)

    assert properties[("company", UNICODE_COMPANY)] == {"ort": "Köln ☕", "tags": ["a", "b"]}


def test_amplitude_set_applies_to_event_groups(amplitude_project):
    properties = group_properties(amplitude_project)

    assert properties[("company", "Initech")] == {"plan": "enterprise"}
    assert properties[("team", "red")] == {"plan": "enterprise"}


def test_older_import_does_not_overwrite(amplitude_project, tmp_path):
    amplitude_project.close()
    project, summary = import_lines(tmp_path, [
        amplitude_event(8, "dave", {"company": "Acme"}, {"company": {"Acme": {"plan": "trial", "region": "EU"}}}),
        amplitude_event(14, "dave", {"company": "Globex"}, {"company": {"Globex": {"plan": "pro"}}}),
    ], "amplitude", "second.jsonl")
    properties = group_properties(project)
    project.close()

    assert summary.imported == 2
    # Only region is new: the older event's plan loses to the 12:00 one.
    assert properties[("company", "Acme")] == {"plan": "pro", "seats": 3, "city": "Zürich", "region": "EU"}
    assert properties[("company", "Globex")] == {"plan": "pro"}


def test_reimport_keeps_properties(amplitude_project, tmp_path):
    before = group_properties(amplitude_project)
    updates = amplitude_project.con.execute("SELECT count(*) FROM group_property_updates").fetchone()[0]
    amplitude_project.close()

    project = open_project(tmp_path / "p.duckdb")
    summary = import_files(project, [tmp_path / "first.jsonl"], format="amplitude")

    assert summary.imported == 0
    assert group_properties(project) == before
    assert project.con.execute("SELECT count(*) FROM group_property_updates").fetchone()[0] == updates
    project.close()


def test_amplitude_bad_group_properties_rejected(tmp_path):
    project, summary = import_lines(tmp_path, [
        amplitude_event(10, "alice", {"company": "Acme"}, "not an object"),
        amplitude_event(11, "alice", {"company": "Acme"}, {"company": {"Acme": {"plan": "free"}}}),
    ], "amplitude", "bad.jsonl")
    properties = group_properties(project)
    project.close()

    assert summary.rejected_count == 1
    rejection = summary.rejected[0]
    assert (rejection.line, rejection.field, rejection.reason) == (1, "group_properties", "not a JSON object")
    assert properties[("company", "Acme")] == {"plan": "free"}


def test_posthog_groupidentify(tmp_path):
    project, summary = import_lines(tmp_path, [
        posthog_event(0, "alice", **{"$groups": {"company": "acme"}}),
        group_identify(5, "company", "acme", {"name": "Acme Ltd", "employees": 40}),
        group_identify(1, "company", "acme", {"name": "Acme (old)", "industry": "café"}),
        posthog_event(2, "bob", **{"$groups": {"company": "globex"}}),
    ], "posthog", "posthog.jsonl")
    properties = group_properties(project)
    project.close()

    assert summary.rejected_count == 0
    assert properties[("company", "acme")] == {"name": "Acme Ltd", "employees": 40, "industry": "café"}
    assert properties[("company", "globex")] == {}


def test_posthog_identify_before_group_seen(tmp_path):
    project, _ = import_lines(tmp_path, [group_identify(1, "company", 42, {"plan": "pro"})], "posthog", "a.jsonl")
    assert group_properties(project) == {}
    project.close()

    project, _ = import_lines(tmp_path, [posthog_event(3, "alice", **{"$groups": {"company": "42"}})],
                              "posthog", "b.jsonl")
    properties = group_properties(project)
    project.close()

    assert properties == {("company", "42"): {"plan": "pro"}}


def test_posthog_bad_group_set_rejected(tmp_path):
    project, summary = import_lines(tmp_path, [group_identify(1, "company", "acme", "pro")], "posthog", "bad.jsonl")
    project.close()

    assert summary.rejected_count == 1
    rejection = summary.rejected[0]
    assert (rejection.line, rejection.field, rejection.reason) == (1, "properties.$group_set", "not a JSON object")
