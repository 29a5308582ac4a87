"""The mouse on the chart: a click moves the cursor to a point, a second click or a double click opens the microscope.

The cells to click are found from what the canvas shows: an x-axis label
names a bucket or a funnel step, a y-axis label a value, and the retention
table prints each cell's rate.
"""

from funnel_app import SHOP_FUNNEL, make_shop as make_funnel_shop, readout
from microscope_app import press, running as running_funnel
from test_app import ZONE, make_shop, running
from test_app_funnel_segments import make_sourced_shop
from test_app_retention import SIGNUP_RETENTION, signup_events
from builders import build_project
from tui.app.chart_view import ChartView
from tui.app.home_screen import HomeScreen
from tui.app.microscope.menu import MicroscopeMenu
from tui.app.plotting import line_style
from tui.store.saved_charts import save_chart


def canvas_lines(app) -> list[str]:
    """Return the canvas's lines as drawn, without the empty line after the x-axis labels."""
    return app.home.query_one(ChartView).render().plain.rstrip("\n").split("\n")


def x_of_label(lines: list[str], label: str) -> int:
    """Return the column of the x tick above ``label`` on the axis line: the frame's ``┬`` or ``┴`` nearest its centre."""
    axis, labels = lines[-2], lines[-1]
    start = labels.index(label)
    centre = start + (len(label) - 1) / 2
    ticks = [column for column, character in enumerate(axis) if character in "┬┴"]
    return min(ticks, key=lambda column: abs(column - centre))


def y_of_value(lines: list[str], value: str) -> int:
    """Return the row whose y-axis label is ``value`` (the text before the axis's ``┤``)."""
    return next(row for row, line in enumerate(lines) if line.split("┤")[0].strip() == value and "┤" in line)


async def click(app, pilot, x: int, y: int, times: int = 1) -> None:
    """Click the chart's content cell ``(x, y)`` and wait for what the click starts."""
    chart = app.home.query_one(ChartView)
    await pilot.click(ChartView, offset=(x + chart.gutter.left, y + chart.gutter.top), times=times)
    await app.workers.wait_for_complete()
    await pilot.pause()


def text_of_readout(app) -> str:
    return app.home.query_one("#readout").content.plain


async def test_click_moves_to_nearest_line(tmp_path):
    # Android has 5, 7, 9, 11 and 13 users on March 1 to 5, iOS 1 to 5.
    path, _ = make_shop(tmp_path)
    async with running(path) as (app, pilot):
        lines = canvas_lines(app)
        await click(app, pilot, x_of_label(lines, "03-02"), y_of_value(lines, "0"))
        assert text_of_readout(app) == f"Purchase · iOS · [2024-03-02 00:00, 2024-03-03 00:00) {ZONE} · 2 users"
        assert isinstance(app.screen, HomeScreen)

        lines = canvas_lines(app)
        await click(app, pilot, x_of_label(lines, "03-04"), y_of_value(lines, "10"))
        assert text_of_readout(app) == f"Purchase · Android · [2024-03-04 00:00, 2024-03-05 00:00) {ZONE} · 11 users"
        assert app.queries_run == 1


async def test_second_click_opens_microscope(tmp_path):
    path, _ = make_shop(tmp_path)
    async with running(path) as (app, pilot):
        lines = canvas_lines(app)
        x, y = x_of_label(lines, "03-01"), y_of_value(lines, "0")
        await click(app, pilot, x, y)
        assert isinstance(app.screen, HomeScreen)
        await click(app, pilot, x, y)
        assert isinstance(app.screen, MicroscopeMenu)
        header = app.screen.query_one("#point-header").plain()
        assert header.startswith(f"Purchase · iOS · [2024-03-01 00:00, 2024-03-02 00:00) {ZONE}\n")
        assert "point = 1, list = 1" in header


async def test_double_click_opens_microscope(tmp_path):
    path, _ = make_shop(tmp_path)
    async with running(path) as (app, pilot):
        lines = canvas_lines(app)
        await click(app, pilot, x_of_label(lines, "03-03"), y_of_value(lines, "10"), times=2)
        assert isinstance(app.screen, MicroscopeMenu)
        header = app.screen.query_one("#point-header").plain()
        assert header.startswith(f"Purchase · Android · [2024-03-03 00:00, 2024-03-04 00:00) {ZONE}\n")
        assert "point = 9, list = 9" in header


