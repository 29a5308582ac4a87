"""Schema upgrades: a version 1 project gains key sets when opened, writable or as a read-only snapshot."""

from __future__ import annotations

import logging

import duckdb
import pytest
from locking import write_lock_held

from builders import build_project
from tui.analytics.users_csv import property_keys
from tui.store.project import ProjectError, open_project

EVENTS = [
    {"event_type": "Open", "event_time": "2024-03-01T10:00:00Z", "user_id": "ann",
     "user_properties": {"plan": "free", "größe": 3}},
    {"event_type": "Open", "event_time": "2024-03-01T10:01:00Z", "user_id": "bo",
     "user_properties": {"größe": 4, "plan": "pro"}},
    {"event_type": "Open", "event_time": "2024-03-01T10:02:00Z", "user_id": "cy"},
]


def build_version_1(tmp_path):
    """Build a project through the import, then take it back to the version 1 layout (no key sets)."""
    path = build_project(tmp_path, EVENTS).path
    with duckdb.connect(str(path)) as con:
        con.execute("ALTER TABLE users DROP COLUMN key_set_id")
        con.execute("DROP TABLE user_key_sets")
        con.execute("UPDATE schema_info SET version = 1")
    return path


def file_state(path) -> tuple[int, list[str]]:
    """Return the file's schema version and its users columns, read without Loupe."""
    with duckdb.connect(str(path), read_only=True) as con:
        version = con.execute("SELECT max(version) FROM schema_info").fetchall()[0][0]
        columns = [name for (name,) in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'users' ORDER BY ordinal_position"
        ).fetchall()]
    return version, columns


def key_set_ids(project) -> dict[str, int]:
    return dict(project.con.execute("SELECT user_id, key_set_id FROM users").fetchall())


def stored_key_sets(project) -> dict[int, list[str]]:
    return dict(project.con.execute("SELECT key_set_id, property_keys FROM user_key_sets").fetchall())


def everyone_keys(project) -> list[str]:
    project.con.execute("CREATE OR REPLACE TEMP TABLE everyone AS SELECT actor_id FROM users")
    return property_keys(project.con, "everyone")


def test_version_1_file_as_built(tmp_path):
    path = build_version_1(tmp_path)

    version, columns = file_state(path)
    assert version == 1
    assert "key_set_id" not in columns


def test_writable_open_upgrades(tmp_path, caplog):
    path = build_version_1(tmp_path)

    with caplog.at_level(logging.INFO, logger="tui.store.migrate"):
        with open_project(path) as project:
            assert stored_key_sets(project) == {1: [], 2: ["größe", "plan"]}
            assert key_set_ids(project) == {"ann": 2, "bo": 2, "cy": 1}
            assert everyone_keys(project) == ["größe", "plan"]

    assert file_state(path) == (2, ["actor_id", "user_id", "device_ids", "first_seen", "last_seen", "properties",
                                    "key_set_id"])
    assert f"upgraded {path} from schema version 1 to 2" in caplog.text


def test_upgraded_file_imports_again(tmp_path):
    path = build_version_1(tmp_path)
    open_project(path).close()

    project = build_project(tmp_path, [
        {"event_type": "Open", "event_time": "2024-03-02T10:00:00Z", "user_id": "cy", "user_properties": {"age": 5}},
    ])

    assert stored_key_sets(project) == {1: [], 2: ["größe", "plan"], 3: ["age"]}
    assert key_set_ids(project) == {"ann": 2, "bo": 2, "cy": 3}
    project.close()


def test_snapshot_copy_upgraded(tmp_path, caplog):
    path = build_version_1(tmp_path)

    with write_lock_held(path), caplog.at_level(logging.INFO, logger="tui.store.migrate"):
        with open_project(path) as project:
            assert project.read_only
            assert key_set_ids(project) == {"ann": 2, "bo": 2, "cy": 1}
            assert everyone_keys(project) == ["größe", "plan"]

    # Only the private copy was upgraded. The file that the other process has open is unchanged.
    version, columns = file_state(path)
    assert version == 1
    assert "key_set_id" not in columns
    assert f"upgraded the snapshot copy of {path} from schema version 1 to 2" in caplog.text


def test_newer_version_rejected(tmp_path):
    path = build_project(tmp_path, EVENTS).path
    with duckdb.connect(str(path)) as con:
        con.execute("UPDATE schema_info SET version = 3")

    with pytest.raises(ProjectError, match="has project schema version 3; this Loupe reads version 2"):
        open_project(path)
    assert file_state(path)[0] == 3


def test_newer_version_snapshot_rejected(tmp_path):
    path = build_project(tmp_path, EVENTS).path
    with duckdb.connect(str(path)) as con:
        con.execute("UPDATE schema_info SET version = 3")

    with write_lock_held(path):
        with pytest.raises(ProjectError, match="has project schema version 3"):
            open_project(path)


def test_failed_upgrade_leaves_file(tmp_path):
    path = build_version_1(tmp_path)
    # A stray user_key_sets table without property_keys makes the upgrade fail after its ALTER TABLE.
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE user_key_sets (key_set_id INTEGER)")

    with pytest.raises(ProjectError, match="from project schema version 1 to 2 failed, so the file was left unchanged"):
        open_project(path)

    version, columns = file_state(path)
    assert version == 1
    assert "key_set_id" not in columns
