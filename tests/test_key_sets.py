"""Key sets: each user's sorted property keys get an id at import, and the users CSV header reads them."""

from __future__ import annotations

import csv
from datetime import datetime, timezone

from builders import build_project
from tui.analytics.export import export_users
from tui.analytics.microscope.actor_set import ActorSet
from tui.analytics.users_csv import property_keys
from tui.store.key_sets import assign_key_sets


def event(user=None, minute=0, device=None, **user_properties) -> dict:
    return {
        "event_type": "Open",
        "event_time": f"2024-03-01T10:{minute:02d}:00Z",
        "user_id": user,
        "device_id": device,
        "user_properties": user_properties,
    }


def key_set_ids(project) -> dict[str, int | None]:
    """Return each user's key set id by user id (device id for an anonymous actor)."""
    rows = project.con.execute(
        "SELECT coalesce(user_id, device_ids[1]), key_set_id FROM users"
    ).fetchall()
    return dict(rows)


def stored_key_sets(project) -> dict[int, list[str]]:
    return dict(project.con.execute("SELECT key_set_id, property_keys FROM user_key_sets").fetchall())


def json_keys_header(project, actors: str = "SELECT actor_id FROM users") -> list[str]:
    """Return the header keys that ``json_keys`` finds in the JSON of the listed users: the expected header."""
    rows = project.con.execute(
        f"SELECT DISTINCT unnest(json_keys(properties)) FROM users WHERE actor_id IN ({actors})"
    ).fetchall()
    return sorted(key for (key,) in rows)


def insert_direct_users(project, users: dict[int, tuple[str, str | None]]) -> None:
    """Insert users rows without the import, as benchmarks do, so they have no key set."""
    for actor_id, (user_id, properties) in users.items():
        project.con.execute(
            "INSERT INTO users (actor_id, user_id, device_ids, first_seen, last_seen, properties) "
            "VALUES (?, ?, [], TIMESTAMPTZ '2024-03-01 10:00:00+00', TIMESTAMPTZ '2024-03-01 10:00:00+00', ?)",
            [actor_id, user_id, properties],
        )


def header_of(project, actors: str = "SELECT actor_id FROM users") -> list[str]:
    project.con.execute(f"CREATE OR REPLACE TEMP TABLE listed AS {actors}")
    return property_keys(project.con, "listed")


def test_shared_and_empty_sets(tmp_path):
    project = build_project(tmp_path, [
        event("ann", plan="free", age=30),
        event("bo", age=41, plan="pro"),
        event("cy"),
        event("di", plan="pro"),
    ])

    ids = key_set_ids(project)
    # Ids follow the sorted lists: [] < ["age", "plan"] < ["plan"].
    assert stored_key_sets(project) == {1: [], 2: ["age", "plan"], 3: ["plan"]}
    assert ids == {"ann": 2, "bo": 2, "cy": 1, "di": 3}


def test_keys_grow_on_second_import(tmp_path):
    build_project(tmp_path, [event("ann", plan="free"), event("bo", plan="pro"), event("cy")]).close()
    project = build_project(tmp_path, [event("ann", minute=5, age=30), event("di", minute=6, plan="trial")])

    assert stored_key_sets(project) == {1: [], 2: ["plan"], 3: ["age", "plan"]}
    assert key_set_ids(project) == {"ann": 3, "bo": 2, "cy": 1, "di": 2}


def test_reimport_adds_no_key_set(tmp_path):
    events = [event("ann", plan="free"), event("bo")]
    build_project(tmp_path, events).close()
    project = build_project(tmp_path, events)

    assert stored_key_sets(project) == {1: [], 2: ["plan"]}
    assert key_set_ids(project) == {"ann": 2, "bo": 1}


