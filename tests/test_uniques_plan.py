"""The choice between bitmaps and hash sets for distinct counts, and the exact counts either way."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from builders import build_project
from tui.analytics import uniques
from tui.analytics.definition import parse_chart
from tui.analytics.segmentation import segmentation
from tui.analytics.uniques import PAIR_COUNTS, PairCount, PairCounts, bitmap_bytes


@pytest.fixture(autouse=True)
def no_recorded_counts():
    PAIR_COUNTS.clear()
    yield
    PAIR_COUNTS.clear()


def chart(measure="uniques", **changes) -> dict:
    obj = {
        "type": "segmentation",
        "events": [{"event": "Buy"}],
        "measure": measure,
        "range": {"from": "2024-03-09", "to": "2024-03-11"},
    }
    obj.update(changes)
    return obj


def event(time, user=None, device=None, event_type="Buy", **fields) -> dict:
    return {"event_type": event_type, "event_time": time, "user_id": user, "device_id": device, **fields}


def run_profiled(project, obj, profile_path) -> tuple[pd.DataFrame, str]:
    """Run the chart on a cursor that profiles its queries, and return the frame and the last query's SQL."""
    cursor = project.cursor()
    cursor.execute("PRAGMA enable_profiling = 'json'")
    quoted = str(profile_path).replace("'", "''")
    cursor.execute(f"PRAGMA profiling_output = '{quoted}'")
    try:
        frame = segmentation(cursor, parse_chart(obj), project)
    finally:
        cursor.close()
    with open(profile_path, encoding="utf-8") as handle:
        return frame, json.load(handle)["query"]["sql"]


def hash_sets_for_any_count(monkeypatch) -> None:
    """Make a recorded count choose hash sets, as on a large project. These small projects have tiny bitmaps."""
    monkeypatch.setattr(uniques, "BITMAP_BYTES_PER_PAIR", 0)


def values(frame) -> list[float]:
    return frame.sort_values("bucket")["value"].tolist()


def actor_range(project) -> tuple[int, int]:
    return project.con.execute("SELECT min(actor_id), max(actor_id) FROM actors").fetchone()


# Days in New York: 9 March (EST), 10 March (DST starts at 07:00 UTC), 11 March (EDT).
NEW_YORK_EVENTS = [
    # 04:30 UTC on the 10th is 23:30 on the 9th in New York.
    event("2024-03-10T04:30:00Z", "ann"),
    # Two events of bob at the same instant, and ann again, on the 10th.
    event("2024-03-10T05:30:00Z", "bob"),
    event("2024-03-10T05:30:00Z", "bob", insert_id="again"),
    event("2024-03-10T12:00:00Z", "ann"),
    # A device seen first without a user and identified as cy later the same day is one actor.
    event("2024-03-10T13:00:00Z", None, "phone-1"),
    event("2024-03-10T14:00:00Z", "cy", "phone-1"),
    # 03:59 UTC on the 11th is still the 10th (23:59 EDT), and 04:00 UTC is the 11th.
    event("2024-03-11T03:59:00Z", "dee"),
    event("2024-03-11T04:00:00Z", "dee"),
    event("2024-03-11T04:00:00Z", "ünï"),
    event("2024-03-11T05:00:00Z", "ann", event_type="Open"),
]
NEW_YORK_USERS = [1, 4, 2]


def test_second_run_uses_hash_sets(tmp_path, monkeypatch):
    hash_sets_for_any_count(monkeypatch)
    project = build_project(tmp_path, NEW_YORK_EVENTS, timezone="America/New_York")

    first, first_sql = run_profiled(project, chart(), tmp_path / "first.json")
    second, second_sql = run_profiled(project, chart(), tmp_path / "second.json")

    assert "bitstring_agg(actor_id, 1, 5)) AS value" in first_sql
    assert "count(DISTINCT actor_id) AS value" in second_sql
    assert values(first) == NEW_YORK_USERS
    assert values(second) == NEW_YORK_USERS


