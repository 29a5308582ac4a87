"""Event segmentation counted by a group type and segmented by group name, against counts worked out by hand.

The project is ``groups_data.ACCOUNT_EVENTS``; its table there gives every
event, so each expected value below can be read off it.
"""

from __future__ import annotations

import pandas as pd
import pytest

from builders import build_project
from groups_data import UNICODE_COMPANY, build_accounts, chart, event
from tui.analytics import uniques
from tui.analytics.definition import parse_chart
from tui.analytics.segmentation import point_events_sql, segmentation


@pytest.fixture
def project(tmp_path):
    project = build_accounts(tmp_path)
    yield project
    project.close()


def run(project, obj) -> pd.DataFrame:
    return segmentation(project.cursor(), parse_chart(obj), project)


def values(frame, segment=None) -> list[float]:
    rows = frame[frame["segment"].isna()] if segment is None else frame[frame["segment"] == segment]
    return [round(value, 6) for value in rows.sort_values("bucket")["value"]]


def segments(frame) -> list[str]:
    return list(dict.fromkeys(frame["segment"]))


def test_uniques_count_groups(project):
    # Day 1: Acme (lines 1, 2), Globex (2), Ünïcode (4); line 3 names no company. Day 2: Acme (6).
    assert values(run(project, chart())) == [3, 1]
    # Counting users instead: alice, bob, carol and dora (device d-9) on day 1.
    assert values(run(project, chart(count_by=None))) == [4, 2]


def test_totals_count_events_with_group(project):
    # Lines 1, 2 and 4: line 2 names two companies but is one event; line 3 names none.
    assert values(run(project, chart(measure="totals"))) == [3, 1]


def test_average_is_events_per_group(project):
    # Day 1: (event, company) pairs 1-Acme, 2-Acme, 2-Globex, 4-Ünïcode over 3 companies.
    assert values(run(project, chart(measure="average"))) == [round(4 / 3, 6), 1]


def test_pct_active_groups(project):
    # Day 2: Acme bought; Initech (Open, line 5) and Acme were active.
    assert values(run(project, chart(measure="pct_active"))) == [100, 50]


def test_property_measures_take_each_event_once(project):
    # Day 1: prices 10 + 20 + 1 over three events; line 2 counts once though it names two companies.
    assert values(run(project, chart(measure="sum:price"))) == [31, 30]
    assert values(run(project, chart(measure="avg:price"))) == [round(31 / 3, 6), 30]


def test_group_by_company_segments(project):
    frame = run(project, chart(count_by=None, group_by="group:company"))

    # Ranked by users over the range: Acme 2, then Globex and Ünïcode with 1 each, in byte order; (none) last.
    assert segments(frame) == ["Acme", "Globex", UNICODE_COMPANY, "(none)"]
    assert values(frame, "Acme") == [2, 1]
    assert values(frame, "Globex") == [1, 0]
    assert values(frame, UNICODE_COMPANY) == [1, 0]
    # carol on day 1, bob's line 7 on day 2.
    assert values(frame, "(none)") == [1, 1]


def test_group_by_company_totals(project):
    frame = run(project, chart(count_by=None, group_by="group:company", measure="totals"))

    # Line 2 is in both Acme and Globex.
    assert values(frame, "Acme") == [2, 1]
    assert values(frame, "Globex") == [1, 0]


def test_count_and_group_by_same_type(project):
    frame = run(project, chart(group_by="group:company", measure="totals"))
    counted = run(project, chart(group_by="group:company"))

    # Each segment counts its own company once, and its events.
    assert values(counted, "Acme") == [1, 1]
    assert values(counted, "Globex") == [1, 0]
    assert "(none)" not in segments(counted)
    assert values(frame, "Acme") == [2, 1]


def test_count_by_company_group_by_team(project):
    frame = run(project, chart(group_by="group:team"))

    # Day 1 has no team: Acme, Globex and Ünïcode are (none). Day 2: line 6 is team red, company Acme.
    assert values(frame, "(none)") == [3, 0]
    assert values(frame, "red") == [0, 1]
    # Line 7 (team blue) names no company, so it is not counted.
    assert "blue" not in segments(frame)


