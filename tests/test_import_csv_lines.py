"""CSV rejections name the physical line a record starts on: multi-line quoted fields, CRLF, blank lines, gzip."""

from __future__ import annotations

import gzip
import json

import pytest

from builders import build_project
from tui.store.importing import import_files

GOOD_EVENT = {"event_type": "Open", "event_time": "2024-03-01T10:00:00Z", "user_id": "alice"}

# Record 1 spans lines 2 to 4; records 2 and 3 are fine; record 4, on line 7, has a bad timestamp.
MULTI_LINE = [
    "event,timestamp,user_id,note",
    'Open,2024-03-01 10:00:00,erin,"first',
    "second",
    'third"',
    "Open,2024-03-01 11:00:00,bob,plain",
    'Open,2024-03-01 12:00:00,carol,"say ""hi"""',
    "Open,soon,dave,plain",
    "Open,2024-03-01 13:00:00,erin,plain",
]


@pytest.fixture
def project(tmp_path):
    project = build_project(tmp_path, [GOOD_EVENT])
    yield project
    project.close()


def write(path, lines: list[str], newline: str = "\n"):
    data = (newline.join(lines) + newline).encode("utf-8")
    if path.name.endswith(".gz"):
        data = gzip.compress(data)
    path.write_bytes(data)
    return path


def rejections(summary) -> list[tuple]:
    return [(r.line, r.field, r.value, r.reason) for r in summary.rejected]


def notes(project) -> list[str]:
    rows = project.con.execute("SELECT event_properties ->> 'note' FROM events WHERE user_id <> 'alice' "
                               "OR event_properties ->> 'note' IS NOT NULL ORDER BY seq").fetchall()
    return [note for (note,) in rows]


def test_multi_line_field_counts_lines(project, tmp_path):
    summary = import_files(project, [write(tmp_path / "e.csv", MULTI_LINE)])

    assert summary.imported == 4
    assert rejections(summary) == [(7, "timestamp", "soon", "unparseable timestamp")]
    assert notes(project) == ["first\nsecond\nthird", "plain", 'say "hi"', "plain"]


def test_crlf_and_blank_lines(project, tmp_path):
    lines = MULTI_LINE[:5] + ["", ""] + MULTI_LINE[5:]
    summary = import_files(project, [write(tmp_path / "e.csv", lines, newline="\r\n")])

    assert summary.imported == 4
    # The two blank lines move the bad record from line 7 to line 9.
    assert rejections(summary) == [(9, "timestamp", "soon", "unparseable timestamp")]
    assert notes(project)[0] == "first\r\nsecond\r\nthird"


def test_gzip_csv(project, tmp_path):
    summary = import_files(project, [write(tmp_path / "e.csv.gz", MULTI_LINE)])

    assert summary.imported == 4
    assert rejections(summary) == [(7, "timestamp", "soon", "unparseable timestamp")]


def test_blank_line_in_quoted_field(project, tmp_path):
    lines = ["event,timestamp,user_id,note", 'Open,2024-03-01 10:00:00,alice,"a', "", 'b"',
             ",2024-03-01 11:00:00,bob,x"]
    summary = import_files(project, [write(tmp_path / "e.csv", lines)])

    assert rejections(summary) == [(5, "event", None, "missing event type")]


def test_backslash_escaped_quote(project, tmp_path):
    lines = ["event,timestamp,user_id,note", 'Open,2024-03-01 10:00:00,alice,"a \\" b"',
             'Open,2024-03-01 10:00:00,bob,"multi\\"', 'line"', "Open,soon,carol,x"]
    summary = import_files(project, [write(tmp_path / "e.csv", lines)])

    assert summary.imported == 2
    assert rejections(summary) == [(5, "timestamp", "soon", "unparseable timestamp")]


def test_comment_and_skipped_lines(project, tmp_path):
    lines = ["exported by a tool", "on 2024-03-02", "event,timestamp,user_id",
             "Open,2024-03-01 10:00:00,alice", "Open,soon,bob"]
    summary = import_files(project, [write(tmp_path / "skipped.csv", lines)])
    assert rejections(summary) == [(5, "timestamp", "soon", "unparseable timestamp")]

    lines = ["event,timestamp,user_id", "# a comment", "Open,2024-03-01 10:00:00,alice", "Open,soon,bob"]
    summary = import_files(project, [write(tmp_path / "commented.csv", lines)])
    assert rejections(summary) == [(4, "timestamp", "soon", "unparseable timestamp")]


