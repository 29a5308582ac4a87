"""Annotations and releases in the app: roles, markers on the chart at their days, the legend, the markers screen."""

from rich.style import Style
from textual.widgets import Button, DataTable

from ecom_app import VIEWS_BY_PLATFORM, columns_of, cursor_column, messages, run_menu_action, with_chart
from microscope_app import ecom, ecom_template, error_messages, press, running, settle
from tui.app.chart_view import ChartView
from tui.app.confirm import ConfirmScreen
from tui.app.home_screen import HomeScreen
from tui.app.legend import Legend
from tui.app.microscope.annotation_dialog import AnnotationDialog
from tui.app.microscope.markers_screen import MarkersScreen
from tui.app.microscope.menu import MicroscopeMenu
from tui.app.microscope.release_dialog import ReleaseDialog
from tui.app.microscope.selection import current_point
from tui.store.annotations import add_release, list_annotations, list_releases
from tui.store.project import open_project

__all__ = ["ecom", "ecom_template"]

MARKUP_LABEL = "[@click=app.quit]x[/]"


def act_as(path, name: str, role: str) -> None:
    with open_project(path) as project:
        project.set_member(name, role)
        project.set_setting("current_member", name)


def legend_text(app) -> str:
    return app.home.query_one(Legend).render().plain


def table_cells(screen) -> list[list[str]]:
    table = screen.query_one(DataTable)
    return [[cell.plain for cell in table.get_row_at(row)] for row in range(table.row_count)]


async def test_annotation_by_admin_marks_chart(ecom):
    async with running(with_chart(ecom, VIEWS_BY_PLATFORM)) as (app, pilot):
        assert columns_of(app, "▼") == []
        dialog = await run_menu_action(app, pilot, "a", AnnotationDialog)
        assert dialog.query_one("#annotation-day").value == "2024-03-16"

        await press(app, pilot, *"Spring sale", "tab", *"email to all", "tab", "ctrl+a", "ctrl+k", *"2024-03-13", "enter")
        assert isinstance(app.screen, MicroscopeMenu)
        assert "Added annotation 'Spring sale' on 2024-03-13." in messages(app)
        (annotation,) = list_annotations(app.project)
        assert (annotation.label, annotation.details, str(annotation.day)) == ("Spring sale", "email to all", "2024-03-13")

        await press(app, pilot, "escape")
        assert "▼ 03-13 Spring sale" in legend_text(app)
        marker_columns = columns_of(app, "▼")
        assert len(marker_columns) == 1
        assert marker_columns == [await cursor_column(app, pilot, 3)]
        assert marker_columns != [await cursor_column(app, pilot, 4)]

        await press(app, pilot, "a")
        screen = app.screen
        assert isinstance(screen, MarkersScreen)
        assert table_cells(screen) == [
            ["annotation", "2024-03-13", "Spring sale", "email to all", "", app.project.current_member()]
        ]
        await press(app, pilot, "d")
        assert isinstance(app.screen, ConfirmScreen)
        await press(app, pilot, "y")
        assert table_cells(screen) == []
        assert list_annotations(app.project) == []
        await press(app, pilot, "escape")
        assert columns_of(app, "▼") == []
        assert "Spring sale" not in legend_text(app)
        assert error_messages(app) == []


async def test_annotation_refused_for_viewer(ecom):
    act_as(ecom, "v", "viewer")
    async with running(with_chart(ecom, VIEWS_BY_PLATFORM)) as (app, pilot):
        reason = (
            "Add annotation: needs manager or admin; v is viewer. "
            "An admin can change that with loupe settings --member v=ROLE."
        )
        await press(app, pilot, "enter")
        menu = app.screen
        assert menu.reasons["annotation"] == reason
        await press(app, pilot, "a")
        assert app.screen is menu

        await app.push_screen(AnnotationDialog(app.project, current_point(app), app.settings))
        await settle(app, pilot)
        dialog = app.screen
        assert dialog.query_one("#form-error").content.plain == reason
        assert dialog.query_one("#form-submit", Button).disabled
        await press(app, pilot, *"Mine", "ctrl+s")
        assert app.screen is dialog
        assert list_annotations(app.project) == []


