"""The paged row view on its own: a million rows, only the pages on screen requested, far pages dropped."""

from rich.text import Text
from textual.app import App, ComposeResult

from tui.app.microscope import row_view
from tui.app.microscope.row_view import Column, Row, RowView

MILLION = 1_000_000
PAGE = 50


class RowsApp(App):
    """A RowView of ``count`` numbered rows; it records each page requested (and supplies it at once) and each row chosen."""

    def __init__(self, count: int):
        super().__init__()
        self.count = count
        self.requested: list[int] = []
        self.chosen: list[int] = []

    def compose(self) -> ComposeResult:
        yield RowView([Column("Row"), Column("Square", 16, "right")], page_size=PAGE)

    def on_mount(self) -> None:
        view = self.query_one(RowView)
        view.focus()
        view.reset(self.count, numbered_rows(0, PAGE))

    def on_row_view_rows_requested(self, message: RowView.RowsRequested) -> None:
        self.requested.append(message.start)
        end = min(message.start + message.count, self.count)
        message.view.set_rows(message.generation, message.start, numbered_rows(message.start, end))


    def on_row_view_chosen(self, message: RowView.Chosen) -> None:
        self.chosen.append(message.index)


def numbered_rows(start: int, end: int) -> list[Row]:
    return [Row((Text(f"row {index}"), Text(str(index * index))), key=index) for index in range(start, end)]


async def test_row_view_million_rows_end():
    app = RowsApp(MILLION)
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(RowView)
        await pilot.pause()
        # The first page fills the screen and the half page of margin below it.
        assert app.requested == []

        await pilot.press("G")
        await pilot.pause()
        assert view.cursor_row == MILLION - 1
        assert view.row(MILLION - 1).key == MILLION - 1
        assert len(app.requested) <= 4
        assert all(start >= MILLION - 2 * PAGE for start in app.requested)

        # Line 0 is the column header, so the last row is drawn on the view's last line.
        last_line = view.scrollable_content_region.height - 1
        assert round(view.scroll_offset.y) + last_line - 1 == MILLION - 1
        line = "".join(segment.text for segment in view.render_line(last_line))
        assert line.startswith(f"row {MILLION - 1} ")
        assert line.rstrip().endswith(str((MILLION - 1) ** 2)[:15])


async def test_row_view_drops_far_pages(monkeypatch):
    monkeypatch.setattr(row_view, "MAX_PAGES", 4)
    app = RowsApp(20 * PAGE)
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(RowView)
        for _ in range(60):
            await pilot.press("pagedown")
        await pilot.pause()
        assert view.cursor_row == 20 * PAGE - 1
        assert len(view._pages) <= 4
        # The rows on screen are never the ones dropped.
        top = round(view.scroll_offset.y)
        assert all(view.row(index) is not None for index in range(top, view.row_count))

        # Scrolling back requests the dropped pages again.
        before = len(app.requested)
        await pilot.press("g")
        await pilot.pause()
        assert view.row(0).key == 0
        assert len(app.requested) > before


async def test_row_view_click_moves_then_opens():
    app = RowsApp(100)
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(RowView)
        await pilot.click(RowView, offset=(2, 3))
        assert view.cursor_row == 2
        assert app.chosen == []
        await pilot.click(RowView, offset=(2, 3))
        await pilot.pause()
        assert app.chosen == [2]
