"""Every public sample file imports; expected counts are computed here from the file with plain Python."""

import csv
import gzip
import json
from datetime import datetime, timezone

import pytest

from tui.store.identity import is_user_id
from tui.store.importing import import_files
from tui.store.project import create_project


def utc(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def from_millis(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1000, tz=timezone.utc)


def count_actors(rows: list[tuple[str | None, str | None]]) -> int:
    """Count actors the documented way: real user ids, plus devices never seen with one."""
    users = {user for user, _ in rows if is_user_id(user)}
    identified_devices = {device for user, device in rows if is_user_id(user) and device}
    anonymous_devices = {device for user, device in rows if not is_user_id(user) and device}
    return len(users) + len(anonymous_devices - identified_devices)


def assert_imported(project, summary, events: int, users: int, first: datetime, last: datetime):
    assert summary.imported == events
    assert summary.users == users
    assert summary.first_time == first
    assert summary.last_time == last
    count, actors, first_time, last_time = project.con.execute(
        "SELECT count(*), count(DISTINCT actor_id), min(event_time), max(event_time) FROM events"
    ).fetchall()[0]
    assert count == events
    assert actors == users
    assert first_time == first
    assert last_time == last


def test_amplitude_events_file(tmp_path, shared_data):
    path = shared_data / "amplitude-export-airbyte" / "events_only.jsonl"
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    times = [utc(row["event_time"]) for row in rows]

    with create_project(tmp_path / "p.duckdb") as project:
        summary = import_files(project, [path])
        assert summary.format == "amplitude"
        assert summary.read == len(rows)
        assert summary.rejected_count == 0
        assert "client_event_time" in summary.time_fields
        assert_imported(
            project, summary, len(rows), count_actors([(row["user_id"], row["device_id"]) for row in rows]),
            min(times), max(times),
        )
        # Amplitude's -1 session id means out of session.
        assert project.con.execute("SELECT count(*) FROM events WHERE session_key IS NOT NULL").fetchone()[0] == 0


def test_amplitude_airbyte_records(tmp_path, shared_data):
    path = shared_data / "amplitude-export-airbyte" / "expected_records.jsonl"
    records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    events = [record["data"] for record in records if record["stream"] == "events"]

    with create_project(tmp_path / "p.duckdb") as project:
        summary = import_files(project, [path])
        assert summary.skipped == len(records) - len(events)
        assert summary.read == len(records)
        times = [utc(event["event_time"]) for event in events]
        assert_imported(
            project, summary, len(events),
            count_actors([(event["user_id"], event["device_id"]) for event in events]), min(times), max(times),
        )


def test_otto_sessions(tmp_path, shared_data):
    path = shared_data / "otto-sessions" / "train_sample.jsonl"
    sessions = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    events = [(session["session"], event) for session in sessions for event in session["events"]]
    times = [from_millis(event["ts"]) for _, event in events]

    with create_project(tmp_path / "p.duckdb") as project:
        summary = import_files(project, [path])
        assert summary.format == "otto"
        assert summary.rejected_count == 0
        assert_imported(project, summary, len(events), len(sessions), min(times), max(times))

        # Events sharing a timestamp keep the order of the events array.
        stored = project.con.execute(
            "SELECT device_id, event_type, CAST(event_properties ->> 'aid' AS BIGINT) FROM events ORDER BY seq"
        ).fetchall()
        assert stored == [(str(session), event["type"], event["aid"]) for session, event in events]


def test_snowplow_events(tmp_path, shared_data):
    path = shared_data / "snowplow-web-events" / "snowplow_web_events.csv"
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    first_copies = list({row["event_id"]: row for row in reversed(rows)}.values())
    actors = count_actors([(row["user_id"] or None, row["domain_userid"] or None) for row in first_copies])
    times = [utc(row["collector_tstamp"]) for row in first_copies]

    with create_project(tmp_path / "p.duckdb") as project:
        summary = import_files(project, [path])
        assert summary.format == "snowplow"
        assert summary.read == len(rows)
        assert summary.duplicates == len(rows) - len(first_copies)
        assert summary.rejected_count == 0
        assert "dvce_created_tstamp" in summary.time_fields
        assert_imported(project, summary, len(first_copies), actors, min(times), max(times))

        sessions = {row["domain_sessionid"] for row in first_copies if row["domain_sessionid"]}
        keys = project.con.execute("SELECT count(DISTINCT session_key) FROM events").fetchone()[0]
        assert keys >= len(sessions)


def test_retentioneering_csv(tmp_path, shared_data):
    path = shared_data / "retentioneering-ecom" / "ecom.csv.gz"
    with gzip.open(path, "rt", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    times = [utc(row["timestamp"]) for row in rows]

    with create_project(tmp_path / "p.duckdb") as project:
        summary = import_files(project, [path], mapping={"event_type": "event", "event_time": "timestamp"})
        assert summary.format == "csv"
        assert summary.rejected_count == 0
        assert_imported(project, summary, len(rows), len({row["user_id"] for row in rows}), min(times), max(times))
        sessions = project.con.execute("SELECT count(DISTINCT session_key) FROM events").fetchone()[0]
        assert sessions == len({(row["user_id"], row["session_id"]) for row in rows})


@pytest.mark.parametrize("name", ["events_only.jsonl"])
def test_amplitude_zip_export(tmp_path, shared_data, name):
    """The export .zip contains gzipped JSON-lines files; all are read, in name order."""
    import zipfile

    source = (shared_data / "amplitude-export-airbyte" / name).read_bytes()
    lines = source.splitlines(keepends=True)
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("123/123_2023-08-24_0#0.json.gz", gzip.compress(b"".join(lines[:3])))
        handle.writestr("123/123_2023-08-25_0#0.json.gz", gzip.compress(b"".join(lines[3:])))

    with create_project(tmp_path / "p.duckdb") as project:
        summary = import_files(project, [archive])
        assert summary.format == "amplitude"
        assert summary.imported == len(lines)