def test_run_records_pairs_and_range(tmp_path):
    project = build_project(tmp_path, NEW_YORK_EVENTS, timezone="America/New_York")

    run_profiled(project, chart(), tmp_path / "run.json")

    assert PAIR_COUNTS.values() == [PairCount(pairs=sum(NEW_YORK_USERS), id_range=actor_range(project))]


def test_small_bitmaps_kept(tmp_path):
    # Five actor ids take one byte per day, far less than hash sets for the 7 pairs counted.
    project = build_project(tmp_path, NEW_YORK_EVENTS, timezone="America/New_York")

    run_profiled(project, chart(), tmp_path / "first.json")
    second, second_sql = run_profiled(project, chart(), tmp_path / "second.json")

    assert "bitstring_agg(actor_id, 1, 5)) AS value" in second_sql
    assert values(second) == NEW_YORK_USERS


@pytest.mark.parametrize("measure", ["totals", "average", "pct_active"])
def test_other_measures_record_nothing(tmp_path, measure):
    project = build_project(tmp_path, NEW_YORK_EVENTS, timezone="America/New_York")

    run_profiled(project, chart(measure), tmp_path / "run.json")

    assert len(PAIR_COUNTS) == 0


def test_import_after_recorded_count(tmp_path, monkeypatch):
    hash_sets_for_any_count(monkeypatch)
    with build_project(tmp_path, NEW_YORK_EVENTS, timezone="America/New_York") as project:
        run_profiled(project, chart(), tmp_path / "before.json")
    # New users and more events of known ones, in the same days.
    later = [event("2024-03-09T15:00:00Z", "eve"), event("2024-03-09T16:00:00Z", "bob"), event("2024-03-11T20:00:00Z", "fay")]

    with build_project(tmp_path, later, timezone="America/New_York") as project:
        frame, sql = run_profiled(project, chart(), tmp_path / "after.json")

    assert "count(DISTINCT actor_id) AS value" in sql
    assert values(frame) == [3, 4, 3]


def test_grouped_second_run_matches_first(tmp_path, monkeypatch):
    hash_sets_for_any_count(monkeypatch)
    events = [
        event("2024-03-09T15:00:00Z", "ann", country="DE"),
        event("2024-03-09T15:00:00Z", "bob", country="DE"),
        event("2024-03-09T16:00:00Z", "bob", country="FR"),
        event("2024-03-10T15:00:00Z", "cy"),
    ]
    project = build_project(tmp_path, events)
    obj = chart(group_by="country")

    first, first_sql = run_profiled(project, obj, tmp_path / "first.json")
    second, second_sql = run_profiled(project, obj, tmp_path / "second.json")

    assert "bitstring_agg(actor_id, 1, 3)) AS value" in first_sql
    assert "count(DISTINCT actor_id) AS value" in second_sql
    pd.testing.assert_frame_equal(first, second)
    assert values(first[first["segment"] == "DE"]) == [2, 0, 0]
    assert values(first[first["segment"] == "FR"]) == [1, 0, 0]
    assert values(first[first["segment"] == "(none)"]) == [0, 1, 0]


def test_bitmap_bytes_per_group():
    # 80 ids need 10 bytes, in each of two groups.
    assert bitmap_bytes((1, 80), 2) == 20
    assert bitmap_bytes((5, 5), 3) == 3


def test_prefers_hash_sets_below_ratio(monkeypatch):
    monkeypatch.setattr(uniques, "BITMAP_BYTES_PER_PAIR", 4)
    # 60 groups over 800 ids take 60 * 100 = 6,000 bytes: hash sets below 1,500 pairs.
    assert PairCount(pairs=1_499, id_range=(0, 799)).prefers_hash_sets(60)
    assert not PairCount(pairs=1_500, id_range=(0, 799)).prefers_hash_sets(60)


def test_pair_counts_drop_oldest_when_full():
    counts = PairCounts(max_entries=2)
    counts.record("a", PairCount(1, (0, 9)))
    counts.record("b", PairCount(2, (0, 9)))
    counts.record("a", PairCount(3, (0, 9)))
    counts.record("c", PairCount(4, (0, 9)))

    assert counts.get("b") is None
    assert counts.get("a") == PairCount(3, (0, 9))
    assert counts.get("c") == PairCount(4, (0, 9))