def test_count_by_with_property_group_by(project):
    frame = run(project, chart(group_by="user_id"))

    assert values(frame, "bob") == [2, 0]
    assert values(frame, "alice") == [1, 1]


def test_unknown_group_type_counts_nothing(project):
    frame = run(project, chart(count_by="group:planet"))

    assert values(frame) == [0, 0]


def test_point_events_have_group_rows(project):
    definition = parse_chart(chart())

    sql, params = point_events_sql(definition, project, 0, None, 0)
    rows = project.con.execute(
        f"SELECT coalesce(user_id, device_id), groups.group_name FROM ({sql}) AS point JOIN groups USING (group_id)",
        params,
    ).fetchall()

    assert sorted(rows) == sorted([("alice", "Acme"), ("bob", "Acme"), ("bob", "Globex"), ("d-9", UNICODE_COMPANY)])


def test_other_segment_counts_event_once(tmp_path):
    # c01..c10 have two events each, so they are the top ten; c11 and c12 share one event and fall in (other).
    events = [
        event("Buy", f"2024-03-01T{hour:02}:00:00Z", f"u{index}-{hour}", company=f"c{index:02}")
        for index in range(1, 11) for hour in (1, 2)
    ]
    events.append(event("Buy", "2024-03-01T03:00:00Z", "zed", company=["c11", "c12"]))
    with build_project(tmp_path, events) as project:
        by_users = run(project, chart(count_by=None, group_by="group:company", measure="totals", last="2024-03-01"))
        by_groups = run(project, chart(group_by="group:company", measure="average", last="2024-03-01"))

    assert values(by_users, "(other)") == [1]
    assert len(segments(by_users)) == 11
    # (other) contains the pairs zed-c11 and zed-c12: two pairs over two companies.
    assert values(by_groups, "(other)") == [1]


def test_bitmap_and_hash_group_counts_agree(project, monkeypatch):
    obj = chart(["Buy", "*"], group_by="group:team", measure="pct_active")

    with_bitmap = run(project, obj)
    monkeypatch.setattr(uniques, "BITMAP_BUDGET_BYTES", 0)
    with_hash_sets = run(project, obj)

    assert with_bitmap["value"].tolist() == with_hash_sets["value"].tolist()


def test_day_boundary_in_new_york_across_dst(tmp_path):
    # 04:30 UTC on 10 March is 23:30 EST on the 9th; 05:30 UTC is 00:30 on the 10th; DST starts at 07:00 UTC.
    # 04:30 UTC on the 11th is 00:30 EDT on the 11th.
    events = [
        event("Buy", "2024-03-10T04:30:00Z", "a", company="Acme"),
        event("Buy", "2024-03-10T05:30:00Z", "b", company=["Acme", "Globex"]),
        event("Buy", "2024-03-11T03:30:00Z", "c", company="Initech"),
        event("Buy", "2024-03-11T04:30:00Z", "d", company="Initech"),
    ]
    with build_project(tmp_path, events, timezone="America/New_York") as project:
        frame = run(project, chart(first="2024-03-09", last="2024-03-11"))

    # 9th: Acme. 10th: Acme, Globex, and Initech at 23:30 EDT. 11th: Initech.
    assert values(frame) == [1, 3, 1]


def test_other_segment_with_counted_groups(tmp_path):
    # Teams t01..t10 lead by every measure: two events each, naming three companies each.
    # One event names teams t11 and t12 and companies A and B, so it falls in (other) once.
    events = [
        event("Buy", f"2024-03-01T{hour:02}:00:00Z", f"u{index}", price=1, company=[f"X{index}", f"Y{index}", f"Z{index}"],
              team=f"t{index:02}")
        for index in range(1, 11) for hour in (1, 2)
    ]
    events.append(event("Buy", "2024-03-01T03:00:00Z", "zed", price=1, company=["A", "B"], team=["t11", "t12"]))
    with build_project(tmp_path, events) as project:
        def other(measure):
            frame = run(project, chart(group_by="group:team", measure=measure, last="2024-03-01"))
            return values(frame, "(other)")

        assert other("uniques") == [2]
        assert other("totals") == [1]
        assert other("sum:price") == [1]
        # Pairs zed-A and zed-B over two companies.
        assert other("average") == [1]
        assert other("avg:price") == [1]
