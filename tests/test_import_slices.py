"""Appending an import in sorted slices of its rows, and the memory cap the import runs under."""

import json

import pytest

from builders import build_project
from tui.store.importing import import_files, memory, writing
from tui.store.importing.memory import size_in_bytes
from tui.store.project import create_project


def event(event_type, minute, **fields):
    hour, minute = divmod(minute, 60)
    return {"event_type": event_type, "event_time": f"2024-03-01T{10 + hour:02d}:{minute:02d}:00Z", **fields}


# File order; staged rows 0..7. Row 3 is rejected and row 5 repeats row 1's insert id, so the
# imported seqs are 1, 2, 3, 5, 7, 8. Device d1 is anonymous in row 0 and becomes u1's in row 1.
EVENTS = [
    event("Open", 0, device_id="d1"),
    event("Buy", 5, user_id="u1", device_id="d1", insert_id="i1"),
    event("Open", 1, user_id="u2"),
    {"event_time": "2024-03-01T10:02:00Z", "user_id": "u3"},
    event("Open", 10, user_id="u1"),
    event("Buy", 6, user_id="u1", insert_id="i1"),
    event("Buy", 60, user_id="u2"),
    event("Open", 20, user_id="u1"),
]


DEFAULT_SLICE_ROWS = writing.APPEND_SLICE_ROWS


def write_events(path, events):
    path.write_text("".join(json.dumps(item) + "\n" for item in events), encoding="utf-8")
    return path


def rows(project, sql):
    return project.con.execute(sql).fetchall()


@pytest.fixture
def sliced(tmp_path, monkeypatch):
    monkeypatch.setattr(writing, "APPEND_SLICE_ROWS", 2)
    return build_project(tmp_path, EVENTS, name="sliced.duckdb")


def test_slices_sorted_each_in_turn(sliced):
    # Slices of staged rows [0, 1], [2, 3], [4, 5], [6, 7], each by (event_type, event_time, seq).
    assert [seq for (seq,) in rows(sliced, "SELECT seq FROM events ORDER BY rowid")] == [2, 1, 3, 5, 7, 8]


def test_slices_keep_summary_counts(tmp_path, monkeypatch):
    monkeypatch.setattr(writing, "APPEND_SLICE_ROWS", 2)
    project = create_project(tmp_path / "p.duckdb")
    source = write_events(tmp_path / "events.jsonl", EVENTS)
    summary = import_files(project, [source], format="jsonl")
    assert summary.read == 8
    assert summary.imported == 6
    assert summary.duplicates == 1
    assert summary.rejected_count == 1
    assert summary.users == 2


def test_slices_after_restaged_file(tmp_path, monkeypatch):
    # A rejected row makes the CSV staged again with line numbers, after its first copy was deleted.
    monkeypatch.setattr(writing, "APPEND_SLICE_ROWS", 2)
    source = tmp_path / "events.csv"
    source.write_text(
        "event_type,event_time,user_id\n"
        "A,2024-03-01 10:00:00,u1\n"
        "B,not a time,u1\n"
        "C,2024-03-01 10:02:00,u1\n"
        "D,2024-03-01 10:01:00,u2\n",
        encoding="utf-8",
    )
    project = create_project(tmp_path / "p.duckdb")
    summary = import_files(project, [source], format="csv")
    assert summary.imported == 3
    assert [(r.line, r.field) for r in summary.rejected] == [(3, "event_time")]
    assert [name for (name,) in rows(project, "SELECT event_type FROM events ORDER BY seq")] == ["A", "C", "D"]


def test_slices_share_actors_and_sessions(sliced):
    by_seq = dict(((seq, (actor, key)) for seq, actor, key in
                   rows(sliced, "SELECT seq, actor_id, session_key FROM events")))
    # u1 (actor 1) has one session over three slices; u2 (actor 2) two, 59 minutes apart.
    assert by_seq == {1: (1, 1), 2: (1, 1), 5: (1, 1), 8: (1, 1), 3: (2, 2), 7: (2, 3)}


def test_slices_match_one_slice(sliced, tmp_path, monkeypatch):
    monkeypatch.setattr(writing, "APPEND_SLICE_ROWS", DEFAULT_SLICE_ROWS)
    whole = build_project(tmp_path, EVENTS, name="whole.duckdb")
    ordered = "SELECT * FROM events ORDER BY seq"
    assert rows(sliced, ordered) == rows(whole, ordered)
    assert [seq for (seq,) in rows(whole, "SELECT seq FROM events ORDER BY rowid")] == [2, 7, 1, 3, 5, 8]
    users = "SELECT * FROM users ORDER BY actor_id"
    assert rows(sliced, users) == rows(whole, users)


def test_memory_capped_then_restored(tmp_path):
    project = create_project(tmp_path / "p.duckdb")
    before = rows(project, "SELECT current_setting('memory_limit')")[0][0]
    source = write_events(tmp_path / "one.jsonl", [event("Open", 0, user_id="a")])
    during = []

    def progress(done, total):
        during.append(rows(project, "SELECT current_setting('memory_limit')")[0][0])

    import_files(project, [source], progress=progress)
    assert during
    cap = memory.import_memory_cap(size_in_bytes(before))
    assert all(size_in_bytes(limit) <= cap for limit in during)
    assert rows(project, "SELECT current_setting('memory_limit')")[0][0] == before


def test_memory_cap_follows_duckdb_limit():
    gb = 1_000_000_000
    # A quarter of DuckDB's limit, between 1.5 and 3 GB; an unreadable limit takes the lower bound.
    assert memory.import_memory_cap(8 * gb) == 2 * gb
    assert memory.import_memory_cap(2 * gb) == 1_500_000_000
    assert memory.import_memory_cap(64 * gb) == 3 * gb
    assert memory.import_memory_cap(None) == 1_500_000_000


def test_lower_memory_limit_kept(tmp_path):
    project = create_project(tmp_path / "p.duckdb")
    project.con.execute("SET memory_limit = '512MiB'")
    source = write_events(tmp_path / "one.jsonl", [event("Open", 0, user_id="a")])
    during = []

    def progress(done, total):
        during.append(rows(project, "SELECT current_setting('memory_limit')")[0][0])

    import_files(project, [source], progress=progress)
    assert set(during) == {"512.0 MiB"}
    assert rows(project, "SELECT current_setting('memory_limit')")[0][0] == "512.0 MiB"


@pytest.mark.parametrize("text, expected", [
    ("18.8 GiB", int(18.8 * 2**30)),
    ("512.0 MiB", 512 * 2**20),
    ("1.5 GB", 1_500_000_000),
    ("0 bytes", 0),
    ("unlimited", None),
])
def test_size_in_bytes(text, expected):
    assert size_in_bytes(text) == expected
