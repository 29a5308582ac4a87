"""A funnel's conversion over time on the home screen: one line per segment, a point per entry bucket.

Each point is the share of the actors who entered the funnel in a bucket
(their counted conversion started there) and went on to reach the last
step. The lines come from ``funnel_over_time``, the query that also counts
the microscope's lists, so a point's counts equal its users.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from tui.app.background import run_in_background
from tui.app.chart_points import ChartPoints
from tui.app.funnel_points import FunnelPoints

if TYPE_CHECKING:
    import pandas as pd

    from tui.analytics.point import Point

# The cursor keys as they work on conversion over time, by action, for the keys dialog.
OVER_TIME_KEY_DESCRIPTIONS = {
    "move_bucket(-1)": "Previous entry bucket",
    "move_bucket(1)": "Next entry bucket",
    "move_line(-1)": "Previous segment",
    "move_line(1)": "Next segment",
    "first_bucket": "First entry bucket",
    "last_bucket": "Last entry bucket",
    "toggle_part": "Switch between the users who converted and those who dropped off at the last step",
}

# Why an entry bucket can still gain entrants: the values of ``EntryBucketPart.entry_open``.
NOT_BEGUN = "not begun"
NOT_OVER = "not over"


@dataclass(frozen=True)
class EntryBucketPart:
    """The point under the cursor: who entered the funnel in one bucket, and which of them the microscope opens.

    ``converted`` reached the last step. ``dropped`` reached the step before
    the last but not the last: the last step's dropped-off part. With more
    than two steps it can be fewer than ``entered - converted``.
    """

    segment: str | None
    bucket: int
    bucket_start: pd.Timestamp
    bucket_end: pd.Timestamp
    step_count: int
    entered: int
    converted: int
    dropped: int
    # converted / entered, NaN when the bucket has no entries
    rate: float
    on_dropped: bool
    # Whether some entrant's conversion window had not ended by the end of the data, so the counts can still grow.
    window_open: bool = False
    # NOT_BEGUN or NOT_OVER when the bucket had not begun or not ended when the point was read, so more actors may
    # still enter in it. None when it had ended.
    entry_open: str | None = None

    @property
    def value(self) -> int:
        """The actors in the selected part, the count the microscope lists."""
        return self.dropped if self.on_dropped else self.converted


@dataclass(frozen=True)
class BucketCounts:
    """The actors behind one point: entered, converted to the last step, dropped off at it, and the rate."""

    entered: int
    converted: int
    dropped: int
    rate: float


class FunnelOverTimePoints(ChartPoints):
    """The lines of a funnel's conversion over time, in percent, with the counts behind each point.

    ``bars`` is the funnel the view was switched from, shown again when the
    view is switched back. A bucket with no entries has no rate: its value is
    NaN, drawn as a gap. ``window_open`` flags, per bucket, that a conversion
    window was still open at the end of the data (the frame's ``window_open``
    column, all False without it).
    """

    def __init__(self, frame: pd.DataFrame, step_count: int, bars: FunnelPoints):
        # Imported here: the analytics modules pull in DuckDB and pandas, which the app loads with its first chart.
        from tui.analytics.funnel_over_time import WINDOW_OPEN_COLUMN

        last = frame[frame["step"] == step_count]
        first = frame[frame["step"] == 1]
        segments = last["segment"].tolist() if "segment" in frame.columns else [None] * len(last)
        rates = [rate * 100 for rate in last["overall"].astype(float)]
        line_name = f"Conversion to step {step_count} (%)"
        lines = last.assign(series=0, series_name=line_name, segment=segments, value=rates)
        super().__init__(lines[["series", "series_name", "segment", "bucket_start", "bucket_end", "value"]])
        self.step_count = step_count
        self.bars = bars
        self.on_dropped = False
        position = {start: index for index, start in enumerate(self.bucket_starts)}
        self.window_open = [False] * len(self.bucket_starts)
        if WINDOW_OPEN_COLUMN in last.columns:
            for start, is_open in zip(last["bucket_start"], last[WINDOW_OPEN_COLUMN]):
                self.window_open[position[start]] = bool(is_open)
        # The frame lists the steps of each segment's bucket together, so its step-1 and last-step rows pair up in order.
        self._counts: dict[tuple[str | None, int], BucketCounts] = {}
        for segment, start, entered, row in zip(segments, last["bucket_start"], first["converted"], last.itertuples()):
            counts = BucketCounts(int(entered), int(row.converted), int(row.dropped), float(row.overall))
            self._counts[(segment, position[start])] = counts

    def toggle_part(self) -> None:
        """Switch the selected part between the converted and the dropped-off users."""
        self.on_dropped = not self.on_dropped

    def is_partial(self, index: int, interval: str, now: datetime | None = None) -> bool:
        """Return whether bucket ``index`` is partial as a time bucket, or can still change because a window is open."""
        return self.window_open[index] or super().is_partial(index, interval, now)

    def entry_open(self, index: int, now: datetime | None = None) -> str | None:
        """Return NOT_BEGUN or NOT_OVER when bucket ``index`` had not begun or not ended at ``now``, else None."""
        now = now or datetime.now(timezone.utc)
        if self.bucket_starts[index] > now:
            return NOT_BEGUN
        return NOT_OVER if self.bucket_ends[index] > now else None

    def keep_look(self, previous: FunnelOverTimePoints) -> None:
        """Give each line its marker in ``previous``, and the cursor the point and part it was on there.

        The cursor stays where it is when this chart lacks the bucket it was on.
        """
        self.keep_styles(previous)
        self.keep_cursor(previous)
        self.on_dropped = previous.on_dropped
        if self.bucket_starts == previous.bucket_starts:
            # The same buckets scroll to where they were, not just far enough to show the cursor.
            self.view_start = previous.view_start

    def first_open_bucket(self) -> int | None:
        """Return the first bucket whose windows were still open; every later bucket's were too."""
        return next((index for index, is_open in enumerate(self.window_open) if is_open), None)

    def point(self) -> EntryBucketPart | None:
        """Return the entry bucket under the cursor, or None when the chart has no buckets."""
        if self.empty:
            return None
        segment = self.lines[self.line_index].segment
        counts = self.counts(segment, self.bucket_index)
        return EntryBucketPart(
            segment=segment,
            bucket=self.bucket_index,
            bucket_start=self.bucket_starts[self.bucket_index],
            bucket_end=self.bucket_ends[self.bucket_index],
            step_count=self.step_count,
            entered=counts.entered,
            converted=counts.converted,
            dropped=counts.dropped,
            rate=counts.rate,
            on_dropped=self.on_dropped,
            window_open=self.window_open[self.bucket_index],
            entry_open=self.entry_open(self.bucket_index),
        )

    def counts(self, segment: str | None, bucket: int) -> BucketCounts | None:
        """Return the counts of ``bucket`` in ``segment``, None when the chart has no such point."""
        return self._counts.get((segment, bucket))


