"""The cells of a loaded retention chart and the cursor on one part of one cell.

A cell is a start cohort (a row of the table) and a period N (a column). It
has two parts: the cohort's actors retained in period N and those not
retained. A chart with a group-by has one table per segment, and the cursor
sits in one of them. Moving the cursor changes a few fields here, so like
``ChartPoints`` it never runs a query.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

from tui.analytics.retention import last_counted_period
from tui.app.chart_points import clamp, visible_range

if TYPE_CHECKING:
    import pandas as pd

    from tui.analytics.definition import ChartDefinition


@dataclass(frozen=True)
class RetentionCell:
    """One row of the retention query: a start cohort's counts in period ``period``, in one segment."""

    # None without a group-by
    segment: str | None
    bucket: int
    bucket_start: pd.Timestamp
    bucket_end: pd.Timestamp
    period: int
    cohort_size: int
    retained: int
    not_retained: int
    # retained / cohort_size, NaN for an empty cohort
    rate: float
    complete: bool
    # False when the period had not begun for any actor of the cohort by the project's last event
    started: bool


@dataclass(frozen=True)
class PeriodAverage:
    """The average retention of one period over its complete cells, weighted by cohort size (``retention_summary``)."""

    segment: str | None
    period: int
    cohorts: int
    cohort_size: int
    retained: int
    # NaN when no cell of the period is complete
    rate: float


@dataclass(frozen=True)
class RetentionPart:
    """The part under the cursor: a cell, whether it is the not-retained part, and where the cell sits."""

    cell: RetentionCell
    not_retained: bool
    cohort_count: int
    average: PeriodAverage | None

    @property
    def value(self) -> int:
        """The actors in this part, the count the microscope lists."""
        return self.cell.not_retained if self.not_retained else self.cell.retained

    @property
    def begun(self) -> bool:
        """Whether the cell's period had begun by the project's last event. When it had not, both parts are empty."""
        return self.cell.started


def cohort_label(start: pd.Timestamp, with_time: bool) -> str:
    """Return a cohort's name: the local date its bucket starts, and with ``with_time`` the time (hourly cohorts)."""
    return f"{start:%Y-%m-%d %H:%M}" if with_time else f"{start:%Y-%m-%d}"


def not_begun_text(cell: RetentionCell, period_name: str) -> str:
    """Return e.g. ``Day 3 has not begun for this cohort``, for a cell whose ``started`` is false."""
    return f"{period_name.capitalize()} {cell.period} has not begun for this cohort"


def counted_periods_text(definition: ChartDefinition, period: int) -> str:
    """Return the periods whose returns count toward a cell of period ``period``, such as ``day 3`` or ``days 3–7``.

    Until the last of them has ended for every actor of the cohort, the cell is incomplete.
    """
    last = last_counted_period(definition.mode, period, definition.periods)
    if last == period:
        return f"{definition.period} {period}"
    return f"{definition.period}s {period}–{last}"


def not_begun_message(points: object, period_name: str, consequence: str) -> str | None:
    """Return why a key cannot act on the retention cell under the cursor, or None when it can.

    A cell whose period had not begun has no users in either part, so
    listing, switching or marking a part of it would act on nothing.
    ``consequence`` ends the message, e.g. ``there are no users to list``.
    """
    part = points.point() if isinstance(points, RetentionPoints) else None
    if part is None or part.begun:
        return None
    return f"{not_begun_text(part.cell, period_name)}, so {consequence}."


