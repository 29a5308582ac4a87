"""The list of annotations and releases: columns that fit the dialog at each terminal size, and the view of one row."""

import re

import pytest
from rich.cells import cell_len
from textual.geometry import Region
from textual.widgets import DataTable

from builders import build_project
from microscope_app import error_messages, press, running
from tui.app.microscope.marker_view import MarkerView
from tui.app.microscope.markers_screen import MarkersScreen, column_widths, shrink_widest
from tui.store.annotations import add_annotation, add_release
from tui.store.saved_charts import save_chart

CREATOR = "rosalind"
LABEL = "Spring sale with a label far longer than its column"
DETAILS = "Email to every customer in Europe and North America, then a reminder two days later"
HEADERS = ["Kind", "Days", "Label", "Details", "Platforms", "Created by"]
# The cells of each row in full, as the list would show them with room enough: the release first, by first day.
RELEASE_CELLS = ["release", "2024-03-04 to 03-06", "2.0.0 New cart", "One-page checkout", "Web, iOS, Android", CREATOR]
ANNOTATION_CELLS = ["annotation", "2024-03-05", LABEL, DETAILS, "", CREATOR]
OPENS = {
    "type": "segmentation",
    "events": [{"event": "Open"}],
    "measure": "totals",
    "interval": "day",
    "range": {"from": "2024-03-03", "to": "2024-03-07"},
}


def markers_project(tmp_path, extra_annotations: int = 0, label: str = LABEL, details: str = DETAILS):
    """Return a project with one chart, an annotation, a release over three days, and ``extra_annotations`` more."""
    project = build_project(tmp_path, [{"event_type": "Open", "event_time": "2024-03-04T10:00:00Z", "user_id": "a"}])
    project.set_member(CREATOR, "admin")
    project.set_setting("current_member", CREATOR)
    save_chart(project.con, "Opens", OPENS)
    add_annotation(project, label, day="2024-03-05", details=details)
    platforms = ["Web", "iOS", "Android"]
    add_release(project, "2.0.0", "New cart", "One-page checkout", "2024-03-04", "2024-03-06", platforms)
    for number in range(extra_annotations):
        add_annotation(project, f"Note {number}", day="2024-03-07")
    path = project.path
    project.close()
    return path


async def open_markers(app, pilot) -> MarkersScreen:
    await press(app, pilot, "a")
    assert isinstance(app.screen, MarkersScreen)
    return app.screen


def visible_cells(table: DataTable, line: int) -> list[str]:
    """Return the cells of the table's ``line`` (0 is the header) as drawn, cut where the scroll bar starts.

    Each cell is read from the columns' drawn widths, so text that a column
    crops, or that lies past the visible width, is missing from the result.
    """
    visible = table.scrollable_content_region.width
    drawn = "".join(segment.text for segment in table.render_line(line))[:visible]
    cells = []
    start = 0
    for column in table.ordered_columns:
        width = column.get_render_width(table)
        cells.append(drawn[start : start + width].strip())
        start += width
    return cells


def drawn_words(widget) -> str:
    """Return the words ``widget`` draws, in order, with each run of spaces and line breaks made one space."""
    lines = widget.render_lines(Region(0, 0, widget.size.width, widget.size.height))
    return " ".join(" ".join(strip.text for strip in lines).split())


def assert_shown(shown: str, full: str) -> None:
    """Check that ``shown`` is ``full``, or its start cut with a final "…"."""
    if shown == full:
        return
    assert shown.endswith("…"), (shown, full)
    assert full.startswith(shown[:-1]), (shown, full)


def assert_table_fits(table: DataTable) -> None:
    drawn_width = sum(column.get_render_width(table) for column in table.ordered_columns)
    assert drawn_width <= table.scrollable_content_region.width
    assert table.virtual_size.width <= table.scrollable_content_region.width
    assert visible_cells(table, 0) == HEADERS


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (110, 30), (140, 36)])
async def test_columns_fit_dialog(tmp_path, size):
    async with running(markers_project(tmp_path), size=size) as (app, pilot):
        screen = await open_markers(app, pilot)
        table = screen.query_one(DataTable)
        assert_table_fits(table)

        release, annotation = visible_cells(table, 1), visible_cells(table, 2)
        for shown, full in [*zip(release, RELEASE_CELLS), *zip(annotation, ANNOTATION_CELLS)]:
            assert_shown(shown, full)
        assert release[0] == "release"
        assert annotation[0] == "annotation"
        assert annotation[1] == "2024-03-05"
        assert release[5] == CREATOR
        assert annotation[5] == CREATOR
        # The release's days are cut at 80 columns only, and then after the first day.
        if size[0] == 80:
            assert release[1] == "2024-03-04…"
        else:
            assert release[1] == "2024-03-04 to 03-06"
        assert annotation[2] != LABEL
        assert error_messages(app) == []


async def test_wide_dialog_keeps_days_whole(tmp_path):
    async with running(markers_project(tmp_path), size=(100, 30)) as (app, pilot):
        table = (await open_markers(app, pilot)).query_one(DataTable)
        release = visible_cells(table, 1)
        assert release[1] == "2024-03-04 to 03-06"
        assert_shown(release[2], "2.0.0 New cart")


