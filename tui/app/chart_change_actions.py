"""The app's actions that change its chart from a data point: zoom in, filter to a series, exclude a series.

The new definitions come from ``chart_changes``, imported inside each
method because it pulls in the analytics and pandas, which the app keeps off
its startup path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.analytics.point import Point


class ChartChanges:
    """The chart changes of ``LoupeApp``, which mixes this class in.

    Each change runs the new chart through the app's chart worker, and
    Backspace returns to the chart before it. The
    ``*_reason`` methods return why a change does not apply, or None when it
    does, for a menu that shows the action disabled with its reason.
    """

    def zoom_in(self, point: Point) -> None:
        """Redraw the chart on ``point``'s bucket at the next finer interval."""
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
        A change that keeps the buckets (``same_buckets``) keeps the cursor's bucket and each line's marker.
        """
        from tui.app.chart_changes import ChartChangeError

        try:
            definition = change(*arguments)
        except ChartChangeError as error:
            self.notify(str(error), title="Chart unchanged", severity="warning", markup=False)
            return
        follows = self.points if same_buckets else None
        self.show_chart(definition, change=description, over_time=point.over_time, follows=follows)

    @staticmethod
    def _reason(change: Callable, *arguments) -> str | None:
        from tui.app.chart_changes import ChartChangeError

        try:
            change(*arguments)
        except ChartChangeError as error:
            return str(error)
        return None
