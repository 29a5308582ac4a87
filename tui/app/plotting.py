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

# Smaller than this, the chart gives way to a one-line message.
MIN_WIDTH = 24
MIN_HEIGHT = 6
Y_TICKS = 5


def line_style(index: int) -> tuple[str, str]:
    """Return the (marker, colour) of line ``index``, shared with the legend."""
    return MARKERS[index % len(MARKERS)], COLORS[index % len(COLORS)]


def y_ticks(values: Sequence[float]) -> list[float]:
    """Return evenly spaced y ticks from 0 (or the lowest value) up to a round top."""
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
) -> Text:
    """Draw ``lines`` (one value per x position) with the cursor at (line, x position).

    ``x_labels`` names every x position; a readable subset becomes the x ticks.
    The cursor is a distinct marker on the point plus a vertical guide, so it
    shows without colour. ``markers`` maps x positions to the symbol of an
    annotation or release, drawn on the top edge above a dotted vertical line.
    """
    if width < MIN_WIDTH or height < MIN_HEIGHT:
        return Text("Enlarge the window to see the chart.")

    values = [value for line in lines for value in line]
    ticks = y_ticks(values)
    _start_figure(width, height, color)
    plotext.ylim(ticks[0], ticks[-1])
    plotext.yticks(ticks, [compact_number(tick) for tick in ticks])
    _set_x_axis(x_labels, data_columns(width, values))

    markers = markers or {}
    for position in markers:
        plotext.plot([position, position], [ticks[0], ticks[-1]], marker=MARKER_LINE, color=GUIDE_COLOR if color else None)
    if cursor is not None:
        plotext.vertical_line(cursor[1], color=GUIDE_COLOR if color else None)
    positions = list(range(len(x_labels)))
    for index, line in enumerate(lines):
        marker, line_color = line_style(index)
        plotext.plot(positions, list(line), marker=marker, color=line_color if color else None)
    for position, symbol in markers.items():
        plotext.scatter([position], [ticks[-1]], marker=symbol, color=None)
    if cursor is not None:
        line_index, position = cursor
        point = [lines[line_index][position]]
        plotext.scatter([position], point, marker=CURSOR_MARKER, color="white" if color else None)

    return Text.from_ansi(plotext.build(), no_wrap=True)


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


def bar_columns(count: int, columns: int) -> list[range]:
    """Return the canvas columns of each of ``count`` bars: equal slots, centred in ``columns``, gaps between bars."""
    slot = max(columns // max(count, 1), 1)
    width = min(slot - 2, MAX_BAR_COLUMNS) if slot >= 4 else max(slot - 1, 1)
    first = (columns - slot * count) // 2 + (slot - width) // 2
    return [range(first + index * slot, first + index * slot + width) for index in range(count)]


def _start_figure(width: int, height: int, color: bool) -> None:
    plotext.clear_figure()
    plotext.plot_size(width, height)
    plotext.theme("clear")
    if color:
        plotext.axes_color("default")
        plotext.ticks_color("default")


def _set_x_axis(x_labels: Sequence[str], columns: int) -> None:
    """Label about one x position in every label's width, always the first and the last."""
    count = len(x_labels)
    # Half a position of margin on each side keeps the cursor guide off the frame.
    plotext.xlim(-0.5, count - 0.5)
    label_width = max((len(label) for label in x_labels), default=1) + 2
    step = max(math.ceil(count * label_width / columns), 1)
    positions = list(range(0, count, step))
    if positions[-1] != count - 1:
        # plotext drops a label that overlaps its neighbour, so the last one takes a full step.
        if count - 1 - positions[-1] >= step:
            positions.append(count - 1)
        elif len(positions) > 1:
            positions[-1] = count - 1
    plotext.xticks(positions, [x_labels[position] for position in positions])


def _round_step(raw: float) -> float:
    """Return the smallest step of 1, 2, 2.5 or 5 times a power of ten that is at least ``raw``."""
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * power >= raw:
            return factor * power
    return 10 * power
