"""Amplitude files read by DuckDB's JSON reader agree with the line-by-line form; times parse by hand-checked rules."""

from __future__ import annotations

import gzip
import json
from datetime import datetime, timezone

import pytest

from tui.store.importing import import_files
from tui.store.project import create_project

UTC = timezone.utc


def amplitude_event(number: int, **fields) -> dict:
    event = {
        "event_type": "Open", "event_time": f"2024-03-01 10:00:{number:02d}.250000",
        "client_event_time": f"2024-03-01 09:59:{number:02d}.125000", "user_id": f"user-{number}",
        "device_id": f"device-{number}", "session_id": 1709287200000, "$insert_id": f"insert-{number}",
        "event_properties": {"page": "/home", "position": 3}, "user_properties": {"plan": "pro"},
        "groups": {}, "group_properties": {}, "platform": "iOS", "os_name": "ios", "country": "France",
        "city": "Paris", "version_name": "3.0.0", "data": {"path": "/2/httpapi"}, "amplitude_id": 7,
    }
    return event | fields


# Hard cases: numbers and objects where text is expected, JSON nulls, unicode, a blank insert id,
# offsets and epoch numbers in the times, and an anonymous event.
HARD_EVENTS = [
    amplitude_event(1),
    amplitude_event(2, event_type=123, user_properties=None, groups=None, event_properties={"ü": "é\n", "n": 1.50}),
    amplitude_event(3, event_type="Ω ☕ [b]x[/b]", event_time="2024-03-01T12:00:03+02:00", user_id="null",
                    session_id=-1, platform={"kind": "phone"}),
    amplitude_event(4, event_time=1709287204, client_event_time=1709287203500, **{"$insert_id": ""},
                    version_name=3.0, groups={"company": "Acme"},
                    group_properties={"company": {"Acme": {"plan": "team"}}}),
    amplitude_event(5, user_id=None, device_id="device-anonymous"),
]


def write_lines(path, lines: list[str]):
    text = "\n".join(lines) + "\n"
    if path.name.endswith(".gz"):
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            handle.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def imported_events(tmp_path, name: str, lines: list[str], **options):
    project = create_project(tmp_path / f"{name}.duckdb")
    try:
        summary = import_files(project, [write_lines(tmp_path / name, lines)], format="amplitude", **options)
        rows = project.con.execute("SELECT * EXCLUDE (seq) FROM events ORDER BY seq").fetchall()
    finally:
        project.close()
    return summary, rows


@pytest.mark.parametrize("name", ["events.json", "events.json.gz"])
def test_reader_matches_line_by_line(tmp_path, name):
    lines = [json.dumps(event) for event in HARD_EVENTS]
    (tmp_path / "fast").mkdir()
    (tmp_path / "slow").mkdir()
    fast, fast_rows = imported_events(tmp_path / "fast", name, lines)
    # The invalid last line makes the import read the file line by line, numbering the lines.
    slow, slow_rows = imported_events(tmp_path / "slow", name, lines + ["{broken"])

    assert fast.imported == 5
    assert fast.rejected_count == 0
    assert slow.imported == 5
    assert [(r.line, r.field, r.reason) for r in slow.rejected] == [(6, "line", "invalid JSON")]
    assert fast_rows == slow_rows


def stored(tmp_path, lines: list[str], columns: str, **options) -> list[tuple]:
    project = create_project(tmp_path / "p.duckdb")
    try:
        import_files(project, [write_lines(tmp_path / "events.json", lines)], format="amplitude", **options)
        return project.con.execute(f"SELECT {columns} FROM events ORDER BY seq").fetchall()
    finally:
        project.close()


def test_json_null_objects_stored_empty(tmp_path):
    rows = stored(tmp_path, [json.dumps(HARD_EVENTS[1])],
                  "event_type, user_properties::VARCHAR, groups::VARCHAR, event_properties::VARCHAR")
    assert rows == [("123", "{}", "{}", '{"ü":"é\\n","n":1.5}')]


def test_text_fields_from_other_json_types(tmp_path):
    rows = stored(tmp_path, [json.dumps(HARD_EVENTS[2]), json.dumps(HARD_EVENTS[3])],
                  "event_type, user_id, device_id, session_id, insert_id, platform, app_version")
    assert rows == [
        ("Ω ☕ [b]x[/b]", None, "device-3", "-1", "insert-3", '{"kind":"phone"}', "3.0.0"),
        ("Open", "user-4", "device-4", "1709287200000", None, "iOS", "3.0"),
    ]


