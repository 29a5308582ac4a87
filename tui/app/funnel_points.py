"""The steps of a loaded funnel chart and the cursor on one part of one step.

A funnel step has two parts: the actors who converted (reached the step) and
those who dropped off (reached the previous step but not this one). Step 1
has only the converted part. Moving the cursor changes two fields here, so
like ``ChartPoints`` it never runs a query.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


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
    """The part under the cursor: a step, and whether it is the dropped-off part."""

    step: FunnelStep
    dropped: bool
    step_count: int

    @property
    def value(self) -> int:
        """The actors in this part, the count the chart shows and the microscope lists."""
        return self.step.dropped if self.dropped else self.step.converted


class FunnelPoints:
    """The steps of a funnel result, and a cursor on one step's converted or dropped-off part."""

    def __init__(self, frame: pd.DataFrame):
        self.steps = [_step(row) for row in frame.sort_values("step").itertuples(index=False)]
        self.step_index = 0
        # The part chosen with up and down; step 1 shows its converted part whatever this is.
        self.dropped = False

    @property
    def empty(self) -> bool:
        return not self.steps

    @property
    def on_dropped(self) -> bool:
        """Whether the cursor is on a dropped-off part, which step 1 does not have."""
        return self.dropped and self.step_index > 0

    def move_bucket(self, delta: int) -> None:
        """Move across steps, keeping the chosen part."""
        self.step_index = min(max(self.step_index + delta, 0), max(len(self.steps) - 1, 0))

    def move_line(self, delta: int) -> None:
        """Move up (negative ``delta``) to the dropped-off part, drawn on top, or down to the converted part."""
        if self.step_index > 0:
            self.dropped = delta < 0

    def first_bucket(self) -> None:
        self.step_index = 0

    def last_bucket(self) -> None:
        self.step_index = max(len(self.steps) - 1, 0)

    def point(self) -> FunnelPart | None:
        """Return the part under the cursor, or None when the funnel has no steps."""
        if self.empty:
            return None
        return FunnelPart(self.steps[self.step_index], self.on_dropped, len(self.steps))


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
