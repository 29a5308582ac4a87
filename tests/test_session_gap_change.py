"""Changing the session gap re-keys the gap sessions of events already imported, worked out by hand."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

import tui.store.session_gap as session_gap
from builders import build_project, file_state
from locking import write_lock_held
from tui.analytics.definition import parse_chart
from tui.analytics.sessions import sessions_chart
from tui.cli import main
from tui.store.project import ProjectError, create_project, open_project
from tui.store.session_gap import change_session_gap


def event(time: str, name: str, user=None, device=None, **fields) -> dict:
    """Return an event called ``name`` at ``time`` (HH:MM on 2024-03-01, or a full ISO time)."""
    when = time if "T" in time else f"2024-03-01T{time}:00Z"
    return {"event_type": name, "event_time": when, "user_id": user, "device_id": device, **fields}


def sessions(project) -> list[list[str]]:
    """Return the event names of each gap or source session, sessions and names in time order."""
    rows = project.con.execute("""
        SELECT list(event_type ORDER BY client_time, seq) AS names FROM events
        WHERE session_key IS NOT NULL GROUP BY session_key ORDER BY min(client_time), min(seq)
    """).fetchall()
    return [row[0] for row in rows]


def keys(project) -> dict[str, int | None]:
    return dict(project.con.execute("SELECT event_type, session_key FROM events").fetchall())


def chart_values(project, measure: str = "sessions", last_day: str = "2024-03-02") -> list[float]:
    chart = {"type": "sessions", "measure": measure, "range": {"from": "2024-03-01", "to": last_day}}
    definition = parse_chart(chart)
    frame = sessions_chart(project.cursor(), definition, project)
    return frame.sort_values("bucket")["value"].tolist()


@pytest.fixture
def minutes_apart(tmp_path):
    # 29 minutes, then 31 minutes between alice's events: two sessions under the default gap of 30.
    project = build_project(tmp_path, [event("10:00", "A", "alice"), event("10:29", "B", "alice"),
                                       event("11:00", "C", "alice")])
    yield project
    project.close()


def test_larger_gap_merges_sessions(minutes_apart):
    assert sessions(minutes_apart) == [["A", "B"], ["C"]]

    change = change_session_gap(minutes_apart, 60)

    assert sessions(minutes_apart) == [["A", "B", "C"]]
    assert minutes_apart.setting("session_gap_minutes") == 60
    assert (change.old_minutes, change.new_minutes) == (30, 60)
    assert change.gap_events == 3
    assert change.sessions_before == 2
    assert change.sessions_after == 1
    assert change.changed_events == 1


def test_smaller_gap_splits_sessions(minutes_apart):
    change_session_gap(minutes_apart, 60)

    change = change_session_gap(minutes_apart, 10)

    assert sessions(minutes_apart) == [["A"], ["B"], ["C"]]
    assert len(set(keys(minutes_apart).values())) == 3
    assert minutes_apart.setting("session_gap_minutes") == 10
    assert (change.sessions_before, change.sessions_after, change.changed_events) == (1, 3, 2)


def test_gap_boundary_is_inclusive(minutes_apart):
    # 29 minutes is within a gap of 29; 31 minutes needs a gap of 31.
    change_session_gap(minutes_apart, 29)
    assert sessions(minutes_apart) == [["A", "B"], ["C"]]

    change_session_gap(minutes_apart, 31)
    assert sessions(minutes_apart) == [["A", "B", "C"]]


def test_same_gap_changes_nothing(minutes_apart):
    before = keys(minutes_apart)

    change = change_session_gap(minutes_apart, 30)

    assert keys(minutes_apart) == before
    assert change.changed_events == 0
    assert change.sessions_before == change.sessions_after == 2


def test_first_part_keeps_old_key(minutes_apart):
    change_session_gap(minutes_apart, 60)
    merged = keys(minutes_apart)["A"]

    change_session_gap(minutes_apart, 10)

    after = keys(minutes_apart)
    assert after["A"] == merged
    assert merged not in (after["B"], after["C"])


def test_source_session_ids_kept(tmp_path):
    # The first file has a session_id column, so its sessions come from the ids and an event without one is
    # out of session. The second file has none, so the gap splits its events.
    project = build_project(tmp_path, [
        event("10:00", "S1", "alice", session_id="s"),
        event("13:00", "S2", "alice", session_id="s"),
        event("10:05", "OUT", "alice"),
        event("10:06", "MINUS", "alice", session_id="-1"),
    ])
    build_project(tmp_path, [event("10:10", "G1", "alice"), event("10:30", "G2", "alice")])
    before = keys(project)
    assert before["S1"] == before["S2"] < 0
    assert before["OUT"] is None and before["MINUS"] is None

    change = change_session_gap(project, 10)

    after = keys(project)
    assert after["S1"] == after["S2"] == before["S1"]
    assert after["OUT"] is None
    assert after["MINUS"] is None
    assert after["G1"] != after["G2"]
    assert change.gap_events == 2
    assert change.source_session_events == 2
    assert change.out_of_session_events == 2
    assert sessions(project) == [["S1", "S2"], ["G1"], ["G2"]]


def test_same_timestamp_events(tmp_path):
    # Events at one instant are 0 minutes apart, so any gap keeps them together; file order breaks the tie.
    project = build_project(tmp_path, [
        event("10:00", "A", "alice"), event("10:00", "B", "alice"), event("10:02", "C", "alice"),
        event("10:02", "D", "alice"), event("10:00", "X", "bob"),
    ])
    assert sessions(project) == [["A", "B", "C", "D"], ["X"]]

    change_session_gap(project, 1)

    assert sessions(project) == [["A", "B"], ["X"], ["C", "D"]]
    assert keys(project)["X"] not in (keys(project)["A"], keys(project)["C"])


def test_identified_device_sessions(tmp_path):
    # The phone's anonymous events are their own actor until a later import identifies the phone as alice's.
    project = build_project(tmp_path, [event("10:00", "P1", device="phone"), event("10:20", "P2", device="phone")])
    build_project(tmp_path, [event("10:45", "A1", "alice", "phone"), event("11:30", "A2", "alice")])
    actors = project.con.execute("SELECT count(DISTINCT actor_id) FROM events").fetchone()[0]
    assert actors == 1
    assert sessions(project) == [["P1", "P2", "A1"], ["A2"]]

    change_session_gap(project, 50)
    assert sessions(project) == [["P1", "P2", "A1", "A2"]]

    change_session_gap(project, 20)
    assert sessions(project) == [["P1", "P2"], ["A1"], ["A2"]]


def test_moved_device_splits_get_own_keys(tmp_path):
    # Under the gap of 30 the phone's events and xavier's form one session of xavier. Yvonne then turns
    # out to be the phone's first user, so its anonymous events move to her, and xavier's two
    # remaining events are 40 minutes apart. Each part must get a key of its own.
    project = build_project(tmp_path, [
        event("10:00", "P1", device="phone"), event("10:10", "X1", "xavier", "phone"),
        event("10:20", "P2", device="phone"), event("10:50", "X2", "xavier", "phone"),
    ])
    build_project(tmp_path, [event("09:00", "Y1", "yvonne", "phone")])

    assert sessions(project) == [["Y1"], ["P1", "P2"], ["X1"], ["X2"]]
    assert len(set(keys(project).values())) == 4

    change_session_gap(project, 60)
    assert sessions(project) == [["Y1", "P1", "P2"], ["X1", "X2"]]


@pytest.mark.parametrize("slice_events", [1, session_gap.REKEY_SLICE_EVENTS])
def test_shared_old_key_separated(tmp_path, monkeypatch, slice_events):
    # Imports by earlier versions could leave one gap key on the sessions of two actors; set that up directly.
    project = build_project(tmp_path, [event("10:00", "A", "alice"), event("10:10", "B", "bob")])
    project.con.execute("UPDATE events SET session_key = (SELECT session_key FROM events WHERE event_type = 'A')")
    monkeypatch.setattr(session_gap, "REKEY_SLICE_EVENTS", slice_events)

    change = change_session_gap(project, 30)

    assert keys(project)["A"] != keys(project)["B"]
    assert sessions(project) == [["A"], ["B"]]
    assert (change.sessions_before, change.sessions_after, change.changed_events) == (1, 2, 1)


def test_slices_match_one_pass(tmp_path, monkeypatch):
    users = [f"user{number}" for number in range(7)]
    events = [event(f"{10 + minute // 60:02}:{minute % 60:02}", f"{user}-{minute}", user)
              for index, user in enumerate(users) for minute in range(0, 100, 7 + 4 * index)]
    project = build_project(tmp_path, events)
    change_session_gap(project, 9)
    one_pass = sessions(project)
    change_session_gap(project, 30)
    monkeypatch.setattr(session_gap, "REKEY_SLICE_EVENTS", 3)
    calls = []

    change = change_session_gap(project, 9, lambda done, total: calls.append((done, total)))

    assert sessions(project) == one_pass
    assert len(set(keys(project).values())) == len(one_pass)
    assert calls[0] == (0, len(events))
    assert calls[-1] == (len(events), len(events))
    assert len(calls) > 3
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    assert change.sessions_after == len(one_pass)


@pytest.mark.parametrize("failure", [KeyboardInterrupt, RuntimeError])
def test_failed_change_leaves_file_unchanged(minutes_apart, monkeypatch, failure):
    monkeypatch.setattr(session_gap, "REKEY_SLICE_EVENTS", 1)
    build_project(minutes_apart.path.parent, [event("10:05", "D", "bob"), event("10:50", "E", "bob")])
    before = file_state(minutes_apart.path)
    keys_before = keys(minutes_apart)

    def progress(done, total):
        # The first slices have already updated keys inside the transaction when this raises.
        if done >= 3:
            raise failure("stop")

    with pytest.raises(failure):
        change_session_gap(minutes_apart, 60, progress)

    assert file_state(minutes_apart.path) == before
    assert keys(minutes_apart) == keys_before
    assert minutes_apart.setting("session_gap_minutes") == 30

    # The same change then succeeds.
    change_session_gap(minutes_apart, 60)
    assert sessions(minutes_apart) == [["A", "B", "C"], ["D", "E"]]


@pytest.mark.parametrize("minutes", [0, -5, math.nan, math.inf, True, "30", 52_560_001])
def test_invalid_gap_rejected(minutes_apart, minutes):
    before = file_state(minutes_apart.path)

    with pytest.raises(ProjectError, match="Invalid session gap"):
        change_session_gap(minutes_apart, minutes)

    assert file_state(minutes_apart.path) == before


def test_read_only_project_rejected(minutes_apart):
    path = minutes_apart.path
    minutes_apart.close()

    with write_lock_held(path):
        with open_project(path) as snapshot:
            assert snapshot.read_only
            with pytest.raises(ProjectError, match="read-only"):
                change_session_gap(snapshot, 60)


def test_project_without_gap_events(tmp_path):
    project = build_project(tmp_path, [event("10:00", "S", "alice", session_id="s")])

    change = change_session_gap(project, 5)

    assert change.gap_events == 0
    assert change.sessions_after == 0
    assert project.setting("session_gap_minutes") == 5


def test_sessions_chart_follows_gap(tmp_path):
    # The night session runs 50 minutes across midnight, past the longest session under the gap of 30
    # (29 minutes). A chart of 2024-03-01 alone must read its events up to 00:40 after the change,
    # so the span the chart queries keep per project must follow the gap in the same process.
    project = build_project(tmp_path, [
        event("10:00", "A", "alice"), event("10:29", "B", "alice"), event("11:00", "C", "alice"),
        event("23:50", "N1", "night"), event("2024-03-02T00:40:00Z", "N2", "night"),
    ])
    assert chart_values(project) == [3, 1]
    assert chart_values(project, "avg_length") == [29 * 60 / 3, 0]

    assert chart_values(project, "avg_length", "2024-03-01") == [29 * 60 / 3]

    change_session_gap(project, 60)
    assert chart_values(project) == [2, 0]
    assert chart_values(project, "avg_length") == [(60 * 60 + 50 * 60) / 2, 0]
    assert chart_values(project, "avg_length", "2024-03-01") == [(60 * 60 + 50 * 60) / 2]

    change_session_gap(project, 10)
    assert chart_values(project) == [4, 1]
    assert chart_values(project, "avg_length") == [0, 0]


def test_cli_prints_change(minutes_apart, capsys):
    path = str(minutes_apart.path)
    minutes_apart.close()

    status = main(["settings", "--project", path, "--session-gap", "60", "--format", "csv"])

    captured = capsys.readouterr()
    assert status == 0
    assert captured.err.splitlines() == [
        "session gap: 60 minutes (was 30)",
        "events in gap sessions: 3",
        "sessions before: 2",
        "sessions after: 1",
        "events whose session changed: 1",
    ]
    assert "setting,session_gap_minutes,60" in captured.out
    with open_project(path) as project:
        assert sessions(project) == [["A", "B", "C"]]


def test_cli_bad_option_changes_nothing(minutes_apart, capsys):
    path = str(minutes_apart.path)
    minutes_apart.close()
    before = file_state(Path(path))

    status = main(["settings", "--project", path, "--session-gap", "60", "--member", "ann=owner"])

    assert status == 2
    assert "invalid role 'owner'" in capsys.readouterr().err
    assert file_state(Path(path)) == before


def test_cli_rejects_zero_gap(minutes_apart, capsys):
    path = str(minutes_apart.path)
    minutes_apart.close()

    status = main(["settings", "--project", path, "--session-gap", "0"])

    assert status == 2
    assert "--session-gap 0: use a positive whole number." in capsys.readouterr().err


def test_cli_progress_bar_on_terminal(minutes_apart, monkeypatch, capsys):
    path = str(minutes_apart.path)
    minutes_apart.close()
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)

    status = main(["settings", "--project", path, "--session-gap", "10"])

    assert status == 0
    err = capsys.readouterr().err
    assert "\rre-keying sessions [" in err
    assert "100%" in err


def cli_gap_lines(project, capsys, minutes: str = "45") -> list[str]:
    """Close ``project``, change its gap with ``loupe settings`` and return the lines printed on stderr."""
    path = str(project.path)
    project.close()

    status = main(["settings", "--project", path, "--session-gap", minutes, "--format", "csv"])

    assert status == 0
    return capsys.readouterr().err.splitlines()


def test_cli_all_source_sessions(tmp_path, capsys):
    project = build_project(tmp_path, [
        event("10:00", "A", "alice", session_id="s1"), event("11:00", "B", "bob", session_id="s2"),
    ])

    assert cli_gap_lines(project, capsys) == [
        "session gap: 45 minutes (was 30)",
        "all 2 events carry a session id from the source, so the gap splits none of them",
    ]


def test_cli_source_and_out_of_session(tmp_path, capsys):
    # The file has a session_id column, so OUT (no id) and MINUS (-1) are out of session, not gap events.
    project = build_project(tmp_path, [
        event("10:00", "S", "alice", session_id="s"), event("10:05", "OUT", "alice"),
        event("10:06", "MINUS", "alice", session_id="-1"),
    ])

    assert cli_gap_lines(project, capsys) == [
        "session gap: 45 minutes (was 30)",
        "the gap splits none of the 3 events: 1 carry a session id from the source and 2 are out of session "
        "(session id -1, or none in a file that has session ids)",
    ]


def test_cli_gap_and_source_events(tmp_path, capsys):
    project = build_project(tmp_path, [event("10:00", "S", "alice", session_id="s")])
    build_project(tmp_path, [event("10:10", "G1", "alice"), event("11:00", "G2", "alice")])

    assert cli_gap_lines(project, capsys, "60") == [
        "session gap: 60 minutes (was 30)",
        "events in gap sessions: 2",
        "sessions before: 2",
        "sessions after: 1",
        "events whose session changed: 1",
        "events the gap does not apply to: 1 with a session id from the source, 0 out of session",
    ]


def test_cli_gap_of_empty_project(tmp_path, capsys):
    project = create_project(tmp_path / "empty.duckdb")

    assert cli_gap_lines(project, capsys) == [
        "session gap: 45 minutes (was 30)",
        "the project has no events yet, so the gap applies to the events you import next",
    ]
