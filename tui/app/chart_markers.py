"""Annotations and releases as chart markers: which buckets they fall on, their symbol and legend entry.

A marker is drawn on the bucket of its day, and a release over several days
on the buckets of its first and last day. Symbols differ by kind, so markers
read without colour: ``▼`` for an annotation, ``▲`` for a release.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date, datetime, time

from tui.analytics.definition import ChartDefinition
from tui.text import printable

ANNOTATION = "annotation"
RELEASE = "release"
SYMBOLS = {ANNOTATION: "▼", RELEASE: "▲"}


@dataclass(frozen=True)
class Marker:
    """An annotation or a release on days ``first_day`` to ``last_day`` (both included) of the project."""

    kind: str
    first_day: date
    last_day: date
    label: str

    @property
    def symbol(self) -> str:
        return SYMBOLS[self.kind]

    def legend_label(self) -> str:
        """Return the legend text beside the marker's symbol: day (or days) and label, e.g. ``03-05 2.0.0 Cart``."""
        days = f"{self.first_day:%m-%d}"
        if self.last_day != self.first_day:
            days += f"…{self.last_day:%m-%d}"
        return f"{days} {printable(self.label)}"


def load_markers(cursor, definition: ChartDefinition, chart_name: str | None) -> tuple[Marker, ...]:
    """Return the markers on the days of ``definition``'s range; annotations only on charts that draw them.

    Runs on a worker's cursor. The store module is imported here because it
    imports pandas, which the app keeps off its startup path.
    """
    from tui.store.annotations import ANNOTATED_CHART_TYPES, markers_in_range

    frame = markers_in_range(cursor, definition.range.start, definition.range.end, chart_name)
    markers = (
        Marker(row.kind, row.day, row.last_day, row.label)
        for row in frame.itertuples(index=False)
    )
    # A funnel draws markers only on its conversion over time, which takes annotations as a time chart does.
    annotated = definition.type in ANNOTATED_CHART_TYPES or definition.type == "funnel"
    return tuple(marker for marker in markers if marker.kind == RELEASE or annotated)


def marker_positions(
    markers: tuple[Marker, ...], bucket_starts: list[datetime], bucket_ends: list[datetime]
) -> dict[int, str]:
    """Return the symbol to draw at each bucket index that contains a marker's first or last day.

    ``bucket_starts`` and ``bucket_ends`` bound the chart's buckets (pandas
    timestamps or datetimes, in order and time zone aware). A day is placed by its
    midnight in the zone of the buckets, so on an hourly chart it marks the
    day's first hour. Where an annotation and a release share a bucket, the
    release's symbol is drawn, and the legend lists both.
    """
    if not bucket_starts:
        return {}
    zone = bucket_starts[0].tzinfo
    positions: dict[int, str] = {}
    for marker in sorted(markers, key=lambda marker: marker.kind == RELEASE):
        for day in {marker.first_day, marker.last_day}:
            midnight = datetime.combine(day, time(), tzinfo=zone)
            index = bisect.bisect_right(bucket_starts, midnight) - 1
            # A release may start before the chart's range or end after it.
            if index >= 0 and midnight < bucket_ends[index]:
                positions[index] = marker.symbol
    return positions
