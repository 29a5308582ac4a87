"""Actor identity: ids that are not user ids, and anonymous devices identified later."""

import pytest

from builders import build_project
from tui.store.identity import is_user_id


@pytest.mark.parametrize("value", ["", "  ", "0", " 0 ", "null", "NULL", "undefined", "Undefined", "None", "none"])
def test_fake_user_ids_rejected(value):
    assert not is_user_id(value)


@pytest.mark.parametrize("value", ["alice", "00", "nullable", "0x1", "Nonesuch"])
def test_real_user_ids_accepted(value):
    assert is_user_id(value)


def event(event_type, minute, **fields):
    return {"event_type": event_type, "event_time": f"2024-03-01T10:{minute:02d}:00Z", **fields}


def actor_of(project, **where):
    column, value = next(iter(where.items()))
    rows = project.con.execute(f"SELECT DISTINCT actor_id FROM events WHERE {column} = ?", [value]).fetchall()
    return [actor for (actor,) in rows]


def test_fake_user_ids_counted_by_device(tmp_path):
    project = build_project(tmp_path, [
        event("Open", 0, user_id="null", device_id="d1"),
        event("Open", 1, user_id="undefined", device_id="d2"),
        event("Open", 2, user_id="0", device_id="d3"),
        event("Open", 3, user_id="", device_id="d3"),
        event("Open", 4, user_id="None", device_id="d4"),
    ])
    assert project.con.execute("SELECT count(DISTINCT actor_id) FROM events").fetchone()[0] == 4
    assert project.con.execute("SELECT count(*) FROM events WHERE user_id IS NOT NULL").fetchone()[0] == 0
    assert project.con.execute("SELECT count(*) FROM actors WHERE user_id IS NOT NULL").fetchone()[0] == 0


def test_event_without_ids_rejected(tmp_path):
    source = tmp_path / "e.jsonl"
    source.write_text('{"event_type": "Open", "event_time": "2024-03-01T10:00:00Z", "user_id": "null"}\n')
    from tui.store.importing import import_files
    from tui.store.project import create_project

    with create_project(tmp_path / "p.duckdb") as project:
        summary = import_files(project, [source])
    assert summary.imported == 0
    assert summary.rejected_count == 1
    assert summary.rejected[0].line == 1
    assert summary.rejected[0].reason == "no user id and no device id"


def test_device_identified_in_same_import(tmp_path):
    project = build_project(tmp_path, [
        event("Open", 0, device_id="d1"),
        event("Browse", 1, device_id="d1"),
        event("Login", 2, device_id="d1", user_id="alice"),
        event("Buy", 3, user_id="alice"),
    ])
    assert project.con.execute("SELECT count(DISTINCT actor_id) FROM events").fetchone()[0] == 1
    assert actor_of(project, device_id="d1") == actor_of(project, user_id="alice")
    users = project.con.execute("SELECT user_id, device_ids FROM users").fetchall()
    assert users == [("alice", ["d1"])]


def test_device_identified_in_later_import(tmp_path):
    project = build_project(tmp_path, [event("Open", 0, device_id="d1"), event("Browse", 1, device_id="d1")])
    device_actor = actor_of(project, device_id="d1")
    assert len(device_actor) == 1
    project.close()

    project = build_project(tmp_path, [event("Login", 5, device_id="d1", user_id="alice")])
    alice = actor_of(project, user_id="alice")
    assert actor_of(project, device_id="d1") == alice
    assert alice != device_actor
    assert project.con.execute("SELECT count(DISTINCT actor_id) FROM events").fetchone()[0] == 1
    # The device's own actor keeps its id but has no users row left.
    assert project.con.execute("SELECT actor_id FROM users").fetchall() == [(alice[0],)]
    assert project.con.execute("SELECT actor_id FROM devices WHERE device_id = 'd1'").fetchone()[0] == alice[0]


def test_device_goes_to_first_user(tmp_path):
    project = build_project(tmp_path, [
        event("Login", 10, device_id="shared", user_id="bob"),
        event("Open", 0, device_id="shared"),
        event("Login", 5, device_id="shared", user_id="alice"),
    ])
    # alice was seen on the device first by client time, although bob came first in the file.
    anonymous = project.con.execute("SELECT actor_id FROM events WHERE user_id IS NULL").fetchone()[0]
    assert [anonymous] == actor_of(project, user_id="alice")
    assert project.con.execute("SELECT count(DISTINCT actor_id) FROM events").fetchone()[0] == 2


def test_device_moves_to_earlier_user_later(tmp_path):
    project = build_project(tmp_path, [
        event("Open", 20, device_id="d1"),
        event("Login", 30, device_id="d1", user_id="bob"),
    ])
    project.close()
    project = build_project(tmp_path, [event("Login", 5, device_id="d1", user_id="alice")])
    anonymous = project.con.execute("SELECT actor_id FROM events WHERE user_id IS NULL").fetchone()[0]
    assert [anonymous] == actor_of(project, user_id="alice")
    bob = project.con.execute("SELECT device_ids FROM users WHERE user_id = 'bob'").fetchone()[0]
    assert bob == ["d1"]
