"""The window state of a funnel's entry buckets over time: whether a conversion window was still open.

An actor who entered the funnel in the bucket ``[start, end)`` may convert
until their step-1 event plus the window (the edge included), so the last
entrant's window closes just before ``end + window``. Until the data reaches
that moment, later conversions can still raise the bucket's rate.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone

import duckdb
import pandas as pd

from tui.analytics.definition import ChartDefinition

WINDOW_OPEN_COLUMN = "window_open"


def data_end(cursor: duckdb.DuckDBPyConnection, now: datetime | None = None) -> datetime:
    """Return the time up to which the project has data: its last event, or ``now`` when that is earlier.

    A project whose events stop in the past has no conversions after its last
    event yet. Events stamped in the future do not make future windows complete.
    """
    now = now or datetime.now(timezone.utc)
    last_event = cursor.execute("SELECT max(event_time) FROM events").fetchone()[0]
    return now if last_event is None else min(last_event, now)


def windows_open(definition: ChartDefinition, bucket_ends: Sequence[pd.Timestamp], end: datetime) -> list[bool]:
    """Return, per entry bucket end, whether an actor who entered in that bucket had a window still open at ``end``."""
    window = pd.Timedelta(seconds=definition.window_seconds)
    return [bool(bucket_end + window > end) for bucket_end in bucket_ends]


def with_window_state(
    cursor: duckdb.DuckDBPyConnection, definition: ChartDefinition, frame: pd.DataFrame, now: datetime | None = None
) -> pd.DataFrame:
    """Return ``frame`` (from ``funnel_over_time``) with a ``window_open`` column: whether its bucket can still change."""
    end = data_end(cursor, now)
    return frame.assign(**{WINDOW_OPEN_COLUMN: windows_open(definition, list(frame["bucket_end"]), end)})
