"""The cells of a loaded retention chart and the cursor on one part of one cell.

A cell is a start cohort (a row of the table) and a period N (a column). It
has two parts: the cohort's actors retained in period N and those not
retained. Moving the cursor changes three fields here, so like
``ChartPoints`` it never runs a query.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

from tui.app.chart_points import clamp, visible_range

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class RetentionCell:
    """One row of the retention query: a start cohort's counts in period ``period``."""

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


@dataclass(frozen=True)
class PeriodAverage:
    """The average retention of one period over its complete cells, weighted by cohort size (``retention_summary``)."""

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


class RetentionPoints:
    """The cohorts of a retention result by period, their averages, and a cursor on one part of one cell.

    The cursor starts on period 1 (period 0 when the chart has no other) of
    the first cohort, because next-period retention is the usual first look.
    """

    def __init__(self, frame: pd.DataFrame):
        # Imported here: the module loads before pandas, which the app keeps off its startup path.
        from tui.analytics.retention import retention_summary

        cells: dict[int, list[RetentionCell]] = {}
        for cell in _records(frame.sort_values(["bucket", "period"]), RetentionCell):
            cells.setdefault(cell.bucket, []).append(cell)
        self.rows = [cells[bucket] for bucket in sorted(cells)]
        self.averages = _records(retention_summary(frame), PeriodAverage) if len(frame) else []
        self.cohort_index = 0
        self.period_index = min(1, max(self.period_count - 1, 0))
        self.not_retained = False
        # The first cohort and the first period drawn when the table does not fit.
        self.first_row = 0
        self.first_column = 0

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
        """Move across start cohorts, keeping the chosen part."""
        self.cohort_index = clamp(self.cohort_index + delta, len(self.rows))

    def first_bucket(self) -> None:
        self.period_index = 0

    def last_bucket(self) -> None:
        self.period_index = max(self.period_count - 1, 0)

    def toggle_part(self) -> None:
        """Switch the cursor between the retained and the not-retained part of its cell."""
        self.not_retained = not self.not_retained

    def point(self) -> RetentionPart | None:
        """Return the part under the cursor, or None when the chart has no cohorts."""
        if self.empty:
            return None
        cell = self.rows[self.cohort_index][self.period_index]
        return RetentionPart(cell, self.not_retained, len(self.rows), self.average(cell.period))

    def cell(self, bucket: int, period: int) -> RetentionCell | None:
        """Return the cell of cohort ``bucket`` in ``period``, or None when the chart has none."""
        if not 0 <= bucket < len(self.rows) or not 0 <= period < self.period_count:
            return None
        return self.rows[bucket][period]

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