async def test_click_outside_plot_ignored(tmp_path):
    path, _ = make_shop(tmp_path)
    async with running(path) as (app, pilot):
        before = text_of_readout(app)
        lines = canvas_lines(app)
        # The y-axis labels and the x-axis labels are outside the plot area.
        await click(app, pilot, 0, y_of_value(lines, "0"))
        await click(app, pilot, x_of_label(lines, "03-02"), len(lines) - 1)
        assert text_of_readout(app) == before
        assert isinstance(app.screen, HomeScreen)


async def test_click_funnel_parts(tmp_path):
    # The shop funnel: step 2 converts 5 and loses 2, step 3 converts 2 and loses 3 (7 at the top of each bar).
    async with running_funnel(make_funnel_shop(tmp_path, SHOP_FUNNEL)) as (app, pilot):
        lines = canvas_lines(app)
        top = min(row for row, line in enumerate(lines) if "░" in line)
        await click(app, pilot, x_of_label(lines, "3"), top)
        assert readout(app).startswith("Step 3 of 3 · buy · dropped off: 3 users · converted: 2\n")

        await click(app, pilot, x_of_label(lines, "2"), y_of_value(lines, "0"))
        assert readout(app).startswith("Step 2 of 3 · cart · converted: 5 users · dropped off: 2\n")

        await click(app, pilot, x_of_label(lines, "2"), y_of_value(lines, "0"))
        assert isinstance(app.screen, MicroscopeMenu)
        assert "point = 5, list = 5" in app.screen.query_one("#point-header").plain()


async def test_click_retention_cell(tmp_path):
    project = build_project(tmp_path, signup_events(), timezone="Europe/Berlin")
    save_chart(project.con, "Signups", SIGNUP_RETENTION)
    project.close()
    async with running_funnel(tmp_path / "p.duckdb", size=(100, 30)) as (app, pilot):
        lines = canvas_lines(app)
        # Day 1 of the second cohort: "100.0%*", d came back.
        row = next(index for index, line in enumerate(lines) if line.startswith("2024-03-31"))
        column = lines[row].index("100.0%")
        await click(app, pilot, column, row)
        assert readout(app).startswith("Cohort 2024-03-31 (1 user) · Day 1 · retained: 1 user")

        # The header, the average row and the cohort column hold no cell.
        await click(app, pilot, column, 0)
        await click(app, pilot, column, 1)
        await click(app, pilot, 2, row - 1)
        assert readout(app).startswith("Cohort 2024-03-31 (1 user) · Day 1 · ")

        await click(app, pilot, column, row)
        assert isinstance(app.screen, MicroscopeMenu)
        assert "point = 1, list = 1" in app.screen.query_one("#point-header").plain()
        await press(app, pilot, "escape")
        assert isinstance(app.screen, HomeScreen)


def marker_runs(line: str, marker: str) -> list[range]:
    """Return the columns of each run of ``marker`` in ``line``, left to right."""
    runs, start = [], None
    for column, character in enumerate(line + " "):
        if character == marker and start is None:
            start = column
        elif character != marker and start is not None:
            runs.append(range(start, column))
            start = None
    return runs


async def test_click_grouped_funnel_bar(tmp_path):
    # By source, step 2 of mail converts u5 and loses u3; step 3 of mail converts u5.
    async with running_funnel(make_sourced_shop(tmp_path), size=(100, 30)) as (app, pilot):
        lines = canvas_lines(app)
        bottom = y_of_value(lines, "0")
        # mail is the second segment, so its converted parts are filled with the second line marker.
        mail_bars = marker_runs(lines[bottom], line_style(1)[0])
        assert len(mail_bars) == 3

        await click(app, pilot, mail_bars[1].start + len(mail_bars[1]) // 2, bottom)
        assert readout(app).startswith("Step 2 of 3 · cart · mail · converted: 1 user · dropped off: 1\n")

        await click(app, pilot, mail_bars[2].start + len(mail_bars[2]) // 2, bottom)
        assert readout(app).startswith("Step 3 of 3 · buy · mail · converted: 1 user")
        await click(app, pilot, mail_bars[2].start + len(mail_bars[2]) // 2, bottom)
        assert isinstance(app.screen, MicroscopeMenu)
        assert "point = 1, list = 1" in app.screen.query_one("#point-header").plain()
