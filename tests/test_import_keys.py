"""Dedupe keys, session keys, typed Parquet columns and line numbers of the fast import paths."""

import json
from pathlib import Path

import duckdb

from builders import build_project
from tui.store.importing import import_files
from tui.store.importing.keys import FINGERPRINT_SETTING
from tui.store.project import create_project


def event(event_type, minute, **fields):
    hour, minute = divmod(minute, 60)
    return {"event_type": event_type, "event_time": f"2024-03-01T{10 + hour:02d}:{minute:02d}:00Z", **fields}


def column(project, sql):
    return [row[0] for row in project.con.execute(sql).fetchall()]


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_identical_rows_kept_then_deduped(tmp_path):
    same = event("Click", 0, user_id="u")
    project = build_project(tmp_path, [same, same, same])
    assert column(project, "SELECT count(DISTINCT dedupe_key) FROM events") == [3]

    source = tmp_path / "more.jsonl"
    source.write_text("".join(json.dumps(same) + "\n" for _ in range(4)))
    summary = import_files(project, [source])
    assert (summary.imported, summary.duplicates) == (1, 3)
    assert column(project, "SELECT count(*) FROM events") == [4]


def test_same_row_in_two_files_once(tmp_path):
    first = write_lines(tmp_path / "a.jsonl", [json.dumps(event("Open", 0, user_id="u"))])
    second = write_lines(tmp_path / "b.jsonl", [json.dumps(event("Open", 0, user_id="u"))])
    with create_project(tmp_path / "p.duckdb") as project:
        summary = import_files(project, [first, second])
        assert (summary.imported, summary.duplicates) == (1, 1)


def test_changed_fingerprint_rekeys_events(tmp_path):
    project = build_project(tmp_path, [
        event("Open", 0, user_id="u", insert_id="x"),
        event("Open", 1, user_id="u"),
        event("Open", 1, user_id="u"),
    ])
    keys = column(project, "SELECT dedupe_key FROM events ORDER BY seq")
    # As after a DuckDB upgrade whose hash() differs: stored keys no longer match new ones.
    project.con.execute("UPDATE events SET dedupe_key = dedupe_key + 1")
    project.con.execute("UPDATE settings SET value = '\"older hash\"' WHERE key = ?", [FINGERPRINT_SETTING])

    source = next(tmp_path.glob("*.jsonl"))
    summary = import_files(project, [source])
    assert summary.imported == 0
    assert summary.duplicates == 3
    assert column(project, "SELECT dedupe_key FROM events ORDER BY seq") == keys
    stored = project.con.execute("SELECT value FROM settings WHERE key = ?", [FINGERPRINT_SETTING]).fetchall()
    assert stored != [('"older hash"',)]


def test_repointed_device_joins_user_session(tmp_path):
    project = build_project(tmp_path, [event("Browse", 0, device_id="d", session_id="s1")])
    project.close()
    project = build_project(tmp_path, [
        event("Login", 5, user_id="u", device_id="d", session_id="s1"),
        event("Buy", 6, user_id="u", device_id="d", session_id="s1"),
    ])
    rows = project.con.execute("SELECT actor_id, session_key FROM events").fetchall()
    assert len({actor for actor, _ in rows}) == 1
    assert len({key for _, key in rows}) == 1
    assert None not in {key for _, key in rows}


def test_gap_and_source_keys_differ(tmp_path):
    project = build_project(tmp_path, [event("A", 0, user_id="u", session_id="s1")])
    project.close()
    project = build_project(tmp_path, [event("B", 0, user_id="u"), event("C", 5, user_id="u")])
    keys = dict(project.con.execute("SELECT event_type, session_key FROM events").fetchall())
    assert keys["B"] == keys["C"]
    assert keys["A"] != keys["B"]


