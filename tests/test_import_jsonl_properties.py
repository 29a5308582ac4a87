"""Generic JSON lines: event properties merged from the other top-level keys, with and without the merge shortcut."""

from __future__ import annotations

import gzip
import json

import duckdb
import pytest

from tui.store.importing import import_files
from tui.store.importing.formats.base import FileJob
from tui.store.importing.formats.generic import stage_jsonl
from tui.store.importing.staging import create_staging
from tui.store.project import create_project

LATE_LINE = 30_000  # beyond the 20,480 rows DuckDB's readers sample for a schema


def hard_event(number: int) -> dict:
    """Return event ``number`` of a file whose keys, key order and value types change from line to line."""
    event = {"event_type": "Open" if number % 3 else "Zoë ☕ [b]", "event_time": f"2024-03-{1 + number % 28:02d}T10:00:00Z"}
    if number % 5:
        event["user_id"] = f"u{number % 97}"
    else:
        event["device_id"] = f"d{number % 13}"
    variant = number % 10
    if variant == 0:
        event["nested"] = {"a": {"b": [1, {"c": None}, "é"]}, "n": None}
    elif variant == 1:
        event["list"] = [1, 2.5, None, "x", {"y": None}]
    elif variant == 2:
        event["big"] = 123456789012345678901234567890
        event["below_int64"] = -9223372036854775809
    elif variant == 3:
        event["shared"] = None
        event["event_properties"] = {"shared": 1, "kept": None}
    elif variant == 4:
        event["event_properties"] = {"plan": {"x": 1, "z": None}}
        event["plan"] = {"y": 2, "x": None}
    elif variant == 5:
        event["event_properties"] = "not an object"
    elif variant == 6:
        event["event_properties"] = None
        event["text"] = "日本語 \"quoted\" \\ [red]"
    elif variant == 7:
        event["event_properties"] = {"user_id": "inner", "event_properties": {"deep": 1}, "a": 1}
        event["b"] = 2
    elif variant == 8:
        event = dict(reversed(list(event.items())))
        event["zz"] = {"k": [None]}
    else:
        event["event_properties"] = {"q": 1}
        event["plan"] = None
        event["user_properties"] = {"p": None, "n": 1}
    if number == LATE_LINE - 1:
        event["only_here"] = {"x": None, "y": "late"}
    return event


def hard_lines() -> list[str]:
    lines = [json.dumps(hard_event(number), ensure_ascii=bool(number % 2)) for number in range(LATE_LINE + 5)]
    lines[100] = '{"event_type": "Dup", "event_time": 1709287200, "user_id": "u1", "dup": 1, "dup": 2}'
    lines[101] = '{"event_type": "Num", "event_time": 1709287200000, "user_id": "u1", "f": 1.50, "e": 1E400}'
    lines[300] = ""
    lines[400] = "{not json"
    lines[401] = "[1, 2]"
    lines[500] = '{"event_type": "", "event_time": "2024-03-01T10:00:00Z", "user_id": "u1"}'
    lines[501] = '  {"event_type": "sp", "event_time": "2024-03-01 10:00:00", "user_id": "u1", "x": {}}'
    return lines


def stage_both_ways(path, mapping: dict | None = None) -> duckdb.DuckDBPyConnection:
    """Stage ``path`` with and without the merge shortcut into tables ``fast`` and ``careful``.

    The rows are compared in DuckDB, because fetching 30,000 rows of time zone aware times takes seconds.
    """
    cur = duckdb.connect()
    cur.execute("SET TimeZone = 'UTC'")
    job = FileJob(path=path, file_index=0, mapping=mapping or {})
    for table, merge_shortcut in (("fast", True), ("careful", False)):
        create_staging(cur)
        stage_jsonl(cur, job, merge_shortcut=merge_shortcut)
        cur.execute(f"""
            CREATE TABLE {table} AS
            SELECT rowid AS position, * REPLACE (CAST(event_properties AS VARCHAR) AS event_properties,
                                                 CAST(user_properties AS VARCHAR) AS user_properties,
                                                 CAST(groups AS VARCHAR) AS groups,
                                                 CAST(group_properties AS VARCHAR) AS group_properties)
            FROM staged
        """)
    return cur


def differing_rows(cur: duckdb.DuckDBPyConnection) -> list[tuple]:
    return cur.execute("""
        (SELECT 'fast only', * FROM (SELECT * FROM fast EXCEPT ALL SELECT * FROM careful))
        UNION ALL
        (SELECT 'careful only', * FROM (SELECT * FROM careful EXCEPT ALL SELECT * FROM fast))
        ORDER BY position LIMIT 4
    """).fetchall()


