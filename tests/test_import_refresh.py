"""Re-import, users' latest properties, groups, session keys and event order."""

import json
from pathlib import Path

from builders import build_project
from tui.store.importing import import_files
from tui.store.session_gap import change_session_gap

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import"


def event(event_type, minute, **fields):
    hour, minute = divmod(minute, 60)
    return {"event_type": event_type, "event_time": f"2024-03-01T{10 + hour:02d}:{minute:02d}:00Z", **fields}


def column(project, sql):
    return [row[0] for row in project.con.execute(sql).fetchall()]


def test_reimport_adds_nothing(tmp_path):
    project = build_project(tmp_path, [event("Open", 0, user_id="a"), event("Open", 0, user_id="a")])
    source = next(tmp_path.glob("*.jsonl"))
    again = import_files(project, [source])
    assert again.imported == 0
    assert again.duplicates == 2
    assert again.read == 2
    assert column(project, "SELECT count(*) FROM events") == [2]


def test_insert_id_dedupes_within_file(tmp_path):
    project = build_project(tmp_path, [
        event("Open", 0, user_id="a", insert_id="x"),
        event("Open", 5, user_id="a", insert_id="x"),
        event("Open", 5, user_id="a", insert_id="y"),
    ])
    assert column(project, "SELECT insert_id FROM events ORDER BY seq") == ["x", "y"]
    assert column(project, "SELECT client_time = event_time FROM events WHERE insert_id = 'x'") == [True]
    assert column(project, "SELECT minute(event_time) FROM events WHERE insert_id = 'x'") == [0]


def test_mixpanel_sample(tmp_path):
    from tui.store.project import create_project

    with create_project(tmp_path / "p.duckdb") as project:
        summary = import_files(project, [FIXTURES / "mixpanel_sample.jsonl"])
        assert summary.format == "mixpanel"
        assert (summary.read, summary.imported, summary.duplicates) == (5, 4, 1)
        # $device:dev-a and alice's login on dev-a are one actor; bob is another.
        assert summary.users == 2
        times = column(project, "SELECT epoch(event_time) FROM events ORDER BY seq")
        assert times == [1709287200, 1709287260, 1709290800, 1709290860]


def test_latest_user_property_wins(tmp_path):
    project = build_project(tmp_path, [
        event("A", 0, user_id="u", user_properties={"plan": "free", "city": "Oslo"}),
        event("B", 20, user_id="u", user_properties={"plan": "pro"}),
        event("C", 10, user_id="u", user_properties={"plan": "team", "seats": 3}),
    ])
    properties = json.loads(column(project, "SELECT properties FROM users")[0])
    assert properties == {"plan": "pro", "city": "Oslo", "seats": 3}
    project.close()

    project = build_project(tmp_path, [event("D", 5, user_id="u", user_properties={"plan": "old"})])
    properties = json.loads(column(project, "SELECT properties FROM users")[0])
    assert properties["plan"] == "pro"
    first, last = project.con.execute("SELECT minute(first_seen), minute(last_seen) FROM users").fetchone()
    assert (first, last) == (0, 20)


def test_groups_first_time_and_creator(tmp_path):
    project = build_project(tmp_path, [
        event("Invite", 30, user_id="bob", groups={"company": "acme"}),
        event("Invite", 10, user_id="alice", groups={"company": ["acme", "initech"], "team": "red"}),
    ])
    groups = project.con.execute("""
        SELECT g.group_type, g.group_name, g.group_id, minute(g.first_time), a.user_id
        FROM groups AS g JOIN actors AS a ON a.actor_id = g.creator_actor_id ORDER BY g.group_id
    """).fetchall()
    assert groups == [
        ("company", "acme", 1, 10, "alice"),
        ("company", "initech", 2, 10, "alice"),
        ("team", "red", 3, 10, "alice"),
    ]
    links = project.con.execute("SELECT count(*), count(DISTINCT seq) FROM event_groups").fetchone()
    assert links == (4, 2)
    project.close()

    project = build_project(tmp_path, [event("Invite", 1, user_id="carol", groups={"company": "acme"})])
    row = project.con.execute("""
        SELECT g.group_id, minute(g.first_time), a.user_id FROM groups AS g
        JOIN actors AS a ON a.actor_id = g.creator_actor_id WHERE group_name = 'acme'
    """).fetchone()
    assert row == (1, 1, "carol")