def test_identified_device_keys_join_user(tmp_path):
    build_project(tmp_path, [event(device="d1", theme="dark")]).close()
    project = build_project(tmp_path, [event("erin", minute=5, device="d1", plan="pro")])

    # The device's actor lost its users row to erin, so its key set is no longer listed.
    assert key_set_ids(project) == {"erin": 2}
    assert stored_key_sets(project) == {1: ["theme"], 2: ["plan", "theme"]}
    assert header_of(project) == ["plan", "theme"]


def test_unusual_keys_stored_exactly(tmp_path):
    keys = ["größe", 'say "hi"', "a,b", "back\\slash", "[bold]x[/bold]", "ключ", "tab\tkey", "Plan", "plan", ""]
    project = build_project(tmp_path, [event("ann", **{key: 1 for key in keys})])

    assert stored_key_sets(project) == {1: sorted(keys)}
    assert header_of(project) == sorted(keys)
    assert header_of(project) == json_keys_header(project)


def test_header_matches_json_keys(tmp_path):
    project = build_project(tmp_path, [
        event("u-comma", note="a,b"),
        event("u-equals", note="=1+2", score=-5),
        event("ann", minute=1, plan="free", age=30),
        event("ann", minute=2, plan="pro"),
        event(device="dev-1"),
        event("bo", minute=3, user_id="shadow"),
    ])
    ann_and_bo = "SELECT actor_id FROM users WHERE user_id IN ('ann', 'bo')"

    assert header_of(project) == ["age", "note", "plan", "score", "user_id"]
    assert header_of(project) == json_keys_header(project)
    assert header_of(project, ann_and_bo) == ["age", "plan", "user_id"]
    assert header_of(project, ann_and_bo) == json_keys_header(project, ann_and_bo)
    assert header_of(project, "SELECT actor_id FROM users WHERE user_id IS NULL") == []


def test_direct_rows_header_from_json_keys(tmp_path):
    project = build_project(tmp_path, [event("ann", plan="free")])
    insert_direct_users(project, {100: ("zed", '{"zone": "x", "plan": 1}'), 101: ("yan", None)})

    assert key_set_ids(project) == {"ann": 1, "zed": None, "yan": None}
    assert header_of(project) == ["plan", "zone"]
    assert header_of(project, "SELECT 100 AS actor_id") == ["plan", "zone"]


def test_assign_covers_direct_rows(tmp_path):
    project = build_project(tmp_path, [event("ann", plan="free")])
    insert_direct_users(project, {100: ("zed", '{"zone": "x", "plan": 1}'), 101: ("yan", None)})

    added = assign_key_sets(project.con)

    # A NULL properties object has no keys, like an empty one.
    assert added == 2
    assert stored_key_sets(project) == {1: ["plan"], 2: [], 3: ["plan", "zone"]}
    assert key_set_ids(project) == {"ann": 1, "zed": 3, "yan": 2}
    assert header_of(project) == ["plan", "zone"]


def test_download_header_from_key_sets(tmp_path):
    project = build_project(tmp_path, [
        event("ann", plan="free", age=30),
        event("bo", minute=1, **{"=cmd": "x"}),
        event("cy", minute=2),
    ])
    insert_direct_users(project, {100: ("zed", '{"zone": "x"}')})
    now = datetime.now(timezone.utc)
    everyone = ActorSet(
        label="everyone", events=("SELECT * FROM events", []),
        actors=("SELECT actor_id, 1 AS events_in_point FROM users", []), start=now, end=now,
    )
    out = tmp_path / "users.csv"

    export_users(project.con, everyone, project, out)

    with open(out, newline="", encoding="utf-8") as handle:
        rows = {row[0]: row for row in csv.reader(handle)}
    assert rows["user_id"] == ["user_id", "first_seen", "last_seen", "events_in_point", "'=cmd", "age", "plan", "zone"]
    assert rows["ann"][4:] == ["", "30", "free", ""]
    assert rows["bo"][4:] == ["x", "", "", ""]
    assert rows["zed"][4:] == ["", "", "", "x"]
