"""The ``segments`` key: hide chart lines after the query, never change a value.

A label names a segment (a value of the ``segment`` column). On a sessions
chart with the measure ``length``, whose length buckets are series rather than
segments, a label may also name a length bucket by its series name, such as
``"Length [10s, 1m)"``.

A line matches the labels when its value is among the labels of each kind
given (segments, length buckets). A kind with no label matches every line.
So ``{"keep": ["Length [0s, 10s)", "iOS"]}`` keeps exactly that one line and
``{"drop": [...]}`` with the same labels hides exactly it. With several labels
of both kinds the match is every pairing of them.
"""

from __future__ import annotations

import pandas as pd

from tui.analytics.definition import ChartDefinition


def keep_segments(frame: pd.DataFrame, definition: ChartDefinition) -> pd.DataFrame:
    """Return the rows of ``frame`` on the lines the chart's ``segments`` key shows; ``frame`` itself without the key."""
    choice = definition.segments
    if choice is None:
        return frame
    matched = _matching_rows(frame, definition, set(choice.labels))
    kept = matched if choice.mode == "keep" else ~matched
    return frame.loc[kept].reset_index(drop=True)


def names_series(definition: ChartDefinition) -> bool:
    """Return whether the chart's ``segments`` labels may name series (a sessions chart's length buckets)."""
    return definition.type == "sessions" and definition.measure == "length"


def _matching_rows(frame: pd.DataFrame, definition: ChartDefinition, labels: set[str]) -> pd.Series:
    series_labels = set()
    if names_series(definition) and "series_name" in frame.columns:
        series_labels = labels & set(frame["series_name"].dropna().unique().tolist())
    segment_labels = labels - series_labels
    matched = pd.Series(True, index=frame.index)
    if segment_labels or not series_labels:
        matched &= frame["segment"].isin(segment_labels)
    if series_labels:
        matched &= frame["series_name"].isin(series_labels)
    return matched
