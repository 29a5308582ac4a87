"""A table that draws only the rows on screen, so a list of a million users scrolls like a short one.

Rows live in pages of ``page_size``. When rows near the visible part are
missing, the view posts ``RowsRequested`` and shows them as ``loading…`` until
``set_rows`` brings them, so a screen runs one query per page. Each list
shown gets a generation number, and rows that arrive for an older
generation (a list replaced meanwhile by a new sort or search) are dropped.

A list can also be given whole with ``show_rows``. With ``more=True`` the
view requests the rows after the last one when the user scrolls near it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

# The mark of a marked row, in a column before the others: a shape, so it shows without colour too.
MARK = "●"
MARK_CELLS = 2
# Pages kept when the list is paged; the ones farthest from the visible rows go first.
MAX_PAGES = 40
MIN_SHARED_WIDTH = 6
RULE = "─"


@dataclass(frozen=True)
class Column:
    """A column's title, its width in terminal cells (0 shares what the fixed columns leave) and alignment."""

    title: str
    width: int = 0
    justify: str = "left"


@dataclass(frozen=True)
class Row:
    """One line of the table.

    ``key`` is what the row stands for (an actor id, an event), for the screen.
    A ``rule`` row is a divider across the whole width labelled by its first cell.
    A ``marked`` row shows ``MARK`` in the mark column and is drawn bold.
    """

    cells: tuple[Text, ...]
    key: Any = None
    rule: bool = False
    marked: bool = False

    def plain(self) -> tuple[str, ...]:
        """Return the cells as plain strings, as they read on screen before cutting."""
        return tuple(cell.plain for cell in self.cells)


class ViewMessage(Message):
    """A message from a RowView, which is its ``control``."""

    def __init__(self, view: RowView):
        super().__init__()
        self.view = view

    @property
    def control(self) -> RowView:
        return self.view