@pytest.mark.parametrize("gzipped", [False, True])
def test_shortcut_stages_same_rows(tmp_path, gzipped):
    text = "\n".join(hard_lines()) + "\n"
    path = tmp_path / ("events.jsonl.gz" if gzipped else "events.jsonl")
    with (gzip.open if gzipped else open)(path, "wt", encoding="utf-8") as handle:
        handle.write(text)

    cur = stage_both_ways(path)

    assert cur.execute("SELECT count(*) FROM fast").fetchone()[0] == LATE_LINE + 4
    assert differing_rows(cur) == []
    late = cur.execute("SELECT source_line, event_properties FROM fast WHERE position = ?", [LATE_LINE - 2]).fetchone()
    assert late == (LATE_LINE, '{"q":1,"only_here":{"y":"late"}}')
    cur.close()


def test_shortcut_stages_same_rows_with_map(tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(hard_lines()[:2000]) + "\n", encoding="utf-8")

    cur = stage_both_ways(path, {"user_id": "device_id", "device_id": "user_id", "insert_id": "b"})

    assert cur.execute("SELECT count(*) FROM fast").fetchone()[0] == 1999
    assert differing_rows(cur) == []
    cur.close()


# The keys every line of the hand-checked files shares, as JSON object members.
BASE_KEYS = '"event_time": "2024-03-01T10:00:00Z", "user_id": "u1"'


def stored_properties(tmp_path, lines: list[str]):
    source = tmp_path / "events.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    project = create_project(tmp_path / "p.duckdb")
    try:
        summary = import_files(project, [source], format="jsonl")
        rows = project.con.execute(
            "SELECT event_type, CAST(event_properties AS VARCHAR) FROM events ORDER BY seq"
        ).fetchall()
    finally:
        project.close()
    return summary, dict(rows)


def test_properties_merged_by_hand(tmp_path):
    summary, properties = stored_properties(tmp_path, [
        '{"event_type": "order", "b": 1, %s, "a": {"c": null, "d": [null, {"e": null}]}, "n": null}' % BASE_KEYS,
        '{"a": 2, "event_type": "reordered", %s, "b": 3}' % BASE_KEYS,
        '{"event_type": "numbers", %s, "big": 123456789012345678901234567890, "f": 1.50, "e": 1E400}' % BASE_KEYS,
        '{"event_type": "unicode", %s, "cl\\u00e9": "Zo\\u00eb \\u2615"}' % BASE_KEYS,
        '{"event_type": "overlap", %s, "event_properties": {"plan": {"x": 1, "z": null}, "k": 1}, '
        '"plan": {"y": 2, "x": null}, "k": null}' % BASE_KEYS,
        '{"event_type": "inner field names", %s, "event_properties": {"user_id": "inner", "q": 1}, "r": 2}' % BASE_KEYS,
        '{"event_type": "null properties", %s, "event_properties": null, "lost": 1}' % BASE_KEYS,
        '{"event_type": "not an object", %s, "event_properties": [1], "s": 1}' % BASE_KEYS,
    ])

    assert properties["order"] == '{"b":1,"a":{"d":[null,{"e":null}]}}'
    assert properties["reordered"] == '{"a":2,"b":3}'
    assert properties["numbers"] == '{"big":123456789012345678901234567890,"f":1.5,"e":1E400}'
    assert properties["unicode"] == '{"clé":"Zoë ☕"}'
    # A key of both moves after the other given keys, and nulls sent inside event_properties stay.
    assert properties["overlap"] == '{"k":1,"plan":{"x":1,"z":null,"y":2}}'
    assert properties["inner field names"] == '{"user_id":"inner","q":1,"r":2}'
    assert properties["null properties"] == "{}"
    assert [(r.line, r.field, r.reason) for r in summary.rejected] == [(8, "event_properties", "not a JSON object")]


def test_properties_without_other_keys(tmp_path):
    summary, properties = stored_properties(tmp_path, [
        '{"event_type": "given", %s, "event_properties": {"a": null, "b": [1]}}' % BASE_KEYS,
        '{"event_type": "missing", %s}' % BASE_KEYS,
        '{"event_type": "text", %s, "event_properties": "x"}' % BASE_KEYS,
    ])

    assert properties == {"given": '{"a":null,"b":[1]}', "missing": "{}"}
    assert [(r.line, r.field, r.reason) for r in summary.rejected] == [(3, "event_properties", "not a JSON object")]


def test_first_case_variant_chosen(tmp_path):
    source = tmp_path / "events.jsonl"
    source.write_text(
        '{"event_type": "Open", "event_time": "2024-03-01T10:00:00Z", "User_ID": "first", "user_id": "second"}\n',
        encoding="utf-8",
    )
    project = create_project(tmp_path / "p.duckdb")
    try:
        import_files(project, [source], format="jsonl")
        row = project.con.execute("SELECT user_id, CAST(event_properties AS VARCHAR) FROM events").fetchone()
    finally:
        project.close()

    assert row == ("first", '{"user_id":"second"}')
