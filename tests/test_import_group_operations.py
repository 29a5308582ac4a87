"""Amplitude group property operations ($add, $append, $unset, ...): applied in event order, across imports."""

from __future__ import annotations

import json

from test_import_group_properties import amplitude_event, group_properties, import_lines
from tui.store.project import open_project

ACME = {"company": "Acme"}


def identify(hour: int, operations: dict, groups: dict = ACME) -> dict:
    return amplitude_event(hour, "admin", groups, operations, event_type="$groupidentify")


def snapshot(hour: int, properties: dict, name: str = "Acme") -> dict:
    return amplitude_event(hour, "alice", {"company": name}, {"company": {name: properties}})


def import_and_read(tmp_path, lines: list, name: str) -> dict:
    project, summary = import_lines(tmp_path, lines, "amplitude", name)
    properties = group_properties(project)
    project.close()
    assert summary.rejected_count == 0
    return properties


def stored_operations(tmp_path, group_name: str = "Acme") -> list[tuple]:
    project = open_project(tmp_path / "p.duckdb")
    rows = project.con.execute("""
        SELECT operation, property, value FROM group_property_updates WHERE group_name = ?
        ORDER BY sent_at, operation, property
    """, [group_name]).fetchall()
    project.close()
    return [(operation, prop, None if value is None else json.loads(value)) for operation, prop, value in rows]


def test_operations_apply_in_time_order(tmp_path):
    lines = [
        identify(16, {"$postInsert": {"tags": ["b", "c"]}, "$preInsert": {"tags": ["z", "y"]}}),
        identify(12, {"$setOnce": {"plan": "pro", "founded": 1999}}),
        snapshot(9, {"plan": "free", "seats": 3, "tags": ["a"]}),
        identify(15, {"$remove": {"tags": "a"}}),
        identify(11, {"$append": {"tags": "b"}, "$prepend": {"tags": ["z"]}}),
        identify(14, {"$setOnce": {"plan": "team"}}),
        identify(10, {"$add": {"seats": 2, "visits": 1}}),
        identify(13, {"$unset": {"plan": "-"}}),
    ]
    properties = import_and_read(tmp_path, lines, "ops.jsonl")

    # 09: the snapshot. 10: seats 3 + 2, visits 0 + 1. 11: append, then prepend: [z, a, b].
    # 12: plan is already set, founded is new. 13: plan removed. 14: plan set once more. 15: [z, b].
    # 16: preInsert adds y (z is there), then postInsert adds c (b is there).
    assert properties[("company", "Acme")] == {
        "seats": 5, "visits": 1, "tags": ["y", "z", "b", "c"], "founded": 1999, "plan": "team",
    }


def test_one_event_applies_fixed_order(tmp_path):
    lines = [
        snapshot(9, {"old": 1, "n": 7}),
        # Within one event: $clearAll, $unset, $set, $setOnce, $add, $append, $prepend, $preInsert,
        # $postInsert, $remove, whatever the key order.
        identify(10, {"$remove": {"gone": "x"}, "$postInsert": {"tags": "c", "gone": "x"}, "$append": {"n": 5},
                      "$preInsert": {"tags": "c"}, "$add": {"n": 2, "k": 1}, "$prepend": {"n": 0},
                      "$setOnce": {"k": 5}, "$set": {"n": 1, "tags": ["a"], "u": 1}, "$unset": {"u": "-"},
                      "$clearAll": "-"}),
    ]
    properties = import_and_read(tmp_path, lines, "one.jsonl")

    # n: 1, + 2, [3, 5], [0, 3, 5]; tags: c goes first and is then present; gone: ["x"] then [];
    # k: 5 + 1; u: removed, then set.
    assert properties[("company", "Acme")] == {"n": [0, 3, 5], "tags": ["c", "a"], "gone": [], "k": 6, "u": 1}


def test_add_non_numeric_skipped(tmp_path):
    lines = [
        snapshot(9, {"seats": 3, "name": "abc", "price": "12", "flag": True}),
        identify(10, {"$add": {"seats": "many", "name": 1, "price": "0.5", "flag": 1, "new": 2.5, "tags": [1]}}),
        identify(11, {"$add": {"seats": 2}}),
    ]
    properties = import_and_read(tmp_path, lines, "add.jsonl")

    # "many", a list, text and a boolean are not numbers; "12" and "0.5" are.
    assert properties[("company", "Acme")] == {"seats": 5, "name": "abc", "price": 12.5, "flag": True, "new": 2.5}


def test_null_and_unknown_operations_ignored(tmp_path):
    lines = [
        snapshot(9, {"plan": "free"}),
        identify(10, {"$set": {"plan": None}, "$append": {"tags": None}, "$increment": {"plan": 1},
                      "$unset": "plan", "$add": ["plan"]}),
    ]
    properties = import_and_read(tmp_path, lines, "null.jsonl")

    assert properties[("company", "Acme")] == {"plan": "free"}


def test_operations_reach_every_event_group(tmp_path):
    groups = {"company": ["Acme", "Globex"], "team": "red"}
    lines = [
        amplitude_event(9, "alice", groups),
        identify(10, {"$add": {"logins": 1}}, groups=groups),
        identify(11, {"$add": {"logins": 1}}, groups={"company": "Acme"}),
    ]
    properties = import_and_read(tmp_path, lines, "groups.jsonl")

    assert properties[("company", "Acme")] == {"logins": 2}
    assert properties[("company", "Globex")] == {"logins": 1}
    assert properties[("team", "red")] == {"logins": 1}


