"""The groups of a point: the list, each group's users, the groups CSV and cohorts of groups, by hand on small projects."""

from __future__ import annotations

import csv

import pytest

from builders import build_project
from groups_data import HOUR, MARCH_1, UNICODE_COMPANY, build_accounts, chart, day_one_csv_rows, event, group_id
from tui.analytics.cohorts import count_cohort_members, create_cohort_from_point
from tui.analytics.definition import DefinitionError, parse_chart
from tui.analytics.export import DestinationExistsError, cap_warning
from tui.analytics.groups import group_users, groups_csv, point_group_count, point_groups
from tui.analytics.microscope import MicroscopeError, point_users, user_profile
from tui.analytics.point import Point
from tui.analytics.segmentation import segmentation
from tui.store.cohorts import CohortError, cohort_groups, cohort_members, load_cohort


@pytest.fixture
def project(tmp_path):
    project = build_accounts(tmp_path)
    yield project
    project.close()


def day_point(obj=None, bucket=0, segment=None) -> Point:
    return Point(parse_chart(obj or chart()), series=0, segment=segment, bucket=bucket)


def read_rows(path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_point_groups_columns_and_values(project):
    frame = point_groups(project.cursor(), day_point(), project, sort="group_name", descending=False)

    assert list(frame.columns) == [
        "group_id", "group_type", "group_name", "first_time", "creator_id", "events_in_point", "users_in_point",
    ]
    assert frame["group_name"].tolist() == ["Acme", "Globex", UNICODE_COMPANY]
    assert frame["group_type"].tolist() == ["company"] * 3
    # Lines 1 and 2 share 09:00 and alice's comes first in the file; d-9 became dora.
    assert frame["creator_id"].tolist() == ["alice", "bob", "dora"]
    assert frame["events_in_point"].tolist() == [2, 1, 1]
    assert frame["users_in_point"].tolist() == [2, 1, 1]
    assert [moment.timestamp() for moment in frame["first_time"]] == [
        MARCH_1 + 9 * HOUR, MARCH_1 + 9 * HOUR, MARCH_1 + 8 * HOUR,
    ]
    assert frame["group_id"].tolist() == [group_id(project, name) for name in frame["group_name"]]


def test_point_groups_sort_search_and_pages(project):
    point = day_point()
    cursor = project.cursor()

    by_events = point_groups(cursor, point, project)
    assert by_events["group_name"].tolist()[0] == "Acme"
    # Globex and Ünïcode tie on events; the group id breaks the tie.
    assert by_events["group_id"].tolist()[1:] == sorted(by_events["group_id"].tolist()[1:])
    assert point_groups(cursor, point, project, search="ÜNÏ")["group_name"].tolist() == [UNICODE_COMPANY]
    assert point_group_count(cursor, point, project, search="o") == 2
    second_page = point_groups(cursor, point, project, sort="group_id", descending=False, offset=1, limit=1)
    assert second_page["group_id"].tolist() == [sorted(by_events["group_id"])[1]]
    with pytest.raises(MicroscopeError, match="sort: 'price' is not a group list column"):
        point_groups(cursor, point, project, sort="price")


def test_group_count_equals_chart_value(project):
    obj = chart(["Buy", "*"], group_by="group:team")
    definition = parse_chart(obj)
    cursor = project.cursor()

    frame = segmentation(cursor, definition, project)

    assert frame["value"].sum() > 0
    for row in frame.itertuples():
        point = Point(definition, row.series, row.segment, row.bucket)
        assert point_group_count(cursor, point, project) == row.value, row
        assert len(point_groups(cursor, point, project, limit=None)) == row.value, row


def test_users_chart_has_no_groups(project):
    with pytest.raises(MicroscopeError, match="count_by: this chart counts users"):
        point_groups(project.cursor(), day_point(chart(count_by=None)), project)


def test_group_users_open_users_and_profiles(project):
    point = day_point()
    cursor = project.cursor()
    acme = group_id(project, "Acme")

    users = group_users(point, project, acme, "Acme")
    listed = point_users(cursor, users, project, sort="user_id", descending=False)

    assert listed["user_id"].tolist() == ["alice", "bob"]
    assert listed["events_in_point"].tolist() == [1, 1]
    assert users.label == "Buy, [2024-03-01 00:00, 2024-03-02 00:00) UTC, group Acme"
    assert user_profile(cursor, int(listed["actor_id"][0])).display_id == "alice"


def test_group_users_of_anonymous_creator(project):
    unicode_id = group_id(project, UNICODE_COMPANY)

    users = group_users(day_point(), project, unicode_id, UNICODE_COMPANY)

    assert point_users(project.cursor(), users, project)["user_id"].tolist() == ["dora"]


def test_groups_csv_columns_and_values(project, tmp_path):
    out = tmp_path / "groups.csv"

    result = groups_csv(project.cursor(), day_point(), project, out)

    ids = {name: group_id(project, name) for name in ("Acme", "Globex", UNICODE_COMPANY)}
    assert read_rows(out) == [["group_id", "group_name", "first_time", "creator_id"], *day_one_csv_rows(ids)]
    assert (result.rows, result.total, result.capped, result.noun) == (3, 3, False, "groups")


def test_groups_csv_first_time_from_earlier_import(tmp_path):
    # A later import brings an earlier event naming Globex, at 07:30:00.9 on 28 February, by erin.
    build_accounts(tmp_path).close()
    earlier = [event("Buy", "2024-02-28T07:30:00.900Z", "erin", company="Globex")]
    out = tmp_path / "groups.csv"

    with build_project(tmp_path, earlier) as project:
        groups_csv(project.cursor(), day_point(), project, out)

    records = {row[1]: row for row in read_rows(out)[1:]}
    # Whole Unix seconds of 2024-02-28T07:30:00.9Z.
    assert records["Globex"][2:] == [str(MARCH_1 - 2 * 24 * HOUR + 7 * HOUR + 30 * 60), "erin"]
    assert records["Acme"][2:] == [str(MARCH_1 + 9 * HOUR), "alice"]


def test_groups_csv_neutralises_formulas(tmp_path):
    events = [
        event("Buy", "2024-03-01T09:00:00Z", "=cmd", company="-2+3"),
        event("Buy", "2024-03-01T10:00:00Z", "plain", company='say "hi", then\nleave'),
    ]
    out = tmp_path / "groups.csv"
    with build_project(tmp_path, events) as project:
        groups_csv(project.cursor(), day_point(), project, out)

    rows = read_rows(out)[1:]
    assert [row[1:] for row in rows] == [
        ["'-2+3", str(MARCH_1 + 9 * HOUR), "'=cmd"],
        ['say "hi", then\nleave', str(MARCH_1 + 10 * HOUR), "plain"],
    ]


def test_groups_csv_cap_and_overwrite(project, tmp_path):
    out = tmp_path / "groups.csv"
    out.write_text("keep me\n", encoding="utf-8")

    with pytest.raises(DestinationExistsError):
        groups_csv(project.cursor(), day_point(), project, out)
    assert out.read_text(encoding="utf-8") == "keep me\n"

    result = groups_csv(project.cursor(), day_point(), project, out, cap=2, overwrite=True)

    assert len(read_rows(out)) == 3
    assert result.capped
    assert cap_warning(result) == (
        "The list was cut at 2 of 3 groups (export cap; raise it with loupe settings --export-cap)."
    )


def test_group_cohort_from_point(project):
    point = day_point()

    assert count_cohort_members(project.cursor(), point, project) == 3
    cohort = create_cohort_from_point(project, "Day one accounts", None, point)

    assert cohort.member_kind == "groups:company"
    assert cohort.size == 3
    assert cohort.member_noun == "groups"
    assert cohort_groups(project, "Day one accounts")["group_name"].tolist() == ["Acme", "Globex", UNICODE_COMPANY]
    with pytest.raises(CohortError, match="contains groups, not users"):
        cohort_members(project, "Day one accounts")


def test_group_cohort_not_in_user_profile(project):
    create_cohort_from_point(project, "Accounts", None, day_point())
    alice = project.con.execute("SELECT actor_id FROM actors WHERE user_id = 'alice'").fetchone()[0]

    assert user_profile(project.cursor(), alice).cohorts == ()


def test_group_cohort_filters_user_chart(project):
    create_cohort_from_point(project, "Accounts", None, day_point())

    frame = segmentation(project.cursor(), parse_chart(chart(count_by=None, cohort="Accounts")), project)

    # Events naming Acme, Globex or Ünïcode: alice, bob and dora on day 1, alice (Acme) on day 2.
    assert frame["value"].tolist() == [3, 1]


def test_group_cohort_keeps_only_its_groups_counted(project):
    acme_only = day_point(chart(group_by="group:company"), segment="Acme")
    create_cohort_from_point(project, "Acme", None, acme_only)
    assert load_cohort(project, "Acme").size == 1

    counted = segmentation(project.cursor(), parse_chart(chart(cohort="Acme")), project)
    totals = segmentation(project.cursor(), parse_chart(chart(cohort="Acme", measure="totals")), project)

    # Line 2 names Acme and Globex; only Acme is in the cohort.
    assert counted["value"].tolist() == [1, 1]
    assert totals["value"].tolist() == [2, 1]


def test_user_cohort_still_filters_count_by_chart(project):
    users_point = day_point(chart(["Open"], count_by=None), bucket=1)
    create_cohort_from_point(project, "Openers", None, users_point)

    frame = segmentation(project.cursor(), parse_chart(chart(cohort="Openers")), project)

    # dora is the only opener; her Buy on day 1 named Ünïcode.
    assert frame["value"].tolist() == [1, 0]


def test_missing_cohort_still_raises(project):
    with pytest.raises(DefinitionError, match="no cohort named 'Nope'"):
        segmentation(project.cursor(), parse_chart(chart(cohort="Nope")), project)
