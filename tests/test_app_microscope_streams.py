"""View user streams on the e-commerce project: counted events marked, range lines, moving between users."""

from rich.style import Style

from microscope_app import MAY, ecom, ecom_template, error_messages, open_on_may, press, running, shown_line
from tui.app.microscope import streams_screen
from tui.app.microscope.property_picker import PropertyPicker
from tui.app.microscope.row_view import MARK
from tui.app.microscope.streams_screen import StreamsScreen

__all__ = ["ecom", "ecom_template"]


def in_may(time_text: str) -> bool:
    return MAY[0] <= time_text[:10] < MAY[1]


def first_user_rows(screen: StreamsScreen) -> list:
    rows = screen.table.loaded_rows()
    end = screen.user_starts[1] if len(screen.user_starts) > 1 else len(rows)
    return rows[:end]


async def open_streams(app, pilot) -> StreamsScreen:
    screen = await open_on_may(app, pilot, "s")
    assert isinstance(screen, StreamsScreen)
    return screen


async def test_streams_mark_counted_events(ecom):
    async with running(ecom) as (app, pilot):
        screen = await open_streams(app, pilot)
        events = [row for row in first_user_rows(screen) if not row.rule]
        # Counted: exactly the catalog events in May, the chart's event in the point's bucket.
        for row in events:
            time_text, event = row.plain()[:2]
            assert row.marked == (event == "catalog" and in_may(time_text)), row.plain()
        counted = [row for row in events if row.marked]
        assert counted
        assert any(not row.marked for row in events)
        header = screen.table.loaded_rows()[0]
        assert f"{len(counted)} counted events" in header.plain()[0]


