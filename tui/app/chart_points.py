"""The data points of a loaded chart and the cursor on them.

Moving the cursor only changes two indexes here, so it never runs a query:
the home screen redraws from the DataFrame it already has.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # Only for annotations: the app imports pandas in the chart worker, off the startup path.
    import pandas as pd


@dataclass(frozen=True)
class Line:
    """One series, or one segment of a series, with a value per bucket."""

    series: int
    series_name: str
    segment: str | None
    values: tuple[float, ...]


@dataclass(frozen=True)
class Point:
    """The data point under the cursor: (series, segment, bucket) and its value."""

    series: int
    series_name: str
    segment: str | None
    bucket_start: pd.Timestamp
    bucket_end: pd.Timestamp
    value: float


class ChartPoints:
    """Lines of a segmentation result on shared buckets, and a cursor on one point."""

    def __init__(self, frame: pd.DataFrame):
        bucket_rows = frame[["bucket_start", "bucket_end"]].drop_duplicates("bucket_start")
        bucket_rows = bucket_rows.sort_values("bucket_start")
        self.bucket_starts = list(bucket_rows["bucket_start"])
        self.bucket_ends = list(bucket_rows["bucket_end"])
        self.lines = _lines(frame, self.bucket_starts)
        # The marker and colour (an index into ``plotting.line_style``) of each line, in the order of ``lines``.
        self.line_styles = list(range(len(self.lines)))
        self.line_index = 0
        # The most recent bucket is the one people look at first.
        self.bucket_index = max(len(self.bucket_starts) - 1, 0)
        # First bucket of the part drawn when there are more buckets than canvas columns.
        self.view_start = 0

    @property
    def empty(self) -> bool:
        return not self.lines or not self.bucket_starts

    def move_bucket(self, delta: int) -> None:
        self.bucket_index = clamp(self.bucket_index + delta, len(self.bucket_starts))

    def move_line(self, delta: int) -> None:
        self.line_index = clamp(self.line_index + delta, len(self.lines))

    def first_bucket(self) -> None:
        self.bucket_index = 0

    def last_bucket(self) -> None:
        self.bucket_index = max(len(self.bucket_starts) - 1, 0)

    def point(self) -> Point | None:
        """Return the point under the cursor, or None when the chart has no points."""
        if self.empty:
            return None
        line = self.lines[self.line_index]
        return Point(
            series=line.series,
            series_name=line.series_name,
            segment=line.segment,
            bucket_start=self.bucket_starts[self.bucket_index],
            bucket_end=self.bucket_ends[self.bucket_index],
            value=line.values[self.bucket_index],
        )

    def move_to(self, bucket_index: int, value: float) -> bool:
        """Put the cursor on the line nearest ``value`` at bucket ``bucket_index``, and return whether it moved.

        The line under the cursor wins a tie, so clicking where lines overlap keeps it.
        """
        if self.empty:
            return False
        bucket_index = clamp(bucket_index, len(self.bucket_starts))

        def distance(index: int) -> tuple[float, bool]:
            gap = abs(self.lines[index].values[bucket_index] - value)
            return (math.inf if math.isnan(gap) else gap, index != self.line_index)

        line_index = min(range(len(self.lines)), key=distance)
        moved = (bucket_index, line_index) != (self.bucket_index, self.line_index)
        self.bucket_index, self.line_index = bucket_index, line_index
        return moved

    def keep_styles(self, previous: ChartPoints) -> None:
        """Give each line that ``previous`` drew its marker and colour there, and a new line a style no kept line uses."""
        previous_styles = {
            (line.series_name, line.segment): style for line, style in zip(previous.lines, previous.line_styles)
        }
        matched_styles: list[int | None] = []
        for line in self.lines:
            style = previous_styles.get((line.series_name, line.segment))
            # Two series of one event and measure share a name, so only the first keeps the style.
            matched_styles.append(None if style in matched_styles else style)
        unused = (style for style in range(len(previous.line_styles) + len(self.lines)) if style not in matched_styles)
        self.line_styles = [style if style is not None else next(unused) for style in matched_styles]

    def keep_cursor(self, previous: ChartPoints) -> None:
        """Put the cursor on the bucket it was on in ``previous``, on the same line or else the nearest in value.

        The cursor stays where it is when this chart has no such bucket.
        """
        # This class's point, because a subclass's ``point`` may describe the point in its own terms.
        point = ChartPoints.point(previous)
        if point is None or point.bucket_start not in self.bucket_starts:
            return
        bucket_index = self.bucket_starts.index(point.bucket_start)
        same_line = [
            index for index, line in enumerate(self.lines)
            if (line.series_name, line.segment) == (point.series_name, point.segment)
        ]
        if same_line:
            self.bucket_index, self.line_index = bucket_index, same_line[0]
            return
        # From a gap (NaN) no line is nearer than another, and the cursor goes to the first line.
        self.move_to(bucket_index, point.value)

    def is_partial(self, index: int, interval: str, now: datetime | None = None) -> bool:
        """Return whether bucket ``index`` is cut by the chart's range or not over at ``now`` (default: the current time)."""
        return bucket_is_partial(self.bucket_starts[index], self.bucket_ends[index], interval, now)

    def window(self, capacity: int) -> range:
        """Return the bucket indexes to draw on ``capacity`` columns, keeping the cursor inside."""
        shown = visible_range(self.bucket_index, self.view_start, len(self.bucket_starts), capacity)
        self.view_start = shown.start
        return shown


def bucket_is_partial(start: datetime, end: datetime, interval: str, now: datetime | None = None) -> bool:
    """Return whether the bucket ``[start, end)`` is less than a whole ``interval`` or not over at ``now``."""
    # Imported here: the buckets module imports pandas, which the app loads with its first chart.
    from tui.analytics.buckets import is_partial

    return is_partial(start, end, interval, now or datetime.now(timezone.utc))


def visible_range(cursor: int, first: int, count: int, capacity: int) -> range:
    """Return the indexes of ``count`` to show on ``capacity`` places, starting near ``first``, with ``cursor`` inside.

    The range moves only as far as the cursor needs, so it does not jump
    while the cursor moves inside it.
    """
    capacity = max(capacity, 1)
    if count <= capacity:
        return range(count)
    if cursor < first:
        first = cursor
    elif cursor >= first + capacity:
        first = cursor - capacity + 1
    first = min(max(first, 0), count - capacity)
    return range(first, first + capacity)


def clamp(index: int, count: int) -> int:
    """Return ``index`` moved into ``0 .. count - 1`` (0 when ``count`` is 0)."""
    return min(max(index, 0), max(count - 1, 0))


def _lines(frame: pd.DataFrame, bucket_starts: list) -> list[Line]:
    """Group the frame's rows into lines ordered by series, segments in the frame's order."""
    position = {start: index for index, start in enumerate(bucket_starts)}
    names: dict[tuple, str] = {}
    values: dict[tuple, list[float]] = {}
    for row in frame.itertuples(index=False):
        segment = row.segment if isinstance(row.segment, str) else None
        key = (int(row.series), segment)
        if key not in values:
            names[key] = str(row.series_name)
            # NOTE: a bucket the frame has no row for is drawn and read out as 0.
            values[key] = [0.0] * len(bucket_starts)
        values[key][position[row.bucket_start]] = float(row.value)

    keys = sorted(values, key=lambda key: key[0])
    return [Line(key[0], names[key], key[1], tuple(values[key])) for key in keys]