def test_gap_sessions_29_and_31_minutes(tmp_path):
    project = build_project(tmp_path, [
        event("A", 0, user_id="u"),
        event("B", 29, user_id="u"),
        event("C", 60, user_id="u"),
        event("D", 90, user_id="u"),
    ])
    keys = column(project, "SELECT session_key FROM events ORDER BY event_time")
    assert keys[0] == keys[1]  # 29 minutes apart
    assert keys[1] != keys[2]  # 31 minutes apart
    assert keys[2] == keys[3]  # exactly 30 minutes is not more than the gap
    assert None not in keys


def test_gap_session_continues_across_imports(tmp_path):
    project = build_project(tmp_path, [event("A", 0, user_id="u"), event("C", 40, user_id="u")])
    keys = column(project, "SELECT session_key FROM events ORDER BY event_time")
    assert keys[0] != keys[1]
    project.close()

    # An event at minute 20 bridges the two sessions into one.
    project = build_project(tmp_path, [event("B", 20, user_id="u")])
    keys = column(project, "SELECT session_key FROM events ORDER BY event_time")
    assert keys == [keys[0]] * 3


def test_session_ids_and_out_of_session(tmp_path):
    project = build_project(tmp_path, [
        event("A", 0, user_id="u", session_id="s1"),
        event("B", 50, user_id="u", session_id="s1"),
        event("C", 51, user_id="u", session_id="-1"),
        event("D", 52, user_id="u"),
        event("E", 53, user_id="v", session_id="s1"),
    ])
    keys = dict(project.con.execute("SELECT event_type, session_key FROM events").fetchall())
    assert keys["A"] == keys["B"]
    assert keys["C"] is None
    # The file has a session_id column, so a missing id means out of session too.
    assert keys["D"] is None
    # Session ids are per actor.
    assert keys["E"] not in (None, keys["A"])


def test_session_gap_setting_used(tmp_path):
    project = build_project(tmp_path, [event("A", 0, user_id="u")], name="gap.duckdb")
    change_session_gap(project, 10)
    project.close()
    project = build_project(tmp_path, [event("B", 15, user_id="u"), event("C", 20, user_id="u")], name="gap.duckdb")
    keys = column(project, "SELECT session_key FROM events ORDER BY event_time")
    assert keys[0] != keys[1]
    assert keys[1] == keys[2]


def test_equal_times_keep_file_order(tmp_path):
    names = [f"step{n}" for n in range(10)]
    project = build_project(tmp_path, [event(name, 0, user_id="u") for name in reversed(names)])
    assert column(project, "SELECT event_type FROM events ORDER BY client_time, seq") == list(reversed(names))
    project.close()
    project = build_project(tmp_path, [event("later", 0, user_id="u")])
    assert column(project, "SELECT event_type FROM events ORDER BY client_time, seq")[-1] == "later"


def test_client_time_orders_events(tmp_path):
    project = build_project(tmp_path, [
        event("second", 0, user_id="u", client_time="2024-03-01T09:59:02Z"),
        event("first", 0, user_id="u", client_time="2024-03-01T09:59:01Z"),
    ])
    assert column(project, "SELECT event_type FROM events ORDER BY client_time, seq") == ["first", "second"]
    assert column(project, "SELECT DISTINCT minute(event_time) FROM events") == [0]


def test_source_timezone_and_epochs(tmp_path):
    from tui.store.project import create_project

    source = tmp_path / "e.csv"
    source.write_text(
        "event,timestamp,user_id\n"
        "A,2024-07-01 12:00:00,u\n"
        "B,2024-07-01T12:00:00+00:00,u\n"
        "C,1719835200,u\n"
        "D,1719835200000,u\n"
    )
    with create_project(tmp_path / "p.duckdb") as project:
        import_files(project, [source], source_timezone="Europe/Berlin")
        hours = dict(project.con.execute("SELECT event_type, hour(event_time AT TIME ZONE 'UTC') FROM events").fetchall())
    assert hours == {"A": 10, "B": 12, "C": 12, "D": 12}


def test_other_columns_become_properties(tmp_path):
    project = build_project(tmp_path, [event("A", 0, user_id="u", event_properties={"x": 1}, color="red", size=None)])
    properties = json.loads(column(project, "SELECT event_properties FROM events")[0])
    assert properties == {"x": 1, "color": "red"}