async def test_streams_mark_drawn_without_colour(ecom, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    async with running(ecom, size=(80, 24)) as (app, pilot):
        screen = await open_streams(app, pilot)
        rows = screen.table.loaded_rows()
        marked = next(index for index, row in enumerate(rows) if row.marked)
        plain = next(index for index, row in enumerate(rows) if not row.rule and not row.marked)

        # NO_COLOR drops colours when Textual writes to the terminal; the mark and bold stay.
        assert app.no_color
        line = shown_line(screen.table, marked)
        assert line.startswith(f"{MARK} {rows[marked].plain()[0]}")
        strip = screen.table.render_line(marked - round(screen.table.scroll_offset.y) + 1)
        styles = [segment.style or Style() for segment in strip if segment.text.strip()]
        assert all(style.bold for style in styles)

        assert shown_line(screen.table, plain).startswith(f"  {rows[plain].plain()[0]}")


async def test_streams_range_lines(ecom):
    async with running(ecom) as (app, pilot):
        screen = await open_streams(app, pilot)
        rows = first_user_rows(screen)
        labels = [row.plain()[0] if row.rule else None for row in rows]
        start = labels.index("range start 2024-05-01 00:00:00")
        end = labels.index("range end 2024-06-01 00:00:00")
        events = [(position, row.plain()[0]) for position, row in enumerate(rows) if not row.rule]
        assert all(in_may(time) == (start < position < end) for position, time in events)
        times = [time for _, time in events]
        assert times == sorted(times)
        # Sessions are marked where they start, named by their ids, which are no start times.
        assert any(label and label.startswith("Session sess_") for label in labels)


async def test_streams_next_and_previous_user(ecom):
    async with running(ecom) as (app, pilot):
        screen = await open_streams(app, pilot)
        first = screen.table.cursor_value.key.actor_id

        await press(app, pilot, "n")
        assert screen.table.cursor_row == screen.range_starts[1]
        second = screen.table.cursor_value.key
        assert second.actor_id != first
        status = screen.query_one("#streams-status").content.plain
        assert status.startswith(f"User 2 of 437 · {second.display_id}")

        # Below the range start, N goes back to it, then to the previous user's.
        await press(app, pilot, "down", "down", "N")
        assert screen.table.cursor_row == screen.range_starts[1]
        await press(app, pilot, "N")
        assert screen.table.cursor_row == screen.range_starts[0]
        assert screen.table.cursor_value.key.actor_id == first


async def test_streams_open_at_range_start(ecom):
    async with running(ecom) as (app, pilot):
        screen = await open_streams(app, pilot)
        table = screen.table
        range_start = screen.range_starts[0]
        assert table.cursor_row == range_start
        assert table.cursor_value.plain()[0] == "range start 2024-05-01 00:00:00"
        # The first user has earlier events, so the header is scrolled away and three of them stay above.
        assert range_start > streams_screen.ROWS_ABOVE_RANGE
        top = round(table.scroll_offset.y)
        assert top == range_start - streams_screen.ROWS_ABOVE_RANGE

        # The view draws the range start line on its fourth row, under the column header.
        drawn = "".join(segment.text for segment in table.render_line(range_start - top + 1))
        assert drawn.startswith("── range start 2024-05-01 00:00:00 ")
        # The first counted event is on screen too.
        marked = next(index for index, row in enumerate(table.loaded_rows()) if row.marked)
        assert top < marked < top + table.scrollable_content_region.height - 1

        await press(app, pilot, "n")
        assert table.cursor_row == screen.range_starts[1]
        assert round(table.scroll_offset.y) == max(screen.range_starts[1] - 3, screen.user_starts[1])


async def test_streams_page_down_at_once(ecom):
    async with running(ecom) as (app, pilot):
        screen = await open_streams(app, pilot)
        table = screen.table
        start_row, start_top = table.cursor_row, round(table.scroll_offset.y)
        # The view's height less its column header.
        page = table.scrollable_content_region.height - 1

        await press(app, pilot, "pagedown")
        assert table.cursor_row == start_row + page
        assert round(table.scroll_offset.y) == start_top + page

        await press(app, pilot, "pagedown")
        assert table.cursor_row == start_row + 2 * page
        assert round(table.scroll_offset.y) == start_top + 2 * page

        await press(app, pilot, "pageup")
        assert table.cursor_row == start_row + page
        assert round(table.scroll_offset.y) == start_top + page


async def test_streams_status_names_keys(ecom):
    async with running(ecom) as (app, pilot):
        screen = await open_streams(app, pilot)
        user = screen.table.cursor_value.key.display_id
        status = screen.query_one("#streams-status").content.plain
        assert status == (
            f"User 1 of 437 · {user} · {MARK} counted toward the point · UTC · n next user, N previous user, c columns"
        )


async def test_streams_next_batch_loads(ecom, monkeypatch):
    monkeypatch.setattr(streams_screen, "BATCH", 3)
    async with running(ecom) as (app, pilot):
        users = await open_on_may(app, pilot, "u")
        expected = [users.table.row(index).plain()[0] for index in range(5)]
        await press(app, pilot, "s")
        screen = app.screen
        assert len(screen.user_starts) == 3

        shown = [screen.table.cursor_value.key.display_id]
        for _ in range(4):
            await press(app, pilot, "n")
            shown.append(screen.table.cursor_value.key.display_id)
        assert shown == expected
        assert screen.batch.offset == 3

        await press(app, pilot, "N", "N")
        assert screen.batch.offset == 0
        assert screen.table.cursor_value.key.display_id == expected[2]
        assert error_messages(app) == []


async def test_streams_start_at_chosen_user(ecom):
    async with running(ecom) as (app, pilot):
        users = await open_on_may(app, pilot, "u")
        await press(app, pilot, "down", "down", "down")
        chosen = users.table.cursor_value.plain()[0]
        await press(app, pilot, "s")
        screen = app.screen
        assert screen.table.cursor_value.key.display_id == chosen
        assert screen.query_one("#streams-status").content.plain.startswith("User 4 of 437")


async def test_streams_property_columns(ecom):
    async with running(ecom) as (app, pilot):
        screen = await open_streams(app, pilot)
        assert screen.property_names == ["acquisition_channel", "user_cohort", "user_lifecycle"]
        assert [column.title for column in screen.table.columns][2:] == screen.property_names

        await press(app, pilot, "c")
        assert isinstance(app.screen, PropertyPicker)
        # Untick the first property and apply.
        await press(app, pilot, "space", "enter")
        assert app.screen is screen
        assert screen.property_names == ["user_cohort", "user_lifecycle"]
        event = next(row for row in screen.table.loaded_rows() if not row.rule)
        assert len(event.cells) == 4
        assert event.plain()[2].startswith("2024-")
