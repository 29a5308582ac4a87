"""The app's parts that need no running app: formatting, points and cursor, plotting, filters, legend."""

from datetime import date

import pandas as pd
import pytest
from rich.cells import cell_len

from builders import build_project
from tui.analytics.definition import parse_chart
from tui.app import plotting
from tui.app.builder_draft import DraftError, filter_value, remove_row, series_rows
from tui.app.chart_points import ChartPoints
from tui.app.describe import describe_filter
from tui.app.formatting import compact_number, format_value, shorten
from tui.text import printable
from tui.app.legend import legend_text
from tui.analytics.catalog import event_days
from tui.store.project import create_project

ZONE = "Europe/Berlin"


def frame(rows: list[tuple]) -> pd.DataFrame:
    """Build a segmentation frame from (series, name, segment, day of March 2024, value) rows."""
    records = []
    for series, name, segment, day, value in rows:
        start = pd.Timestamp(2024, 3, day, tz=ZONE)
        records.append((series, name, segment, start, start + pd.Timedelta(days=1), value))
    columns = ["series", "series_name", "segment", "bucket_start", "bucket_end", "value"]
    return pd.DataFrame(records, columns=columns)


def test_printable_escapes_controls():
    assert printable("a\x1b[31mb\x07\x9bc\td") == "a\\x1b[31mb\\x07\\x9bc\\x09d"
    assert printable("[b]Kauf[/b] ü 購入") == "[b]Kauf[/b] ü 購入"


def test_shorten_counts_cells():
    assert shorten("Purchase", 8) == "Purchase"
    assert shorten("Purchase", 5) == "Purc…"
    cut = shorten("購入購入購入", 5)
    assert cut == "購入…"
    assert cell_len(cut) <= 5


@pytest.mark.parametrize(
    "value, measure, expected",
    [
        (1234, "uniques", "1,234 users"),
        (1, "uniques", "1 user"),
        (1, "totals", "1 event"),
        (2.5, "average", "2.50 events per user"),
        (12.345, "pct_active", "12.35% of active users"),
        (1500.0, "sum:revenue", "1,500 (sum of revenue)"),
        (19.9, "avg:price", "19.90 (average price)"),
        (float("nan"), "avg:price", "no value (average price)"),
    ],
)
def test_value_carries_unit(value, measure, expected):
    assert format_value(value, measure) == expected


def test_compact_axis_numbers():
    assert [compact_number(value) for value in (0, 950, 12_500, 3_100_000, 0.25)] == ["0", "950", "12.5k", "3.1M", "0.25"]


def test_y_ticks_round_and_cover_values():
    assert plotting.y_ticks([0, 7, 13]) == [0, 5, 10, 15]
    assert plotting.y_ticks([0, 0]) == [0, 0.25, 0.5, 0.75, 1.0]
    ticks = plotting.y_ticks([-3, 7])
    assert ticks[0] <= -3
    assert ticks[-1] >= 7


def test_plot_labels_first_and_last_bucket():
    labels = [f"03-{day:02d}" for day in range(1, 31)]
    canvas = plotting.draw([[day % 7 for day in range(30)]], labels, (0, 29), 78, 18, color=False)
    axis = canvas.plain.splitlines()[-1]
    assert axis.split()[0] == "03-01"
    assert axis.split()[-1] == "03-30"
    assert plotting.CURSOR_MARKER in canvas.plain


def test_plot_too_small_says_so():
    assert plotting.draw([[1, 2]], ["a", "b"], (0, 0), 20, 5, color=True).plain == "Enlarge the window to see the chart."


def test_points_lines_and_missing_buckets():
    points = ChartPoints(
        frame(
            [
                (1, "Signup", None, 1, 4.0),
                (0, "Purchase", None, 1, 2.0),
                (0, "Purchase", None, 2, 3.0),
            ]
        )
    )
    assert [(line.series, line.series_name) for line in points.lines] == [(0, "Purchase"), (1, "Signup")]
    assert points.lines[1].values == (4.0, 0.0)

    # The cursor starts on the last bucket of the first line.
    point = points.point()
    assert (point.series_name, point.bucket_start.day, point.value) == ("Purchase", 2, 3.0)
    points.move_line(5)
    points.move_bucket(-9)
    point = points.point()
    assert (point.series_name, point.bucket_start.day, point.value) == ("Signup", 1, 4.0)