def at(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# (event_time as sent, the instant expected with a UTC source, the instant expected from Europe/Berlin)
TIME_CASES = [
    ("2024-03-01 10:00:00.250000", at(2024, 3, 1, 10, 0, 0, 250000), at(2024, 3, 1, 9, 0, 0, 250000)),
    ("  2024-03-01 10:00:00  ", at(2024, 3, 1, 10), at(2024, 3, 1, 9)),
    ("2024-03-01T10:00:00Z  ", at(2024, 3, 1, 10), at(2024, 3, 1, 10)),
    (" 2024-03-01 12:00:00+02:00", at(2024, 3, 1, 10), at(2024, 3, 1, 10)),
    ("2024-03-01 05:00:00-0500 ", at(2024, 3, 1, 10), at(2024, 3, 1, 10)),
    ("2024-03-01 10:00:00 UTC", at(2024, 3, 1, 10), at(2024, 3, 1, 10)),
    # A zone name wins over the source zone; New York was at -05:00 until 2024-03-10.
    ("2024-03-01 05:00:00 America/New_York", at(2024, 3, 1, 10), at(2024, 3, 1, 10)),
    ("2024-03-01 05:00:00 EST", at(2024, 3, 1, 10), at(2024, 3, 1, 10)),
    # The last Sunday of March 2024: Berlin moved from +01:00 to +02:00 at 02:00 local time.
    ("2024-03-31 03:30:00", at(2024, 3, 31, 3, 30), at(2024, 3, 31, 1, 30)),
    (" 1709287200 ", at(2024, 3, 1, 10), at(2024, 3, 1, 10)),
    ("1709287200000", at(2024, 3, 1, 10), at(2024, 3, 1, 10)),
    ("2024-03-01", at(2024, 3, 1), at(2024, 2, 29, 23)),
]


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin"])
def test_event_times_parsed(tmp_path, zone):
    lines = [json.dumps(amplitude_event(number, event_time=sent, client_event_time=None))
             for number, (sent, _, _) in enumerate(TIME_CASES)]
    rows = stored(tmp_path, lines, "event_time, client_time", source_timezone=zone)
    expected = [utc if zone == "UTC" else berlin for _, utc, berlin in TIME_CASES]
    assert [event_time for event_time, _ in rows] == expected
    assert [client_time for _, client_time in rows] == expected


def test_wrapped_records_unwrapped(tmp_path):
    lines = [
        json.dumps(amplitude_event(1)),
        json.dumps({"stream": "events", "data": amplitude_event(2)}),
        json.dumps({"stream": "active_users", "data": {"date": "2024-03-01", "count": 3}}),
    ]
    project = create_project(tmp_path / "p.duckdb")
    try:
        summary = import_files(project, [write_lines(tmp_path / "airbyte.json", lines)], format="amplitude")
        users = project.con.execute("SELECT user_id FROM events ORDER BY seq").fetchall()
    finally:
        project.close()
    assert summary.imported == 2
    assert summary.skipped == 1
    assert users == [("user-1",), ("user-2",)]


def test_time_beyond_range_rejected(tmp_path):
    project = create_project(tmp_path / "p.duckdb")
    try:
        lines = [json.dumps(amplitude_event(1, event_time="1e300")), json.dumps(amplitude_event(2))]
        summary = import_files(project, [write_lines(tmp_path / "events.json", lines)], format="amplitude")
    finally:
        project.close()
    assert summary.imported == 1
    assert [(r.line, r.field, r.value, r.reason) for r in summary.rejected] == [
        (1, "event_time", "1e300", "unparseable timestamp"),
    ]


def test_unknown_zone_name_rejected(tmp_path):
    lines = [json.dumps(amplitude_event(1, event_time="2024-03-01 10:00:00 Mars/Olympus")),
             json.dumps(amplitude_event(2, event_time="2024-03-01 10:00:00 PM"))]
    project = create_project(tmp_path / "p.duckdb")
    try:
        summary = import_files(project, [write_lines(tmp_path / "events.json", lines)], format="amplitude")
    finally:
        project.close()
    assert summary.imported == 0
    assert [(r.line, r.field, r.reason) for r in summary.rejected] == [
        (1, "event_time", "unparseable timestamp"),
        (2, "event_time", "unparseable timestamp"),
    ]


TEXT_TIMES = ["2024-03-01 10:00:00.250000", "2024-03-01T12:00:00+02:00", " 2024-03-01 10:00:00 ",
              "2024-03-01T10:00:00Z", "2024-03-01", None]


def test_text_times_read_by_the_json_reader(tmp_path, caplog):
    """Times that DuckDB's JSON reader types itself give the instants of the line-by-line parse."""
    lines = [json.dumps(amplitude_event(number, client_event_time=sent))
             for number, sent in enumerate(TEXT_TIMES)]
    (tmp_path / "fast").mkdir()
    (tmp_path / "slow").mkdir()
    with caplog.at_level("INFO", logger="tui.store.importing.staging"):
        fast, fast_rows = imported_events(tmp_path / "fast", "events.json", lines)
    assert "staging it with them" not in caplog.text
    slow, slow_rows = imported_events(tmp_path / "slow", "events.json", lines + ["[]"])

    assert fast.imported == slow.imported == len(TEXT_TIMES)
    assert fast_rows == slow_rows
    # A missing device time falls back to the server time, here 10:00:05.25 of event 5.
    assert [row[2] for row in fast_rows] == [
        at(2024, 3, 1, 10, 0, 0, 250000), at(2024, 3, 1, 10), at(2024, 3, 1, 10), at(2024, 3, 1, 10),
        at(2024, 3, 1), at(2024, 3, 1, 10, 0, 5, 250000),
    ]
