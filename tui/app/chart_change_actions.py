"""The app's actions that change its chart from a data point (zoom in, filter to a series, exclude a series).

The new definitions come from ``chart_changes``, imported inside each
method because it pulls in the analytics and pandas, which the app keeps off
its startup path. A changed chart, and one run again with r, keeps the look
of the chart it came from: each line's marker and, where the buckets stay
the same, the cursor's point.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from tui.app.chart_points import ChartPoints, clamp
from tui.app.funnel_over_time import FunnelOverTimePoints, switch_over_time
from tui.app.funnel_points import FunnelPoints
from tui.app.retention_points import RetentionPoints

if TYPE_CHECKING:
    from tui.analytics.point import Point

Points = ChartPoints | FunnelPoints | RetentionPoints


def follow_points(points: Points | None, previous: Points | None, keeps_cursor: bool) -> None:
    """Give ``points`` the look of ``previous``, the chart they were made from.

    Lines keep their markers. With ``keeps_cursor`` (the same buckets) the
    cursor also stays on its point, or the nearest one left. Points of
    another cursor model than ``previous`` are left as they are.
    """
    if points is None or previous is None or type(points) is not type(previous):
        return
    if isinstance(points, ChartPoints):
        points.keep_styles(previous)
        if keeps_cursor:
            points.keep_cursor(previous)
    if not keeps_cursor:
        return
    if isinstance(points, FunnelOverTimePoints):
        points.on_dropped = previous.on_dropped
        # The funnel's bars, shown again with T, keep their cursor too.
        follow_points(points.bars, previous.bars, keeps_cursor)
    elif isinstance(points, FunnelPoints):
        points.move_to(previous.step_index, previous.dropped, previous.segment_index)
        # T on these bars then shows lines with the look of those last shown from the previous bars.
        points.over_time = previous.over_time
    elif isinstance(points, RetentionPoints):
        _keep_retention_cursor(points, previous)


def _keep_retention_cursor(points: RetentionPoints, previous: RetentionPoints) -> None:
    """Put the cursor of ``points`` on the segment, cell and part it was on in ``previous``, as far as they exist."""
    points.segment_index = clamp(previous.segment_index, len(points.segments))
    points.move_to(previous.cohort_index, previous.period_index)
    points.not_retained = previous.not_retained
    points.first_row, points.first_column = previous.first_row, previous.first_column


def ran_again_message(zone: str, now: datetime | None = None) -> str:
    """Return the notification that the chart ran again, with the time (to the second) in ``zone``."""
    moment = (now or datetime.now(ZoneInfo(zone))).astimezone(ZoneInfo(zone))
    return f"Ran the chart again at {moment:%Y-%m-%d %H:%M:%S} {zone}."


class ChartChanges:
    """The chart changes of ``LoupeApp``, which mixes this class in.

    Each change runs the new chart through the app's chart worker, and
    Backspace returns to the chart before it. The
    ``*_reason`` methods return why a change does not apply, or None when it
    does, for a menu that shows the action disabled with its reason.
    """

    def zoom_in(self, point: Point) -> None:
        """Redraw the chart on ``point``'s bucket at the next finer interval, each line keeping its marker."""
        from tui.app.chart_changes import zoomed

        self._change_chart("zoomed in", point, zoomed, point, self.settings)

    def filter_to_series(self, point: Point) -> None:
        """Redraw the chart with only ``point``'s series, or only its segment when the chart is grouped."""
        from tui.app.chart_changes import filtered_to_line

        segments = self.series_segments(point.series)
        self._change_chart("filtered to one line", point, filtered_to_line, point, segments, same_buckets=True)

    def exclude_series(self, point: Point) -> None:
        """Redraw the chart without ``point``'s series, or without its segment when the chart is grouped."""
        from tui.app.chart_changes import excluded_line

        segments = self.series_segments(point.series)
        self._change_chart("with a line excluded", point, excluded_line, point, segments, same_buckets=True)

    def zoom_reason(self, point: Point) -> str | None:
        from tui.app.chart_changes import zoomed

        return self._reason(zoomed, point, self.settings)

    def filter_reason(self, point: Point) -> str | None:
        from tui.app.chart_changes import filtered_to_line

        return self._reason(filtered_to_line, point, self.series_segments(point.series))

    def exclude_reason(self, point: Point) -> str | None:
        from tui.app.chart_changes import excluded_line

        return self._reason(excluded_line, point, self.series_segments(point.series))

    def series_segments(self, series: int) -> list[str | None]:
        """Return the segments of ``series`` on the chart drawn now, in the chart's order.

        A funnel or retention chart has no lines; its points may list their ``segments``.
        """
        lines = getattr(self.points, "lines", None)
        if lines is None:
            return list(getattr(self.points, "segments", None) or [])
        return [line.segment for line in lines if line.series == series]

    def _change_chart(
        self, description: str, point: Point, change: Callable, *arguments, same_buckets: bool = False
    ) -> None:
        """Show the chart ``change`` makes from ``point``; the unsaved chart's title names it by ``description``.

        A change made on a funnel's conversion over time shows the new funnel's conversion over time too.
        Each line keeps its marker, and a change that keeps the buckets (``same_buckets``) keeps the cursor's bucket.
        """
        from tui.app.chart_changes import ChartChangeError

        try:
            definition = change(*arguments)
        except ChartChangeError as error:
            self.notify(str(error), title="Chart unchanged", severity="warning", markup=False)
            return
        self.show_chart(
            definition, change=description, over_time=point.over_time, follows=self.points, keeps_cursor=same_buckets
        )

    def keep_look(self, follows: Points | None, keeps_cursor: bool, over_time: bool) -> None:
        """Give the chart just loaded the look of ``follows``, the chart it was made from (see ``follow_points``).

        With ``over_time`` a funnel switches to its conversion over time, and
        its lines take that look once they are loaded.
        """
        if over_time and isinstance(self.points, FunnelPoints):
            switch_over_time(self.home, lambda lines: follow_points(lines, follows, keeps_cursor))
            return
        follow_points(self.points, follows, keeps_cursor)

    @staticmethod
    def _reason(change: Callable, *arguments) -> str | None:
        from tui.app.chart_changes import ChartChangeError

        try:
            change(*arguments)
        except ChartChangeError as error:
            return str(error)
        return None