async def test_release_marks_first_and_last_day(ecom):
    act_as(ecom, "mel", "member")
    async with running(with_chart(ecom, VIEWS_BY_PLATFORM)) as (app, pilot):
        dialog = await run_menu_action(app, pilot, "r", ReleaseDialog)
        assert dialog.query_one("#release-first-day").value == "2024-03-16"
        values = {
            "#release-version": "2.0.0", "#release-title": "New cart", "#release-description": "one-page checkout",
            "#release-first-day": "2024-03-12", "#release-last-day": "2024-03-14", "#release-platforms": "web, iOS ,",
        }
        for selector, value in values.items():
            dialog.query_one(selector).value = value
        await press(app, pilot, "ctrl+s")

        assert isinstance(app.screen, MicroscopeMenu)
        (release,) = list_releases(app.project)
        assert (release.version, release.title, release.description) == ("2.0.0", "New cart", "one-page checkout")
        assert (str(release.first_day), str(release.last_day)) == ("2024-03-12", "2024-03-14")
        assert release.platforms == ("web", "iOS")
        assert "Created release 2.0.0 'New cart' on 2024-03-12 to 2024-03-14." in messages(app)

        await press(app, pilot, "escape")
        assert "▲ 03-12…03-14 2.0.0 New cart" in legend_text(app)
        assert columns_of(app, "▲") == [await cursor_column(app, pilot, 2), await cursor_column(app, pilot, 4)]

        # A member may create a release but only a manager or admin deletes one.
        await press(app, pilot, "a", "d", "y")
        assert isinstance(app.screen, MarkersScreen)
        assert [cells[2] for cells in table_cells(app.screen)] == ["2.0.0 New cart"]
        assert messages(app, "error")[-1].startswith("Delete release: needs manager or admin; mel is member.")


async def test_release_refused_for_viewer(ecom):
    act_as(ecom, "v", "viewer")
    async with running(with_chart(ecom, VIEWS_BY_PLATFORM)) as (app, pilot):
        await app.push_screen(ReleaseDialog(app.project, current_point(app), app.settings))
        await settle(app, pilot)
        dialog = app.screen
        error = dialog.query_one("#form-error").content.plain
        assert error.startswith("Create release: needs member or higher; v is viewer.")
        assert dialog.query_one("#form-submit", Button).disabled


async def test_release_over_range_edges(ecom):
    with open_project(ecom) as project:
        add_release(project, "1.9", "Long rollout", None, "2024-03-01", "2024-03-31")
    async with running(with_chart(ecom, VIEWS_BY_PLATFORM)) as (app, pilot):
        # Both days lie outside the chart's week, so the legend lists it and no bucket is marked.
        assert "▲ 03-01…03-31 1.9 Long rollout" in legend_text(app)
        assert columns_of(app, "▲") == []


async def test_markup_in_marker_text_literal(ecom):
    async with running(with_chart(ecom, VIEWS_BY_PLATFORM)) as (app, pilot):
        await app.push_screen(AnnotationDialog(app.project, current_point(app), app.settings))
        await settle(app, pilot)
        dialog = app.screen
        dialog.query_one("#annotation-label").value = MARKUP_LABEL
        dialog.query_one("#annotation-details").value = "\x1b[2J"
        await press(app, pilot, "ctrl+s")
        assert isinstance(app.screen, HomeScreen)
        assert f"Added annotation '{MARKUP_LABEL}' on 2024-03-16." in messages(app)

        assert f"▼ 03-16 {MARKUP_LABEL}" in legend_text(app)
        await pilot.click("#legend", offset=(2, 1))
        await pilot.click("#legend", offset=(50, 1))
        await press(app, pilot, "a")
        assert table_cells(app.screen)[0][2:4] == [MARKUP_LABEL, "\\x1b[2J"]
        await pilot.click(app.screen.query_one(DataTable), offset=(30, 1))
        await settle(app, pilot)
        assert app.is_running
        assert isinstance(app.screen, MarkersScreen)


async def test_release_dialog_fits_80_by_24(ecom):
    async with running(with_chart(ecom, VIEWS_BY_PLATFORM), size=(80, 24)) as (app, pilot):
        await app.push_screen(ReleaseDialog(app.project, current_point(app), app.settings))
        await settle(app, pilot)
        dialog = app.screen
        frame = dialog.query_one("#dialog").region
        for widget in [*dialog.query("Input"), dialog.query_one("#form-submit")]:
            assert frame.contains_region(widget.region), widget.id


async def test_markers_drawn_without_colour(ecom, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    with open_project(ecom) as project:
        add_release(project, "2.0.0", "New cart", None, "2024-03-12")
    async with running(with_chart(ecom, VIEWS_BY_PLATFORM)) as (app, pilot):
        assert app.no_color
        canvas = app.home.query_one(ChartView).render()
        assert columns_of(app, "▲") == [await cursor_column(app, pilot, 2)]
        assert "┊" in canvas.plain
        styles = [span.style if isinstance(span.style, Style) else Style.parse(span.style) for span in canvas.spans]
        assert all(style.color is None for style in styles)
