"""Chart titles: no interval the chart's name already gives, and long titles cut before the range."""

from rich.cells import cell_len

from tui.analytics.definition import parse_chart
from tui.app.describe import describe_chart, fit_chart_title

REVENUE = parse_chart(
    {
        "type": "segmentation",
        "events": [{"event": "Purchase"}],
        "measure": "sum:revenue",
        "interval": "week",
        "range": {"from": "2026-09-02", "to": "2026-11-30"},
    }
)
LONG_FILTER = parse_chart(
    {
        "type": "segmentation",
        "events": [{"event": "Purchase", "where": [{"property": "campaign", "op": "=", "value": "autumn" * 12}]}],
        "measure": "uniques",
        "interval": "day",
        "range": {"from": "2026-09-02", "to": "2026-11-30"},
        "group_by": "platform",
    }
)
SESSIONS = parse_chart(
    {"type": "sessions", "measure": "sessions", "interval": "month", "range": {"from": "2026-01-01", "to": "2026-06-30"}}
)


def test_name_with_interval_drops_it():
    title = describe_chart(REVENUE, "Weekly revenue")
    assert title == "Weekly revenue · Purchase · Sum of revenue · 2026-09-02 … 2026-11-30"


def test_other_interval_kept():
    # The name reads weekly, but the chart is daily now, so the title names the interval.
    title = describe_chart(parse_chart({**REVENUE.to_json(), "interval": "day"}), "Weekly revenue")
    assert " · Daily · " in title


def test_unnamed_chart_keeps_interval():
    assert describe_chart(REVENUE, None) == "Purchase · Sum of revenue · Weekly · 2026-09-02 … 2026-11-30"


def test_interval_inside_word_kept():
    # "Biweekly" is not the word "weekly", so the interval stays.
    assert " · Weekly · " in describe_chart(REVENUE, "Biweekly plan")


def test_sessions_name_drops_interval():
    title = describe_chart(SESSIONS, "Monthly sessions")
    assert title == "Monthly sessions · User sessions · Sessions · 2026-01-01 … 2026-06-30"


def test_short_title_not_cut():
    assert fit_chart_title(REVENUE, "Weekly revenue", 78) == describe_chart(REVENUE, "Weekly revenue")


def test_long_title_keeps_range_end():
    title = fit_chart_title(LONG_FILTER, "Purchases", 78)
    assert cell_len(title) == 78
    # The range drops its repeated year, then the filter is cut, and the measure stays whole.
    assert title.endswith("… · Unique users · Daily · 2026-09-02 … 11-30 · by platform")
    assert title.startswith("Purchases · Purchas")


def test_narrow_title_cut_at_end():
    # Too narrow to keep the range with some of the name and the measure: the end is cut instead.
    title = fit_chart_title(LONG_FILTER, "Purchases", 40)
    assert cell_len(title) == 40
    assert title.startswith("Purchases … · Unique users · Daily")
    assert title.endswith("…")


def test_title_head_cut_to_ellipsis():
    # After a chart's origin, the parts before the measure may become "…", and then the measure is cut.
    title = fit_chart_title(LONG_FILTER, "Purchases", 59, min_head_cells=1)
    assert title == "… · Unique users · Daily · 2026-09-02 … 11-30 · by platform"
    title = fit_chart_title(LONG_FILTER, "Purchases", 55, min_head_cells=1)
    assert title == "… · Unique users · … · 2026-09-02 … 11-30 · by platform"
