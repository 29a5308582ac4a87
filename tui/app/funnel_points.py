"""The steps of a loaded funnel chart and the cursor on one part of one step.

A funnel step has two parts: the actors who converted (reached the step) and
those who dropped off (reached the previous step but not this one). Step 1
has only the converted part. A funnel with a group-by has one funnel per
segment, drawn as side-by-side bars per step. Moving the cursor changes a
few fields here, so like ``ChartPoints`` it never runs a query.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from tui.app.funnel_over_time import FunnelOverTimePoints


@dataclass(frozen=True)
class FunnelStep:
    """One row of the funnel query: counts, conversion fractions (NaN without a base) and time to convert."""

    step: int
    event: str
    converted: int
    dropped: int
    conversion: float
    overall: float
    median_seconds: float

    @property
    def previous(self) -> int:
        """The actors who reached the previous step: this step's converted plus dropped."""
        return self.converted + self.dropped


@dataclass(frozen=True)
class FunnelPart:
    """The part under the cursor: a step, whether it is the dropped-off part, and its segment (None without group-by)."""

    step: FunnelStep
    dropped: bool
    step_count: int
    segment: str | None = None

    @property
    def value(self) -> int:
        """The actors in this part, the count the chart shows and the microscope lists."""
        return self.step.dropped if self.dropped else self.step.converted


class FunnelPoints:
    """The steps of a funnel result, and a cursor on one step's converted or dropped-off part.

    With a group-by the frame has a ``segment`` column, and the cursor is
    also on one segment. Segments keep the frame's order (rank order).
    """

    def __init__(self, frame: pd.DataFrame):
        self.grouped = "segment" in frame.columns
        segments = list(dict.fromkeys(frame["segment"])) if self.grouped else [None]
        self.segments: list[str | None] = segments
        self.segment_steps = [_steps(frame[frame["segment"] == name] if self.grouped else frame) for name in segments]
        self.step_index = 0
        self.segment_index = 0
        # The part chosen with up and down; step 1 shows its converted part whatever this is.
        self.dropped = False
        # The conversion over time shown last from these bars (set when T switches back), whose look the next one keeps.
        self.over_time: FunnelOverTimePoints | None = None

    @property
    def steps(self) -> list[FunnelStep]:
        """The steps of the segment under the cursor (the only ones without a group-by)."""
        return self.segment_steps[self.segment_index] if self.segment_steps else []

    @property
    def empty(self) -> bool:
        return not self.steps

    def steps_of(self, segment: str | None) -> list[FunnelStep]:
        """Return the steps of ``segment``, empty when the chart has no such segment."""
        if segment not in self.segments:
            return []
        return self.segment_steps[self.segments.index(segment)]

    @property
    def on_dropped(self) -> bool:
        """Whether the cursor is on a dropped-off part, which step 1 does not have."""
        return self.dropped and self.step_index > 0

    def move_bucket(self, delta: int) -> None:
        """Move across steps, keeping the chosen part."""
        self.step_index = min(max(self.step_index + delta, 0), max(len(self.steps) - 1, 0))

    def move_line(self, delta: int) -> None:
        """Move down (positive ``delta``) or up through the parts of the step's bars, ``line_positions`` order."""
        if self.empty:
            return
        positions = self.line_positions()
        current = positions.index((self.segment_index, self.on_dropped))
        self.segment_index, dropped = positions[min(max(current + delta, 0), len(positions) - 1)]
        if self.step_index > 0:
            self.dropped = dropped

    def line_positions(self) -> list[tuple[int, bool]]:
        """Return the (segment index, on dropped part) pairs up and down move through, top first.

        Segment by segment in the legend's order, and within a segment's bar
        the dropped-off part (drawn on top) before the converted part. Step 1
        has only converted parts.
        """
        parts = (True, False) if self.step_index > 0 else (False,)
        return [(index, dropped) for index in range(len(self.segments)) for dropped in parts]

    def first_bucket(self) -> None:
        self.step_index = 0

    def last_bucket(self) -> None:
        self.step_index = max(len(self.steps) - 1, 0)

    def move_to(self, step_index: int, dropped: bool, segment_index: int | None = None) -> bool:
        """Put the cursor on a part of step ``step_index`` (of segment ``segment_index`` if given), and return whether it moved.

        Step 1 has no dropped-off part, so there the chosen part stays as it was.
        """
        if self.empty:
            return False
        before = (self.segment_index, self.step_index, self.on_dropped)
        if segment_index is not None:
            self.segment_index = min(max(segment_index, 0), len(self.segments) - 1)
        self.step_index = min(max(step_index, 0), len(self.steps) - 1)
        if self.step_index > 0:
            self.dropped = dropped
        return (self.segment_index, self.step_index, self.on_dropped) != before

    def point(self) -> FunnelPart | None:
        """Return the part under the cursor, or None when the funnel has no steps."""
        if self.empty:
            return None
        segment = self.segments[self.segment_index]
        return FunnelPart(self.steps[self.step_index], self.on_dropped, len(self.steps), segment)


def _steps(frame: pd.DataFrame) -> list[FunnelStep]:
    return [_step(row) for row in frame.sort_values("step").itertuples(index=False)]


def _step(row) -> FunnelStep:
    return FunnelStep(
        step=int(row.step),
        event=str(row.event),
        converted=int(row.converted),
        dropped=int(row.dropped),
        conversion=_float(row.conversion),
        overall=_float(row.overall),
        median_seconds=_float(row.median_seconds),
    )


def _float(value) -> float:
    """Return ``value`` as a float, NaN for None."""
    if value is None:
        return math.nan
    return float(value)