async def test_columns_fit_beside_scroll_bar(tmp_path):
    async with running(markers_project(tmp_path, extra_annotations=30), size=(80, 24)) as (app, pilot):
        screen = await open_markers(app, pilot)
        table = screen.query_one(DataTable)
        assert table.scrollbars_enabled[0]
        assert table.scrollable_content_region.width < table.content_region.width
        assert_table_fits(table)
        assert visible_cells(table, 1)[5] == CREATOR
        assert visible_cells(table, 3) == ["annotation", "2024-03-07", "Note 0", "", "", CREATOR]


async def test_resize_refits_columns(tmp_path):
    async with running(markers_project(tmp_path), size=(140, 36)) as (app, pilot):
        screen = await open_markers(app, pilot)
        table = screen.query_one(DataTable)
        await press(app, pilot, "down")
        wide_label = visible_cells(table, 2)[2]

        await pilot.resize_terminal(80, 24)
        await press(app, pilot)
        assert_table_fits(table)
        narrow_label = visible_cells(table, 2)[2]
        assert cell_len(narrow_label) < cell_len(wide_label)
        assert_shown(narrow_label, LABEL)
        assert visible_cells(table, 2)[5] == CREATOR
        assert table.cursor_row == 1

        await pilot.resize_terminal(140, 36)
        await press(app, pilot)
        assert visible_cells(table, 2)[2] == wide_label
        assert table.cursor_row == 1


async def test_enter_shows_whole_annotation(tmp_path):
    async with running(markers_project(tmp_path), size=(80, 24)) as (app, pilot):
        screen = await open_markers(app, pilot)
        assert screen.active_bindings["enter"].binding.description == "View"
        await press(app, pilot, "down", "enter")
        view = app.screen
        assert isinstance(view, MarkerView)
        assert view.title_text == "Annotation"
        assert view.focused is view.query_one("#dialog")
        fields = dict(view.fields)
        assert fields["Label"] == LABEL
        assert fields["Details"] == DETAILS
        assert fields["Day"] == "2024-03-05"
        assert fields["Chart"] == "every chart"
        assert fields["Created by"] == CREATOR
        # The dialog wraps the text to its width, so the whole label and details are on screen.
        drawn = drawn_words(view.query_one("#marker-fields"))
        assert " ".join(LABEL.split()) in drawn
        assert " ".join(DETAILS.split()) in drawn
        assert view.query_one("#dialog").region.contains_region(view.query_one("#marker-fields").region)
        await press(app, pilot, "escape")
        assert app.screen is screen


async def test_enter_shows_whole_release(tmp_path):
    async with running(markers_project(tmp_path), size=(80, 24)) as (app, pilot):
        screen = await open_markers(app, pilot)
        await press(app, pilot, "enter")
        view = app.screen
        assert isinstance(view, MarkerView)
        assert view.title_text == "Release"
        fields = dict(view.fields)
        created_at = fields.pop("Created at")
        assert fields == {
            "Kind": "release",
            "Version": "2.0.0",
            "Title": "New cart",
            "Description": "One-page checkout",
            "Days": "2024-03-04 to 2024-03-06",
            "Platforms": "Web, iOS, Android",
            "Created by": CREATOR,
        }
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d \S+", created_at), created_at
        # Enter closes the view as it opened it.
        await press(app, pilot, "enter")
        assert app.screen is screen


async def test_second_click_shows_row(tmp_path):
    async with running(markers_project(tmp_path), size=(100, 30)) as (app, pilot):
        screen = await open_markers(app, pilot)
        table = screen.query_one(DataTable)
        # The first click on a row highlights it, and a click on the highlighted row opens it.
        await pilot.click(table, offset=(30, 2))
        await press(app, pilot)
        assert app.screen is screen
        assert table.cursor_row == 1
        await pilot.click(table, offset=(30, 2))
        await press(app, pilot)
        assert isinstance(app.screen, MarkerView)
        assert dict(app.screen.fields)["Label"] == LABEL


async def test_view_shows_markup_literally(tmp_path):
    markup = "[@click=app.quit]x[/] [bold]sale[/bold]"
    async with running(markers_project(tmp_path, label=markup, details="\x1b[2J"), size=(100, 30)) as (app, pilot):
        await open_markers(app, pilot)
        await press(app, pilot, "down", "enter")
        view = app.screen
        assert isinstance(view, MarkerView)
        drawn = drawn_words(view.query_one("#marker-fields"))
        assert markup in drawn
        assert "\\x1b[2J" in drawn
        await pilot.click("#marker-fields", offset=(14, 1))
        await press(app, pilot)
        assert app.is_running


def test_widths_cut_widest_first():
    header_widths = column_widths([], tuple(HEADERS), 200)
    assert header_widths == [cell_len(header) for header in HEADERS]

    assert shrink_widest([10, 40, 30], [4, 4, 4], 50) == [10, 20, 20]
    assert shrink_widest([10, 40, 30], [4, 4, 4], 80) == [10, 40, 30]
    # Minimums that do not fit are kept, and the table then scrolls sideways.
    assert shrink_widest([10, 40, 30], [8, 8, 8], 12) == [8, 8, 8]