def test_parquet_typed_columns(tmp_path):
    source = tmp_path / "typed.parquet"
    with duckdb.connect() as con:
        con.execute(f"""
            COPY (SELECT * FROM (VALUES
                ('A', TIMESTAMP '2024-07-01 12:00:00', 'u', 3, 1.5),
                ('B', TIMESTAMP '2024-07-01 13:00:00', 'u', NULL, 2.0)
            ) AS t(event, ts, user_id, clicks, score)) TO '{source}' (FORMAT parquet)
        """)
        con.execute(f"""
            COPY (SELECT 'C' AS event, TIMESTAMPTZ '2024-07-01 12:00:00+00' AS ts, 'u' AS user_id,
                         1719835200 AS epoch_seconds) TO '{tmp_path / "zoned.parquet"}' (FORMAT parquet)
        """)
    with create_project(tmp_path / "p.duckdb") as project:
        import_files(project, [source], source_timezone="Europe/Berlin")
        import_files(project, [tmp_path / "zoned.parquet"], source_timezone="Europe/Berlin")
        rows = project.con.execute("""
            SELECT event_type, hour(event_time AT TIME ZONE 'UTC'), event_properties FROM events ORDER BY seq
        """).fetchall()
    assert [(name, hour) for name, hour, _ in rows] == [("A", 10), ("B", 11), ("C", 12)]
    assert json.loads(rows[0][2]) == {"clicks": 3, "score": 1.5}
    assert json.loads(rows[1][2]) == {"score": 2.0}
    assert json.loads(rows[2][2]) == {"epoch_seconds": 1719835200}


def test_parquet_epoch_times(tmp_path):
    source = tmp_path / "epochs.parquet"
    with duckdb.connect() as con:
        con.execute(f"""
            COPY (SELECT * FROM (VALUES ('A', 1719835200, 'u'), ('B', 1719835200000, 'u'))
                  AS t(event, time, user_id)) TO '{source}' (FORMAT parquet)
        """)
    with create_project(tmp_path / "p.duckdb") as project:
        import_files(project, [source])
        hours = column(project, "SELECT hour(event_time AT TIME ZONE 'UTC') FROM events ORDER BY seq")
    assert hours == [12, 12]


def test_rejection_line_deep_in_amplitude_file(tmp_path):
    good = {"event_type": "Open", "event_time": "2024-03-01 10:00:00.000000", "device_id": "d"}
    lines = [json.dumps(good | {"$insert_id": str(n)}) for n in range(30_000)]
    lines[100] = ""
    lines[20_000] = json.dumps(good | {"$insert_id": "bad", "event_time": "later"})
    lines[25_000] = "{cut"
    source = write_lines(tmp_path / "amp.jsonl", lines)
    with create_project(tmp_path / "p.duckdb") as project:
        summary = import_files(project, [source], format="amplitude")
        order = column(project, "SELECT insert_id FROM events ORDER BY seq")
    assert [(r.line, r.field, r.reason) for r in summary.rejected] == [
        (20_001, "event_time", "unparseable timestamp"),
        (25_001, "line", "invalid JSON"),
    ]
    assert summary.imported == 30_000 - 3
    assert order == [str(n) for n in range(30_000) if n not in (100, 20_000, 25_000)]


def test_rejection_line_deep_in_csv_file(tmp_path):
    rows = [f"Open,2024-03-01 10:00:{n % 60:02d},u{n}" for n in range(20_000)]
    rows[15_000] = "Open,not a time,u15000"
    source = write_lines(tmp_path / "e.csv", ["event,timestamp,user_id"] + rows)
    with create_project(tmp_path / "p.duckdb") as project:
        summary = import_files(project, [source])
        users = column(project, "SELECT user_id FROM events ORDER BY seq")
    assert [(r.line, r.value) for r in summary.rejected] == [(15_002, "not a time")]
    assert users == [f"u{n}" for n in range(20_000) if n != 15_000]


def test_columns_named_like_reader_aliases(tmp_path):
    source = tmp_path / "e.csv"
    source.write_text("event,timestamp,user_id,source_row,record,line_number\nOpen,2024-03-01 10:00:00,u,1,2,3\n")
    with create_project(tmp_path / "p.duckdb") as project:
        summary = import_files(project, [source])
        properties = column(project, "SELECT event_properties FROM events")
    assert summary.imported == 1
    assert json.loads(properties[0]) == {"source_row": 1, "record": 2, "line_number": 3}