def open_note(part: EntryBucketPart, unit: str) -> str | None:
    """Return the readout's note on why the counts of ``part`` can still change, or None when they cannot.

    ``unit`` is what the chart counts, such as ``users``. A bucket that has
    not ended can still gain entrants, so the note names that rather than the
    windows of the actors who entered, which are then open too.
    """
    # NOTE: a bucket with no entrant that ended after the last event still gets the window note, because
    # windows are judged against the last event and not the clock.
    if part.entry_open == NOT_BEGUN:
        return f"partial: bucket not begun yet, {unit} may still enter"
    if part.entry_open == NOT_OVER:
        more = "more " if part.entered else ""
        return f"partial: bucket not over yet, {more}{unit} may still enter"
    if part.window_open:
        return "partial: window not over for every entrant"
    return None


def analytics_point(part: EntryBucketPart, definition: Any) -> Point:
    """Return the microscope's Point of ``part``: the last step's selected part, kept to the entry bucket."""
    # Imported here: the analytics modules pull in DuckDB and pandas, which the app loads with its first chart.
    from tui.analytics.point import Point

    return Point(
        definition,
        segment=part.segment,
        bucket=part.bucket,
        step=part.step_count,
        dropped=part.on_dropped,
        over_time=True,
    )


def chart_count(points: FunnelOverTimePoints, point: Point) -> float | None:
    """Return the count the chart shows for an over-time ``point``, None when it shows no such point."""
    counts = points.counts(point.segment, point.bucket)
    if not point.over_time or point.step != points.step_count or counts is None:
        return None
    return float(counts.dropped if point.dropped else counts.converted)


def switch_over_time(screen, prepare: Callable[[FunnelOverTimePoints], None] | None = None) -> None:
    """Switch the home screen's funnel between its bars and its conversion over time.

    The lines are queried in the background each time they are shown. A
    result that arrives after the chart changed is dropped. Lines shown again
    keep the look of those last shown from the same bars: each line's marker
    and the cursor's point. ``prepare`` then gets the loaded lines before they
    are drawn, such as to keep the markers of the chart they were made from.
    """
    app = screen.app
    points = app.points
    if isinstance(points, FunnelOverTimePoints):
        points.bars.over_time = points
        app.points = points.bars
        screen.redraw()
        return
    if not isinstance(points, FunnelPoints) or app.definition is None:
        return
    definition, settings = app.definition, app.settings

    def load(cursor) -> pd.DataFrame:
        from tui.analytics.funnel import funnel_over_time
        from tui.analytics.funnel_over_time import with_window_state

        return with_window_state(cursor, definition, funnel_over_time(cursor, definition, settings))

    def loaded(frame: pd.DataFrame) -> None:
        if app.points is not points or app.definition is not definition:
            return
        lines = FunnelOverTimePoints(frame, len(definition.steps), bars=points)
        if points.over_time is not None:
            lines.keep_look(points.over_time)
        if prepare is not None:
            prepare(lines)
        app.points = lines
        screen.redraw()

    run_in_background(screen, load, loaded, "Loading the conversion over time failed")