def test_comment_character_inside_quoted_field(project, tmp_path):
    # Line 5 starts with the comment character inside a quoted field, and its quote ends the field.
    lines = ["event,timestamp,user_id,note", "# exported 2024-03-02", 'Open,2024-03-01 10:00:00,erin,"first',
             'with a doubled "" quote', '# last line of the note"', "# a comment",
             "Open,soon,bob,x", "Open,2024-03-01 10:00:00,carol,y", "Open,later,dave,z"]
    summary = import_files(project, [write(tmp_path / "commented.csv", lines)])

    assert summary.imported == 2
    assert rejections(summary) == [(7, "timestamp", "soon", "unparseable timestamp"),
                                   (9, "timestamp", "later", "unparseable timestamp")]
    note = project.con.execute("SELECT event_properties ->> 'note' FROM events WHERE user_id = 'erin'").fetchone()[0]
    assert note == 'first\nwith a doubled " quote\n# last line of the note'


def test_clean_multi_line_file(project, tmp_path):
    summary = import_files(project, [write(tmp_path / "e.csv", MULTI_LINE[:6])])

    assert summary.imported == 3
    assert summary.rejected == []


def posthog_row(number: int, timestamp: str, properties: str) -> str:
    return f'0190a1b2-0000-7000-8000-{number:012d},$pageview,{timestamp},user-{number},"{properties}"'


def test_posthog_csv_multi_line_json(project, tmp_path):
    pretty = json.dumps({"$device_id": "d-1", "$current_url": "https://example.com"}, indent=2).replace('"', '""')
    lines = [
        "uuid,event,timestamp,distinct_id,properties",
        posthog_row(1, "2024-03-02T09:00:00Z", pretty),  # lines 2 to 5
        posthog_row(2, "2024-03-02T09:01:00Z", "{}"),
        posthog_row(3, "2024-03-02T09:02:00Z", "{broken"),
        posthog_row(4, "later", "{}"),
    ]
    summary = import_files(project, [write(tmp_path / "posthog.csv", lines)])

    assert pretty.count("\n") == 3
    assert summary.imported == 2
    assert [(line, field, reason) for line, field, _, reason in rejections(summary)] == [
        (7, "properties", "not a JSON object"),
        (8, "timestamp", "unparseable timestamp"),
    ]


SNOWPLOW_HEADER = ["event_id", "collector_tstamp", "dvce_created_tstamp", "event", "user_id", "domain_userid",
                   "domain_sessionid", "page_title"]


def snowplow_row(number: int, collector: str, title: str) -> list[str]:
    return [f"e-{number}", collector, "2024-03-02 09:00:00", "page_view", "", f"cookie-{number}", "s-1", title]


@pytest.mark.parametrize("name", ["enriched.tsv", "enriched.tsv.gz"])
def test_snowplow_tsv_multi_line_title(project, tmp_path, name):
    rows = [SNOWPLOW_HEADER, snowplow_row(1, "2024-03-02 09:00:00", '"Pricing\nand plans"'),
            snowplow_row(2, "2024-03-02 09:01:00", "Home"), snowplow_row(3, "yesterday", "Docs")]
    lines = ["\t".join(row) for row in rows]
    summary = import_files(project, [write(tmp_path / name, lines)], format="snowplow")

    assert summary.imported == 2
    assert rejections(summary) == [(5, "collector_tstamp", "yesterday", "unparseable timestamp")]


def test_bad_value_past_type_sample(project, tmp_path):
    # DuckDB types columns from the first 20,480 rows, where every timestamp is valid.
    rows = [f"Open,2024-03-01 10:{n % 60:02d}:00,user-{n},{n}" for n in range(20_600)]
    rows[20_500] = "Open,soon,user-20500,20500"
    summary = import_files(project, [write(tmp_path / "long.csv", ["event,timestamp,user_id,amount"] + rows)])

    assert summary.imported == 20_599
    assert rejections(summary) == [(20_502, "timestamp", "soon", "unparseable timestamp")]
    amount = project.con.execute("SELECT event_properties -> 'amount' FROM events WHERE user_id = 'user-7'").fetchone()[0]
    assert amount == "7"


def test_snowplow_bad_value_past_type_sample(project, tmp_path):
    rows = [snowplow_row(n, f"2024-03-02 09:{n % 60:02d}:00", "Home") for n in range(20_600)]
    rows[20_500][1] = "yesterday"
    lines = ["\t".join(row) for row in [SNOWPLOW_HEADER] + rows]
    summary = import_files(project, [write(tmp_path / "long.tsv", lines)], format="snowplow")

    assert summary.imported == 20_599
    assert rejections(summary) == [(20_502, "collector_tstamp", "yesterday", "unparseable timestamp")]