class RowView(ScrollView, can_focus=True):
    """Rows with a column header, a cursor, and pages loaded on demand."""

    COMPONENT_CLASSES = {
        "row-view--header",
        "row-view--cursor",
        "row-view--rule",
        "row-view--marked",
        "row-view--loading",
    }

    DEFAULT_CSS = """
    RowView {
        width: 100%;
        height: 1fr;
        overflow-x: hidden;
    }
    RowView > .row-view--header {
        text-style: bold underline;
    }
    RowView > .row-view--cursor {
        text-style: reverse;
    }
    RowView > .row-view--rule {
        color: $text-muted;
    }
    RowView > .row-view--marked {
        text-style: bold;
    }
    RowView > .row-view--loading {
        color: $text-muted;
        text-style: italic;
    }
    """

    BINDINGS = [
        Binding("up,k", "move(-1)", "Up", show=False, id="rows.up"),
        Binding("down,j", "move(1)", "Down", show=False, id="rows.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="rows.page_up"),
        Binding("pagedown,space", "page(1)", "Page down", show=False, id="rows.page_down"),
        Binding("home,g", "first", "First row", show=False, id="rows.first"),
        Binding("end,G", "last", "Last row", show=False, id="rows.last"),
    ]

    class RowsRequested(ViewMessage):
        """The view needs ``count`` rows from ``start`` of the list of ``generation``."""

        def __init__(self, view: RowView, generation: int, start: int, count: int):
            super().__init__(view)
            self.generation = generation
            self.start = start
            self.count = count

    class CursorMoved(ViewMessage):
        """The cursor moved to row ``index``."""

        def __init__(self, view: RowView, index: int):
            super().__init__(view)
            self.index = index

    class Chosen(ViewMessage):
        """The row under the cursor was clicked again, which opens it like Enter."""

        def __init__(self, view: RowView, index: int):
            super().__init__(view)
            self.index = index

    class EdgeReached(ViewMessage):
        """The user moved past the last row (``direction`` 1) or above the first (-1)."""

        def __init__(self, view: RowView, direction: int):
            super().__init__(view)
            self.direction = direction

    def __init__(self, columns: Sequence[Column], page_size: int = 100, mark_column: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.columns = list(columns)
        self.page_size = page_size
        self.mark_column = mark_column
        self.row_count = 0
        self.cursor_row = 0
        self.generation = 0
        # True while rows after the last one can still be requested (a list given whole, but not yet all of it).
        self.more = False
        self.message = ""
        self._pages: dict[int, list[Row]] = {}
        self._requested: set[int] = set()
        self._failed: set[int] = set()
        self._whole = True

    # Filling the view -----------------------------------------------------------

    def reset(self, count: int, first_rows: Sequence[Row] = (), cursor: int = 0) -> None:
        """Show a paged list of ``count`` rows, of which ``first_rows`` start at row 0; later pages are requested."""
        self._start_list(count, whole=False)
        self._store(0, list(first_rows))
        self._place_cursor(cursor)

    def show_rows(self, rows: Sequence[Row], more: bool = False, cursor: int = 0, to_top: bool = False) -> None:
        """Show ``rows`` as the whole list, the cursor on row ``cursor`` (scrolled to the top if ``to_top``).

        ``more`` requests the rows after them when the user scrolls near the end.
        """
        self._start_list(len(rows), whole=True)
        self.more = more
        self._store(0, list(rows))
        self._place_cursor(cursor, to_top)

    def show_message(self, message: str) -> None:
        """Empty the view and show ``message`` (such as ``Loading…``) in place of rows."""
        self._start_list(0, whole=True)
        self.message = message
        self.refresh()

    def set_rows(self, generation: int, start: int, rows: Sequence[Row]) -> None:
        """Store rows that a ``RowsRequested`` of ``generation`` requested; rows of an older list are dropped."""
        if generation != self.generation:
            return
        self._store(start, list(rows))
        self._drop_far_pages()
        self.refresh()

    def rows_failed(self, generation: int, start: int) -> None:
        """Show the page from ``start`` as failed, so it reads as an error rather than loading forever."""
        if generation == self.generation:
            self._failed.add(start // self.page_size)
            self.refresh()

    def set_columns(self, columns: Sequence[Column]) -> None:
        self.columns = list(columns)
        self.refresh()

    def row(self, index: int) -> Row | None:
        """Return row ``index``, or None when it is not loaded (or out of range)."""
        if not 0 <= index < self.row_count:
            return None
        page = self._pages.get(index // self.page_size)
        offset = index % self.page_size
        if page is None or offset >= len(page):
            return None
        return page[offset]

    def loaded_rows(self) -> list[Row]:
        """Return the rows loaded now, in order (for a list given whole: all of it)."""
        return [row for page in sorted(self._pages) for row in self._pages[page]]

    @property
    def cursor_value(self) -> Row | None:
        return self.row(self.cursor_row)

    def _start_list(self, count: int, whole: bool) -> None:
        self.generation += 1
        self.row_count = count
        self.more = False
        self.message = ""
        self._whole = whole
        self._pages.clear()
        self._requested.clear()
        self._failed.clear()
        self.virtual_size = Size(0, count + 1)

    def _store(self, start: int, rows: list[Row]) -> None:
        for offset in range(0, len(rows), self.page_size):
            self._pages[(start + offset) // self.page_size] = rows[offset : offset + self.page_size]

    def _drop_far_pages(self) -> None:
        if self._whole or len(self._pages) <= MAX_PAGES:
            return
        # Measured from the visible rows, not the cursor: the mouse scrolls without moving the cursor.
        top_page = round(self.scroll_offset.y) // self.page_size
        by_distance = sorted(self._pages, key=lambda page: abs(page - top_page), reverse=True)
        for page in by_distance[: len(self._pages) - MAX_PAGES]:
            del self._pages[page]
            self._requested.discard(page)

    # Asking for rows ------------------------------------------------------------

    def _body_height(self) -> int:
        return max(self.scrollable_content_region.height - 1, 1)

    def _request_visible(self) -> None:
        """Post ``RowsRequested`` for the missing pages within half a page of the visible rows."""
        if not self.is_mounted:
            return
        top = round(self.scroll_offset.y)
        bottom = top + self._body_height()
        margin = self.page_size // 2
        if self._whole:
            if self.more and bottom + margin >= self.row_count and self.row_count not in self._requested:
                self._requested.add(self.row_count)
                self.post_message(self.RowsRequested(self, self.generation, self.row_count, self.page_size))
            return
        if self.row_count == 0:
            return
        first = max(top - margin, 0) // self.page_size
        last = min(bottom + margin, self.row_count - 1) // self.page_size
        for page in range(first, last + 1):
            if page in self._pages or page in self._requested:
                continue
            self._requested.add(page)
            self.post_message(self.RowsRequested(self, self.generation, page * self.page_size, self.page_size))

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._request_visible()

    def on_resize(self, event: events.Resize) -> None:
        self._request_visible()

    # The cursor -------------------------------------------------------------------

    def move_cursor(self, index: int, to_top: bool = False) -> None:
        """Put the cursor on row ``index`` (clamped to the list) and scroll it into view, or to the top."""
        if self.row_count == 0:
            return
        self._place_cursor(index, to_top)
        self.post_message(self.CursorMoved(self, self.cursor_row))

    def _place_cursor(self, index: int, to_top: bool = False) -> None:
        self.cursor_row = min(max(index, 0), max(self.row_count - 1, 0))
        self._scroll_to_cursor(to_top)
        self.refresh()
        self._request_visible()

    def scroll_to_row(self, index: int) -> None:
        """Scroll so that row ``index`` is the first one under the column header, or as near as the list allows."""
        # Forced: a list just shown has no scrollbar until the next layout, and Textual ignores
        # an unforced scroll of a view without one. The scroll offset is still clamped to the rows.
        self.scroll_to(y=index, animate=False, immediate=True, force=True)

    def _scroll_to_cursor(self, to_top: bool) -> None:
        body = self._body_height()
        top = round(self.scroll_offset.y)
        if to_top or self.cursor_row < top:
            self.scroll_to_row(self.cursor_row)
        elif self.cursor_row >= top + body:
            self.scroll_to_row(self.cursor_row - body + 1)

    def action_move(self, delta: int) -> None:
        target = self.cursor_row + delta
        if target < 0 or target >= self.row_count:
            self.post_message(self.EdgeReached(self, 1 if delta > 0 else -1))
            return
        self.move_cursor(target)

    def action_page(self, direction: int) -> None:
        """Scroll a page and move the cursor as far, so it keeps its line on screen.

        Moving only the cursor would spend the first press taking it to the
        screen's last line, with the rows barely moving.
        """
        page = self._body_height()
        self.scroll_to_row(round(self.scroll_offset.y) + direction * page)
        self.move_cursor(self.cursor_row + direction * page)

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(self.row_count - 1)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y == 0:
            return
        index = round(self.scroll_offset.y) + offset.y - 1
        if index >= self.row_count:
            return
        if index == self.cursor_row:
            self.post_message(self.Chosen(self, index))
        else:
            self.move_cursor(index)

    # Drawing ----------------------------------------------------------------------

    def column_widths(self, width: int) -> list[int]:
        """Return each column's width in cells for a view ``width`` cells wide, one cell between columns."""
        available = width - (MARK_CELLS if self.mark_column else 0) - len(self.columns)
        fixed = sum(column.width for column in self.columns)
        shared = [column for column in self.columns if not column.width]
        share = max((available - fixed) // max(len(shared), 1), MIN_SHARED_WIDTH)
        return [column.width or share for column in self.columns]

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            line = self._header_text(width)
        else:
            index = round(self.scroll_offset.y) + y - 1
            line = self._line_text(index, width)
        if line is None:
            return Strip.blank(width, base)
        line.truncate(width, overflow="crop", pad=True)
        return Strip(line.render(self.app.console), width).apply_style(base)

    def _header_text(self, width: int) -> Text:
        cells = [Text(column.title) for column in self.columns]
        line = self._join(cells, self.column_widths(width), "  " if self.mark_column else "")
        line.stylize(self.get_component_rich_style("row-view--header"))
        return line

    def _line_text(self, index: int, width: int) -> Text | None:
        if index >= self.row_count:
            if index == 0 and self.message:
                return Text(self.message, style=self.get_component_rich_style("row-view--loading"))
            return None
        row = self.row(index)
        if row is None:
            failed = index // self.page_size in self._failed
            label = "could not load these rows: see the error" if failed else "loading…"
            line = Text(label, style=self.get_component_rich_style("row-view--loading"))
        elif row.rule:
            line = self._rule_text(row, width)
        else:
            mark = f"{MARK} " if row.marked else "  "
            line = self._join(list(row.cells), self.column_widths(width), mark if self.mark_column else "")
            if row.marked:
                line.stylize(self.get_component_rich_style("row-view--marked"))
        if index == self.cursor_row:
            line.truncate(width, overflow="crop", pad=True)
            line.stylize(self.get_component_rich_style("row-view--cursor"))
        return line

    def _rule_text(self, row: Row, width: int) -> Text:
        line = Text(RULE * 2 + " ")
        line.append_text(row.cells[0] if row.cells else Text())
        line.append(" ")
        line.append(RULE * max(width - line.cell_len, 0))
        line.stylize(self.get_component_rich_style("row-view--rule"))
        return line

    def _join(self, cells: list[Text], widths: list[int], lead: str) -> Text:
        line = Text(lead, no_wrap=True, end="")
        for cell, cell_width, column in zip(cells, widths, self.columns):
            cell = cell.copy()
            cell.truncate(cell_width, overflow="ellipsis")
            cell.align(column.justify, cell_width)
            line.append_text(cell)
            line.append(" ")
        return line