def test_points_keep_segment_order():
    points = ChartPoints(frame([(0, "Purchase", "iOS", 1, 9.0), (0, "Purchase", "Android", 1, 3.0)]))
    assert [line.segment for line in points.lines] == ["iOS", "Android"]


def test_empty_points_have_no_point():
    points = ChartPoints(frame([]))
    assert points.empty
    assert points.point() is None
    points.move_bucket(1)
    points.last_bucket()
    assert points.point() is None


def test_window_scrolls_with_cursor():
    points = ChartPoints(frame([(0, "Purchase", None, day, float(day)) for day in range(1, 21)]))
    assert points.window(8) == range(12, 20)

    points.move_bucket(-7)
    assert points.window(8) == range(12, 20)
    points.move_bucket(-1)
    assert points.window(8) == range(11, 19)
    points.first_bucket()
    assert points.window(8) == range(0, 8)
    assert points.window(50) == range(0, 20)


@pytest.mark.parametrize(
    "op, text, expected",
    [
        ("=", "iOS", "iOS"),
        ("=", "5", 5),
        ("=", "2.5", 2.5),
        ("=", '"007"', "007"),
        ("!=", "nan", "nan"),
        ("in", "pro, team ,, 3", ["pro", "team", 3]),
        ("not in", '"1", free', ["1", "free"]),
        ("contains", '"Pro"', "Pro"),
        (">=", " 10 ", 10),
        ("set", "", None),
        ("not set", "ignored", None),
    ],
)
def test_filter_value_typed(op, text, expected):
    assert filter_value(op, text) == expected


@pytest.mark.parametrize("op, text", [(">", "ten"), ("<", "inf"), ("=", "  "), ("in", "")])
def test_filter_value_rejected(op, text):
    with pytest.raises(DraftError):
        filter_value(op, text)


def test_series_rows_and_removal():
    draft = {
        "events": [
            {"event": "Purchase", "where": [{"property": "plan", "op": "in", "value": ["pro", "team"]}]},
            {"event": "*"},
        ]
    }
    rows = series_rows(draft)
    assert [row.label for row in rows] == ["A  Purchase", "     where plan in (pro, team)", "B  Any event"]

    remove_row(draft, rows[1])
    assert draft["events"][0] == {"event": "Purchase"}
    remove_row(draft, series_rows(draft)[0])
    assert draft["events"] == [{"event": "*"}]


def test_filter_descriptions():
    assert describe_filter({"property": "user.plan", "op": "not set"}) == "user.plan is not set"
    assert describe_filter({"property": "price", "op": ">", "value": 9.5}) == "price > 9.5"


def test_legend_never_breaks_an_entry():
    definition = parse_chart(
        {
            "type": "segmentation",
            "events": [{"event": "Purchase"}],
            "range": {"from": "2024-03-01", "to": "2024-03-02"},
            "group_by": "platform",
        }
    )
    rows = [(0, "Purchase", segment, 1, 1.0) for segment in ("iOS", "Android", "Web", "[b]x[/b]")]
    points = ChartPoints(frame(rows))
    legend = legend_text(points, definition, color=False, width=40)

    lines = legend.plain.split("\n")
    assert lines == ["• Purchase · iOS   + Purchase · Android", "x Purchase · Web   o Purchase · [b]x[/b]"]
    assert all(cell_len(line) <= 40 for line in lines)


def test_event_days_in_zone(tmp_path):
    events = [
        {"event_type": "Visit", "event_time": "2024-03-01T23:30:00Z", "user_id": "a"},
        {"event_type": "Visit", "event_time": "2024-03-09T22:59:00Z", "user_id": "b"},
    ]
    with build_project(tmp_path, events) as project:
        assert event_days(project.con, "UTC") == (date(2024, 3, 1), date(2024, 3, 9))
        assert event_days(project.con, ZONE) == (date(2024, 3, 2), date(2024, 3, 9))
        assert event_days(project.con, "America/Los_Angeles") == (date(2024, 3, 1), date(2024, 3, 9))


def test_event_days_none_without_events(tmp_path):
    with create_project(tmp_path / "empty.duckdb") as project:
        assert event_days(project.con, "UTC") is None