def test_later_import_adds_to_value(tmp_path):
    import_and_read(tmp_path, [snapshot(10, {"seats": 3}), identify(12, {"$add": {"seats": 2}})], "a.jsonl")
    properties = import_and_read(tmp_path, [identify(14, {"$add": {"seats": 4}})], "b.jsonl")

    assert properties[("company", "Acme")] == {"seats": 9}


def test_earlier_event_slots_in(tmp_path):
    import_and_read(tmp_path, [snapshot(10, {"seats": 3}), identify(12, {"$add": {"seats": 2}}),
                               identify(14, {"$add": {"seats": 4}})], "a.jsonl")
    properties = import_and_read(tmp_path, [identify(11, {"$set": {"seats": 10}})], "b.jsonl")

    # 11:00 sets 10, before both additions: 10 + 2 + 4.
    assert properties[("company", "Acme")] == {"seats": 16}
    # The 10:00 snapshot can no longer matter, so it is gone.
    assert stored_operations(tmp_path) == [("$set", "seats", 10), ("$add", "seats", 2), ("$add", "seats", 4)]


def test_earlier_set_once_slots_in(tmp_path):
    import_and_read(tmp_path, [identify(12, {"$setOnce": {"plan": "pro"}})], "a.jsonl")
    properties = import_and_read(tmp_path, [identify(11, {"$setOnce": {"plan": "trial"}})], "b.jsonl")

    assert properties[("company", "Acme")] == {"plan": "trial"}


def test_clear_all_across_imports(tmp_path):
    import_and_read(tmp_path, [snapshot(9, {"a": 1, "b": 2})], "a.jsonl")
    properties = import_and_read(tmp_path, [identify(12, {"$clearAll": "-", "$set": {"c": 3}})], "b.jsonl")
    assert properties[("company", "Acme")] == {"c": 3}

    properties = import_and_read(tmp_path, [identify(10, {"$set": {"d": 4}}), identify(13, {"$add": {"c": 1}})],
                                 "c.jsonl")

    assert properties[("company", "Acme")] == {"c": 4}
    assert stored_operations(tmp_path) == [("$clearAll", None, None), ("$set", "c", 3), ("$add", "c", 1)]


def test_repeated_snapshots_compact(tmp_path):
    lines = [snapshot(hour, {"plan": "free" if hour < 15 else "pro", "seats": hour}) for hour in range(8, 20)]
    properties = import_and_read(tmp_path, lines, "snapshots.jsonl")

    assert properties[("company", "Acme")] == {"plan": "pro", "seats": 19}
    assert stored_operations(tmp_path) == [("$set", "plan", "pro"), ("$set", "seats", 19)]


def test_reimport_adds_nothing_twice(tmp_path):
    lines = [snapshot(9, {"seats": 3}), identify(10, {"$add": {"seats": 2}, "$append": {"tags": "x"}})]
    first = import_and_read(tmp_path, lines, "a.jsonl")
    project, summary = import_lines(tmp_path, lines, "amplitude", "a.jsonl")
    again = group_properties(project)
    project.close()

    assert summary.imported == 0
    assert first[("company", "Acme")] == {"seats": 5, "tags": ["x"]}
    assert again == first


def test_whole_object_rows_upgraded(tmp_path):
    import_and_read(tmp_path, [snapshot(9, {"plan": "free"})], "a.jsonl")
    project = open_project(tmp_path / "p.duckdb")
    # The layout of project files written before operations were kept, with a row sent at 2024-03-01 08:00 UTC.
    project.con.execute("DROP TABLE group_property_updates")
    project.con.execute("""
        CREATE TABLE group_property_updates (
            group_type VARCHAR NOT NULL, group_name VARCHAR NOT NULL, sent_at HUGEINT NOT NULL, properties JSON NOT NULL)
    """)
    project.con.execute("""
        INSERT INTO group_property_updates VALUES
            ('company', 'Acme', epoch_us(TIMESTAMPTZ '2024-03-01 08:00:00+00')::HUGEINT * 18446744073709551616 + 1,
             '{"plan": "old", "region": "EU", "gone": null}')
    """)
    # Back to schema version 1, so opening the file runs the upgrade that splits the old rows.
    project.con.execute("ALTER TABLE users DROP COLUMN key_set_id")
    project.con.execute("DROP TABLE user_key_sets")
    project.con.execute("UPDATE schema_info SET version = 1")
    project.close()

    properties = import_and_read(tmp_path, [identify(10, {"$add": {"seats": 1}})], "b.jsonl")

    # The 09:00 snapshot's row was dropped with the table, so the old row's values are all that is left.
    assert properties[("company", "Acme")] == {"plan": "old", "region": "EU", "seats": 1}
    assert stored_operations(tmp_path) == [("$set", "plan", "old"), ("$set", "region", "EU"), ("$add", "seats", 1)]


def test_dollar_text_in_snapshot(tmp_path):
    lines = [snapshot(12, {"price": "$9", "$tier": "gold"}), snapshot(10, {"price": "$5", "$tier": "silver"})]
    properties = import_and_read(tmp_path, lines, "dollar.jsonl")

    assert properties[("company", "Acme")] == {"price": "$9", "$tier": "gold"}


def test_set_beats_snapshot_of_same_event(tmp_path):
    lines = [identify(10, {"company": {"Acme": {"plan": "snapshot", "seats": 2}}, "$set": {"plan": "set"}})]
    properties = import_and_read(tmp_path, lines, "both.jsonl")

    assert properties[("company", "Acme")] == {"plan": "set", "seats": 2}
