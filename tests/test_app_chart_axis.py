"""Line charts at 80x24: x labels at both ends of the axis, hidden buckets named, legend entries and title not cut early.

The line charts count one ``Open`` a day at noon UTC from 2025-09-02, by a
different user each day, so each daily bucket counts 1 unique user.
"""

from datetime import date, timedelta

from builders import build_project
from funnel_app import event
from microscope_app import press, running
from tui.app.chart_view import ChartView
from tui.app.describe import describe_chart
from tui.app.legend import Legend
from tui.store.saved_charts import save_chart

FIRST_DAY = date(2025, 9, 2)


def daily_opens(days: int) -> list[dict]:
    return [
        event("Open", f"{FIRST_DAY + timedelta(days=offset)}T12:00:00Z", f"u{offset}") for offset in range(days)
    ]


def opens_chart(days: int) -> dict:
    last_day = FIRST_DAY + timedelta(days=days - 1)
    return {
        "type": "segmentation",
        "events": [{"event": "Open"}],
        "measure": "uniques",
        "interval": "day",
        "range": {"from": FIRST_DAY.isoformat(), "to": last_day.isoformat()},
    }


def make_project(tmp_path, name: str, chart: dict, events: list[dict]):
    project = build_project(tmp_path, events)
    save_chart(project.con, name, chart)
    project.close()
    return tmp_path / "p.duckdb"


def day_label(offset: int) -> str:
    return f"{FIRST_DAY + timedelta(days=offset):%m-%d}"


def chart_rows(app) -> list[str]:
    return app.home.query_one(ChartView).render().plain.splitlines()


async def test_scrolled_axis_names_hidden_days(tmp_path):
    path = make_project(tmp_path, "Opens", opens_chart(90), daily_opens(90))
    async with running(path, size=(80, 24)) as (app, pilot):
        # The cursor starts on the last day, so the first days are hidden.
        *_, labels, hint = chart_rows(app)
        assert hint.startswith("◀ ")
        assert hint.rstrip().endswith(" earlier")
        hidden = int(hint.split()[1])
        assert 0 < hidden < 90
        assert labels.split()[0] == day_label(hidden)
        assert labels.split()[-1] == day_label(89)

        await press(app, pilot, "g")
        *_, labels, hint = chart_rows(app)
        assert hint.strip() == f"{hidden} later ▶"
        assert labels.split()[0] == day_label(0)
        assert labels.split()[-1] == day_label(89 - hidden)


async def test_unscrolled_axis_labels_both_ends(tmp_path):
    # 51 days fit at 80 columns. With y labels 4 cells wide ("0.25"), plotext's own label placement drops "10-22".
    path = make_project(tmp_path, "Opens", opens_chart(51), daily_opens(51))
    async with running(path, size=(80, 24)) as (app, pilot):
        *_, plot_bottom, labels = chart_rows(app)
        assert "└" in plot_bottom
        assert labels.split()[0] == day_label(0)
        assert labels.split()[-1] == day_label(50)
        assert "earlier" not in labels
        assert "later" not in labels


def onboarding_events() -> list[dict]:
    """Users who go through all four steps on 2025-09-02: 3 on iOS, 2 on Web and 1 on Android."""
    steps = ["Sign Up", "Complete Profile", "Create Project", "Invite Teammate"]
    events = []
    for platform, users in (("iOS", 3), ("Web", 2), ("Android", 1)):
        for user in range(users):
            for minute, step in enumerate(steps):
                row = event(step, f"2025-09-02T12:0{minute}:00Z", f"{platform}-{user}")
                row["platform"] = platform
                events.append(row)
    return events


ONBOARDING = {
    "type": "funnel",
    "steps": [{"event": step} for step in ["Sign Up", "Complete Profile", "Create Project", "Invite Teammate"]],
    "window": "7d",
    "interval": "day",
    "range": {"from": "2025-09-02", "to": "2025-09-04"},
    "group_by": "platform",
}


# An event name longer than a legend entry's 32 cells, counted by platform.
LONG_EVENT = "Invite Teammate From Settings Page"


def invites_events() -> list[dict]:
    """One invite each on 2025-09-02: 3 users on iOS, 2 on Web and 1 on Android."""
    events = []
    for platform, users in (("iOS", 3), ("Web", 2), ("Android", 1)):
        for user in range(users):
            row = event(LONG_EVENT, "2025-09-02T12:00:00Z", f"{platform}-{user}")
            row["platform"] = platform
            events.append(row)
    return events


INVITES_BY_PLATFORM = {**opens_chart(1), "events": [{"event": LONG_EVENT}], "group_by": "platform"}


async def test_legend_entry_alone_uncut(tmp_path):
    path = make_project(tmp_path, "Invites", INVITES_BY_PLATFORM, invites_events())
    async with running(path, size=(100, 30)) as (app, pilot):
        rows = app.home.query_one(Legend).render().plain.splitlines()

        # The iOS and Web entries, cut to 32 cells each, take 71 of the 100 cells, so Android's starts a row.
        assert len(rows) == 2
        assert rows[0] == "• Invite Teammate From Sett… · iOS   + Invite Teammate From Sett… · Web"
        assert rows[1] == f"x {LONG_EVENT} · Android"


async def test_cut_title_keeps_range(tmp_path):
    path = make_project(tmp_path, "Onboarding", ONBOARDING, onboarding_events())
    async with running(path, size=(80, 24)) as (app, pilot):
        title = app.home.query_one("#chart-title")
        full = describe_chart(app.definition, app.chart_name)
        visible = title.render_line(0).text.strip()

        # The steps are cut to "…", then the window's order, so the name, chart type, window and range stay.
        assert len(full) > 80
        assert visible == title.content.plain
        assert visible == "Onboarding · Funnel: … · window 7d, this o… · 2025-09-02 … 09-04 · by platform"
