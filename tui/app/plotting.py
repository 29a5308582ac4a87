"""Every plotext call Loupe makes: lines, funnel bars, axes and the cursor drawn into a ``rich.text.Text``.

plotext 5.3.2 is pinned exactly, because its drawing API changed in 6.x. It
keeps one global figure, so only the UI thread may call ``draw``. Its output
is read back with ``Text.from_ansi``, so no escape sequence it writes reaches
the terminal as such. No text from the data is passed to it, because the app
draws the legend and the readout itself.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import plotext
from rich.text import Text

from tui.app.formatting import compact_number

# One marker character per line, so lines stay apart without colour (NO_COLOR, 16 colours).
MARKERS = ("•", "+", "x", "o", "*", "#", "%", "=", "~", "&", "^")
COLORS = ("cyan", "magenta", "green", "yellow", "blue", "red")
CURSOR_MARKER = "◆"
# The part of a line whose values can still change (open conversion windows) is dotted, so it reads without colour.
OPEN_MARKER = "·"
# The dotted vertical line under an annotation or release marker; the cursor's guide is solid.
MARKER_LINE = "┊"
GUIDE_COLOR = "gray"
# A funnel step's converted part and its dropped-off part differ in fill, so they read without colour.
CONVERTED_FILL = "█"
DROPPED_FILL = "░"
CONVERTED_COLOR = "cyan"
DROPPED_COLOR = "magenta"
# The widest a funnel bar gets, in columns, so a two-step funnel does not fill the screen with two blocks.
MAX_BAR_COLUMNS = 16

# The corners of the frame plotext draws around the plot area.
FRAME_TOP_LEFT = "┌"
FRAME_TOP_RIGHT = "┐"
FRAME_BOTTOM_LEFT = "└"

# Smaller than this, the chart gives way to a one-line message.
MIN_WIDTH = 24
MIN_HEIGHT = 6
Y_TICKS = 5


def line_style(index: int) -> tuple[str, str]:
    """Return the (marker, colour) of line ``index``, shared with the legend."""
    return MARKERS[index % len(MARKERS)], COLORS[index % len(COLORS)]


def y_ticks(values: Sequence[float]) -> list[float]:
    """Return evenly spaced y ticks from 0 (or the lowest value) up to a round top; NaN values (gaps) are left out."""
    values = [value for value in values if not math.isnan(value)]
    low = min(0.0, min(values, default=0.0))
    high = max(values, default=0.0)
    if high <= low:
        high = low + 1
    step = _round_step((high - low) / (Y_TICKS - 1))
    ticks = [math.floor(low / step) * step]
    while ticks[-1] < high:
        ticks.append(ticks[-1] + step)
    return ticks


def data_columns(width: int, values: Sequence[float]) -> int:
    """Return how many canvas columns a chart ``width`` cells wide has for data points.

    The y-axis labels and the frame take the rest.
    """
    label_width = max(len(compact_number(tick)) for tick in y_ticks(values))
    return max(width - label_width - 2, 1)


def draw(
    lines: Sequence[Sequence[float]],
    x_labels: Sequence[str],
    cursor: tuple[int, int] | None,
    width: int,
    height: int,
    color: bool,
    markers: Mapping[int, str] | None = None,
    hidden: tuple[int, int] = (0, 0),
    open_from: int | None = None,
    styles: Sequence[int] | None = None,
) -> Text:
    """Draw ``lines`` (one value per x position) with the cursor at (line, x position).

    ``styles`` gives each line's index into ``line_style`` (default: its own index), so a line keeps its
    marker when another is dropped.

    ``x_labels`` names every x position; a readable subset becomes the x
    ticks, always including the first and the last. The cursor is a distinct
    marker on the point plus a vertical guide, so it shows without colour.
    ``markers`` maps x positions to the symbol of an annotation or release,
    drawn on the top edge above a dotted vertical line. ``hidden`` counts the
    x positions left out before and after the drawn ones. When either count is
    not 0, a row under the axis names them, as ``◀ 5 earlier`` and ``3 later ▶``.
    A NaN value is a gap in its line. From x position ``open_from`` on, lines
    are dotted with ``OPEN_MARKER`` from the point before it, their points
    still drawn with the line's marker.
    """
    if width < MIN_WIDTH or height < MIN_HEIGHT:
        return Text("Enlarge the window to see the chart.")

    values = [value for line in lines for value in line]
    ticks = y_ticks(values)
    scrolled = any(hidden)
    _start_figure(width, height - 1 if scrolled else height, color)
    plotext.ylim(ticks[0], ticks[-1])
    plotext.yticks(ticks, [compact_number(tick) for tick in ticks])
    tick_positions = _set_x_axis(x_labels, data_columns(width, values))

    markers = markers or {}
    for position in markers:
        plotext.plot([position, position], [ticks[0], ticks[-1]], marker=MARKER_LINE, color=GUIDE_COLOR if color else None)
    if cursor is not None:
        plotext.vertical_line(cursor[1], color=GUIDE_COLOR if color else None)
    styles = styles if styles is not None else range(len(lines))
    for line, style in zip(lines, styles):
        marker, line_color = line_style(style)
        for run, run_marker in _line_runs(line, open_from, marker):
            plotext.plot(list(run), [line[position] for position in run], marker=run_marker, color=line_color if color else None)
        # The points of the open part keep the line's marker, so lines stay apart without colour; only the strokes are dotted.
        open_points = [position for position in range(open_from or len(line), len(line)) if not math.isnan(line[position])]
        if open_points:
            plotext.scatter(open_points, [line[position] for position in open_points], marker=marker, color=line_color if color else None)
    for position, symbol in markers.items():
        plotext.scatter([position], [ticks[-1]], marker=symbol, color=None)
    if cursor is not None and not math.isnan(lines[cursor[0]][cursor[1]]):
        # A gap has no point to mark; the cursor's vertical guide still shows its position.
        line_index, position = cursor
        point = [lines[line_index][position]]
        plotext.scatter([position], point, marker=CURSOR_MARKER, color="white" if color else None)

    chart = Text.from_ansi(plotext.build(), no_wrap=True)
    chart = _with_x_labels(chart, [(position, x_labels[position]) for position in tick_positions], len(x_labels), width)
    if scrolled:
        chart.append("\n")
        chart.append(scroll_hint(*hidden, width))
    return chart


def _line_runs(line: Sequence[float], open_from: int | None, marker: str) -> list[tuple[range, str]]:
    """Return the x positions to plot as one stroke each, with their marker.

    A line breaks at NaN values. Its open part, from ``open_from`` on, is a
    stroke of its own in ``OPEN_MARKER`` that starts at the point before it,
    so the dotted part continues the solid one.
    """
    runs: list[tuple[range, str]] = []
    start = None
    for position in range(len(line) + 1):
        if position < len(line) and not math.isnan(line[position]):
            start = position if start is None else start
            continue
        if start is not None:
            runs.extend(_split_open(range(start, position), open_from, marker))
        start = None
    return runs


def _split_open(run: range, open_from: int | None, marker: str) -> list[tuple[range, str]]:
    if open_from is None or open_from >= run.stop:
        return [(run, marker)]
    if open_from <= run.start:
        return [(run, OPEN_MARKER)]
    # The solid stroke is drawn last, so the point both share keeps the line's marker.
    return [(range(open_from - 1, run.stop), OPEN_MARKER), (range(run.start, open_from), marker)]


def scroll_hint(earlier: int, later: int, width: int) -> str:
    """Return a ``width``-cell row naming the x positions left out: ``◀ N earlier`` on the left, ``N later ▶`` on the right."""
    left = f"◀ {earlier} earlier" if earlier else ""
    right = f"{later} later ▶" if later else ""
    return left + " " * max(width - len(left) - len(right), 1) + right


def draw_funnel(
    converted: Sequence[int],
    dropped: Sequence[int],
    cursor: tuple[int, bool] | None,
    width: int,
    height: int,
    color: bool,
) -> Text:
    """Draw one bar per funnel step: its converted part at the bottom, its dropped-off part on top.

    The x labels are step numbers. The cursor ``(step index, on dropped
    part)`` is ``CURSOR_MARKER`` inside that part: the top row of a
    dropped-off part, the middle of a converted one.
    """
    if width < MIN_WIDTH or height < MIN_HEIGHT:
        return Text("Enlarge the window to see the chart.")

    tops = [step_converted + step_dropped for step_converted, step_dropped in zip(converted, dropped)]
    ticks = y_ticks(tops)
    columns = data_columns(width, tops)
    _start_figure(width, height, color)
    plotext.ylim(ticks[0], ticks[-1])
    plotext.yticks(ticks, [compact_number(tick) for tick in ticks])
    # One x unit per canvas column, so every bar gets whole columns and a gap before the next one.
    plotext.xlim(0, columns - 1)

    bars = bar_columns(len(tops), columns)
    for bar, step_converted, top in zip(bars, converted, tops):
        for column in bar:
            if top > step_converted:
                plotext.plot([column, column], [step_converted, top], marker=DROPPED_FILL, color=DROPPED_COLOR if color else None)
            if step_converted > 0:
                plotext.plot([column, column], [0, step_converted], marker=CONVERTED_FILL, color=CONVERTED_COLOR if color else None)
    centres = [(bar.start + bar.stop - 1) / 2 for bar in bars]
    plotext.xticks(centres, [str(index + 1) for index in range(len(bars))])

    if cursor is not None:
        index, on_dropped = cursor
        height_at = tops[index] if on_dropped else converted[index] / 2
        plotext.scatter([round(centres[index])], [height_at], marker=CURSOR_MARKER, color="white" if color else None)

    return Text.from_ansi(plotext.build(), no_wrap=True)


def draw_segment_funnel(
    converted: Sequence[Sequence[int]],
    dropped: Sequence[Sequence[int]],
    cursor: tuple[int, int, bool] | None,
    width: int,
    height: int,
    color: bool,
) -> Text:
    """Draw a funnel per segment: at each step, one bar per segment side by side, in segment order.

    ``converted[s][k]`` and ``dropped[s][k]`` are segment ``s``'s counts at
    step ``k``. A segment's converted part is filled with its line marker
    (``line_style``), so segments differ without colour. Its dropped-off part
    is ``DROPPED_FILL`` on top, in the segment's colour. The cursor is
    ``(step index, segment index, on dropped part)``, drawn as in ``draw_funnel``.
    """
    if width < MIN_WIDTH or height < MIN_HEIGHT:
        return Text("Enlarge the window to see the chart.")

    tops = [[part + lost for part, lost in zip(row, lost_row)] for row, lost_row in zip(converted, dropped)]
    all_tops = [top for row in tops for top in row]
    columns = data_columns(width, all_tops)
    step_count = len(converted[0]) if converted else 0
    layout = segment_bar_columns(step_count, len(converted), columns)
    if layout is None:
        return Text(
            f"Widen the window to draw {len(converted)} segments side by side at each of {step_count} steps, "
            "or hide some segments."
        )
    ticks = y_ticks(all_tops)
    _start_figure(width, height, color)
    plotext.ylim(ticks[0], ticks[-1])
    plotext.yticks(ticks, [compact_number(tick) for tick in ticks])
    plotext.xlim(0, columns - 1)

    for segment, (row, top_row) in enumerate(zip(converted, tops)):
        marker, segment_color = line_style(segment)
        for bars, part, top in zip(layout, row, top_row):
            for column in bars[segment]:
                if top > part:
                    plotext.plot([column, column], [part, top], marker=DROPPED_FILL, color=segment_color if color else None)
                if part > 0:
                    plotext.plot([column, column], [0, part], marker=marker, color=segment_color if color else None)
    centres = [(bars[0].start + bars[-1].stop - 1) / 2 for bars in layout]
    plotext.xticks(centres, [str(index + 1) for index in range(step_count)])

    if cursor is not None:
        step, segment, on_dropped = cursor
        bar = layout[step][segment]
        height_at = tops[segment][step] if on_dropped else converted[segment][step] / 2
        plotext.scatter([(bar.start + bar.stop - 1) // 2], [height_at], marker=CURSOR_MARKER, color="white" if color else None)

    return Text.from_ansi(plotext.build(), no_wrap=True)


def segment_bar_columns(step_count: int, segment_count: int, columns: int) -> list[list[range]] | None:
    """Return the canvas columns of each segment's bar at each step, or None when a bar would get no column.

    Each step gets a slot as in ``bar_columns``, split evenly among the
    segments. Bars three or more columns wide leave a one-column gap to the next.
    """
    if step_count == 0 or segment_count == 0:
        return None
    groups = bar_columns(step_count, columns, MAX_BAR_COLUMNS * segment_count)
    share = len(groups[0]) // segment_count
    if share < 1:
        return None
    bar = share - 1 if share >= 3 else share
    return [
        [range(group.start + index * share, group.start + index * share + bar) for index in range(segment_count)]
        for group in groups
    ]


def bar_columns(count: int, columns: int, max_width: int = MAX_BAR_COLUMNS) -> list[range]:
    """Return the canvas columns of each of ``count`` bars: equal slots, centred in ``columns``, gaps between bars.

    A bar is at most ``max_width`` columns wide.
    """
    slot = max(columns // max(count, 1), 1)
    width = min(slot - 2, max_width) if slot >= 4 else max(slot - 1, 1)
    first = (columns - slot * count) // 2 + (slot - width) // 2
    return [range(first + index * slot, first + index * slot + width) for index in range(count)]


def plot_area(chart: Text) -> tuple[int, int, int, int] | None:
    """Return ``(left, top, columns, rows)``: the cells inside the frame of a chart that ``draw`` or ``draw_funnel`` drew.

    The frame is looked up in the text rather than computed, because plotext
    sizes the y-axis labels itself. None when ``chart`` has no frame, as when
    the window is too small to draw one.
    """
    lines = chart.plain.split("\n")
    top = next((index for index, line in enumerate(lines) if FRAME_TOP_LEFT in line), None)
    if top is None:
        return None
    left = lines[top].index(FRAME_TOP_LEFT) + 1
    right = lines[top].find(FRAME_TOP_RIGHT, left)
    bottom = next((index for index in range(top + 1, len(lines)) if FRAME_BOTTOM_LEFT in lines[index]), None)
    if right < 0 or bottom is None:
        return None
    return left, top + 1, right - left, bottom - top - 1


def line_position_at(chart: Text, x: int, y: int, count: int, values: Sequence[float]) -> tuple[int, float] | None:
    """Return the x position and the value at cell ``(x, y)`` of ``chart``, or None outside its plot area.

    ``chart`` is what ``draw`` drew for ``count`` x positions and ``values``
    (every value of every line), so the axes have the same limits.
    """
    area = plot_area(chart)
    if area is None or not _inside(area, x, y):
        return None
    left, top, columns, rows = area
    ticks = y_ticks(values)
    position = _data_at(x - left, columns, -0.5, count - 0.5)
    value = _data_at(top + rows - 1 - y, rows, ticks[0], ticks[-1])
    return min(max(round(position), 0), count - 1), value


def funnel_part_at(
    chart: Text, x: int, y: int, converted: Sequence[int], dropped: Sequence[int], width: int
) -> tuple[int, bool] | None:
    """Return the step index nearest cell ``(x, y)`` of ``chart``, and whether the cell is above its converted part.

    ``chart`` is what ``draw_funnel`` drew for ``converted``, ``dropped`` and
    ``width``. None outside the plot area.
    """
    tops = [step_converted + step_dropped for step_converted, step_dropped in zip(converted, dropped)]
    units = data_columns(width, tops)
    layout = [[bar] for bar in bar_columns(len(tops), units)]
    found = _bar_part_at(chart, x, y, layout, [list(converted)], tops, units)
    return None if found is None else (found[0], found[2])


def segment_funnel_part_at(
    chart: Text, x: int, y: int, converted: Sequence[Sequence[int]], dropped: Sequence[Sequence[int]], width: int
) -> tuple[int, int, bool] | None:
    """Return the step index and segment index of the bar nearest cell ``(x, y)``, and whether the cell is above its converted part.

    ``chart`` is what ``draw_segment_funnel`` drew for ``converted``,
    ``dropped`` and ``width``. None outside the plot area, or when no bars were drawn.
    """
    tops = [top for row, lost_row in zip(converted, dropped) for top in (part + lost for part, lost in zip(row, lost_row))]
    units = data_columns(width, tops)
    layout = segment_bar_columns(len(converted[0]) if converted else 0, len(converted), units)
    if layout is None:
        return None
    return _bar_part_at(chart, x, y, layout, converted, tops, units)


def _bar_part_at(
    chart: Text,
    x: int,
    y: int,
    layout: list[list[range]],
    converted: Sequence[Sequence[int]],
    tops: Sequence[int],
    units: int,
) -> tuple[int, int, bool] | None:
    """Return (step, segment, above the converted part) of the bar nearest ``(x, y)``.

    ``layout[step][segment]`` lists the x units of that bar.
    """
    area = plot_area(chart)
    if area is None or not _inside(area, x, y) or not layout:
        return None
    left, top, columns, rows = area
    ticks = y_ticks(tops)
    # The funnels set the x limits to (0, units - 1), one x unit per data column.
    unit = round(_data_at(x - left, columns, 0, units - 1))
    bars = [(step, segment) for step in range(len(layout)) for segment in range(len(layout[step]))]
    step, segment = min(bars, key=lambda bar: _distance(unit, layout[bar[0]][bar[1]]))
    row_from_bottom = top + rows - 1 - y
    return step, segment, row_from_bottom > _cell_of(converted[segment][step], rows, ticks[0], ticks[-1])


def _inside(area: tuple[int, int, int, int], x: int, y: int) -> bool:
    left, top, columns, rows = area
    return left <= x < left + columns and top <= y < top + rows


def _cell_of(value: float, cells: int, low: float, high: float) -> int:
    """Return the cell plotext draws ``value`` in, counted from the low end: ``floor(0.5 + (cells - 1) * fraction)``."""
    return math.floor(round(0.5 + (cells - 1) * (value - low) / (high - low), 8))


def _data_at(cell: int, cells: int, low: float, high: float) -> float:
    """Return the value at the centre of ``cell``, the inverse of ``_cell_of``."""
    return low + cell * (high - low) / max(cells - 1, 1)


def _distance(unit: int, bar: range) -> int:
    if unit < bar.start:
        return bar.start - unit
    return max(unit - (bar.stop - 1), 0)


def _start_figure(width: int, height: int, color: bool) -> None:
    plotext.clear_figure()
    plotext.plot_size(width, height)
    plotext.theme("clear")
    if color:
        plotext.axes_color("default")
        plotext.ticks_color("default")


def _set_x_axis(x_labels: Sequence[str], columns: int) -> list[int]:
    """Set ticks on about one x position in every label's width, always the first and the last; return their positions.

    plotext gets empty tick labels, because it silently drops any label
    (the first and the last too) that touches another one or the edge of
    its row. ``_with_x_labels`` writes the labels instead.
    """
    count = len(x_labels)
    # Half a position of margin on each side keeps the cursor guide off the frame.
    plotext.xlim(-0.5, count - 0.5)
    label_width = max((len(label) for label in x_labels), default=1) + 2
    step = max(math.ceil(count * label_width / columns), 1)
    positions = list(range(0, count, step))
    if positions[-1] != count - 1:
        # The last label gets at least a full step of room, so it never crowds its neighbour.
        if count - 1 - positions[-1] >= step:
            positions.append(count - 1)
        elif len(positions) > 1:
            positions[-1] = count - 1
    plotext.xticks(positions, ["" for _ in positions])
    return positions


def _with_x_labels(chart: Text, labels: Sequence[tuple[int, str]], count: int, width: int) -> Text:
    """Return ``chart`` with its x label row, under the frame, holding ``labels`` (x position, text) centred under their ticks.

    A label is moved inside the row at the edges. One that would touch the
    label before it is left out, except the last, which replaces that one.
    NOTE: the first label is never replaced, so on a row too narrow for two
    labels the last one is left out.
    """
    area = plot_area(chart)
    rows = chart.split("\n", allow_blank=True)
    if area is None or not labels:
        return chart
    left, top, columns, plot_rows = area
    # The frame's bottom edge is right under the plot area, and the label row under it.
    label_row = top + plot_rows + 1
    if label_row >= len(rows):
        return chart
    placed: list[tuple[int, str]] = []
    for index, (position, label) in enumerate(labels):
        centre = left + _cell_of(position, columns, -0.5, count - 0.5)
        start = min(max(centre - len(label) // 2, 0), max(width - len(label), 0))
        while placed and placed[-1][0] + len(placed[-1][1]) >= start:
            if index != len(labels) - 1 or len(placed) == 1:
                break
            placed.pop()
        if placed and placed[-1][0] + len(placed[-1][1]) >= start:
            continue
        placed.append((start, label))
    row = [" "] * width
    for start, label in placed:
        row[start : start + len(label)] = label
    rows[label_row] = Text("".join(row[:width]))
    return Text("\n").join(rows[: label_row + 1])


def _round_step(raw: float) -> float:
    """Return the smallest step of 1, 2, 2.5 or 5 times a power of ten that is at least ``raw``."""
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * power >= raw:
            return factor * power
    return 10 * power