class RetentionPoints:
    """The cohorts of a retention result by period, their averages, and a cursor on one part of one cell.

    The cursor starts on period 1 (period 0 when the chart has no other) of
    the first cohort of the first segment, because next-period retention is
    the usual first look. Moving down past a segment's last cohort goes on to
    the next segment's first one, and up past the first back to the previous
    segment's last.
    """

    def __init__(self, frame: pd.DataFrame, unit: str = "users"):
        # Imported here: the module loads before pandas, which the app keeps off its startup path.
        from tui.analytics.retention import retention_summary

        # Each segment's cohorts (rows of cells by period) and period averages, in the frame's segment order.
        self.segments: list[str | None] = list(dict.fromkeys(frame["segment"].tolist()))
        self.tables: dict[str | None, list[list[RetentionCell]]] = {segment: [] for segment in self.segments}
        for cell in _records(frame.sort_values(["bucket", "period"]), RetentionCell):
            rows = self.tables[cell.segment]
            if not rows or rows[-1][0].bucket != cell.bucket:
                rows.append([])
            rows[-1].append(cell)
        self.segment_averages: dict[str | None, list[PeriodAverage]] = {segment: [] for segment in self.segments}
        if len(frame):
            for average in _records(retention_summary(frame), PeriodAverage):
                self.segment_averages[average.segment].append(average)
        # What the chart counts, as a plural noun: ``users``, or ``groups`` with a ``count_by``.
        self.unit = unit
        # Cohorts that start at other times than midnight (hourly ones) are named by date and time.
        starts = [row[0].bucket_start for rows in self.tables.values() for row in rows]
        self.timed_cohorts = any(start.hour or start.minute for start in starts)
        self.segment_index = 0
        self.cohort_index = 0
        self.period_index = min(1, max(self.period_count - 1, 0))
        self.not_retained = False
        # The first cohort and the first period drawn when the table does not fit.
        self.first_row = 0
        self.first_column = 0

    @property
    def segment(self) -> str | None:
        """The segment of the cursor's table, None without a group-by."""
        return self.segments[self.segment_index] if self.segments else None

    @property
    def grouped(self) -> bool:
        return self.segment is not None

    @property
    def rows(self) -> list[list[RetentionCell]]:
        """The cursor's segment's cohorts, each a list of cells by period."""
        return self.tables.get(self.segment, [])

    @property
    def averages(self) -> list[PeriodAverage]:
        return self.segment_averages.get(self.segment, [])

    @property
    def empty(self) -> bool:
        return not self.rows

    @property
    def period_count(self) -> int:
        return len(self.rows[0]) if self.rows else 0

    def move_bucket(self, delta: int) -> None:
        """Move across periods, keeping the chosen part."""
        self.period_index = clamp(self.period_index + delta, self.period_count)

    def move_line(self, delta: int) -> None:
        """Move across start cohorts, keeping the chosen part, and on into the next or previous segment at an end."""
        target = self.cohort_index + delta
        if target >= len(self.rows) and self.segment_index + 1 < len(self.segments):
            self.move_segment(1)
        elif target < 0 and self.segment_index > 0:
            self.move_segment(-1)
            self.cohort_index = len(self.rows) - 1
        else:
            self.cohort_index = clamp(target, len(self.rows))

    def move_segment(self, delta: int) -> None:
        """Move to the first cohort of another segment's table, keeping the period and the part."""
        index = clamp(self.segment_index + delta, len(self.segments))
        if index != self.segment_index:
            self.segment_index = index
            self.cohort_index = 0
            self.first_row = 0

    def first_cohort(self) -> None:
        self.cohort_index = 0

    def last_cohort(self) -> None:
        self.cohort_index = max(len(self.rows) - 1, 0)

    def first_bucket(self) -> None:
        self.period_index = 0

    def last_bucket(self) -> None:
        self.period_index = max(self.period_count - 1, 0)

    def move_to(self, cohort_index: int, period_index: int) -> bool:
        """Put the cursor on the cell of cohort ``cohort_index`` in period ``period_index``, and return whether it moved."""
        before = (self.cohort_index, self.period_index)
        self.cohort_index = clamp(cohort_index, len(self.rows))
        self.period_index = clamp(period_index, self.period_count)
        return (self.cohort_index, self.period_index) != before

    def toggle_part(self) -> None:
        """Switch the cursor between the retained and the not-retained part of its cell."""
        self.not_retained = not self.not_retained

    def point(self) -> RetentionPart | None:
        """Return the part under the cursor, or None when the chart has no cohorts."""
        if self.empty:
            return None
        cell = self.rows[self.cohort_index][self.period_index]
        return RetentionPart(cell, self.not_retained, len(self.rows), self.average(cell.period))

    def cell(self, bucket: int, period: int, segment: str | None = None) -> RetentionCell | None:
        """Return the cell of cohort ``bucket`` in ``period`` of ``segment``, or None when the chart has none."""
        rows = self.tables.get(segment, [])
        if not 0 <= bucket < len(rows) or not 0 <= period < self.period_count:
            return None
        return rows[bucket][period]

    def average(self, period: int) -> PeriodAverage | None:
        return self.averages[period] if 0 <= period < len(self.averages) else None

    def visible_rows(self, capacity: int) -> range:
        """Return the cohort indexes to draw on ``capacity`` rows, keeping the cursor's cohort inside."""
        shown = visible_range(self.cohort_index, self.first_row, len(self.rows), capacity)
        self.first_row = shown.start
        return shown

    def visible_columns(self, capacity: int) -> range:
        """Return the periods to draw in ``capacity`` columns, keeping the cursor's period inside."""
        shown = visible_range(self.period_index, self.first_column, self.period_count, capacity)
        self.first_column = shown.start
        return shown


def _records(frame: pd.DataFrame, record_type: type) -> list:
    """Return one ``record_type`` per row of ``frame``, from the columns named like its fields.

    ``to_dict`` converts NumPy scalars to Python ints, floats and bools.
    """
    names = [field.name for field in fields(record_type)]
    return [record_type(**values) for values in frame[names].to_dict("records")]
