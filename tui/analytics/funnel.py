"""Funnel charts: one row per step, split into converted and dropped-off actors.

The counting rules (earliest, most complete conversion; window from the
step-1 event; ties and exclusions) live in ``funnel_sql``. ``funnel`` counts
its ``conversions`` relation and ``funnel_step_actors_sql`` filters it, so a
step's ``converted`` and ``dropped`` equal the sizes of its actor lists.
"""

from __future__ import annotations

import logging
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from tui.analytics.definition import ANY_EVENT, ChartDefinition
from tui.analytics.filters import Fragment, check_cohort
from tui.analytics.funnel_sql import FunnelQuery
from tui.analytics.segmentation import ANY_EVENT_NAME, chart_buckets

log = logging.getLogger(__name__)

COLUMNS = ["step", "event", "converted", "dropped", "conversion", "overall", "median_seconds", "average_seconds"]


def funnel(cursor: duckdb.DuckDBPyConnection, definition: ChartDefinition, settings: Any) -> pd.DataFrame:
    """Compute a funnel chart and return one row per step.

    Columns: ``step`` (1-based), ``event``, ``converted`` (actors who reached
    the step), ``dropped`` (reached the previous step but not this one, 0 for
    step 1), ``conversion`` (fraction of the previous step's actors; 1.0 for step 1),
    ``overall`` (fraction of step 1's actors), and ``median_seconds`` and
    ``average_seconds`` from the previous step to this one (NaN for step 1 and
    for steps no actor reached). Fractions are NaN when their base is 0.
    """
    query = FunnelQuery(definition, chart_buckets(definition, settings))
    if definition.cohort:
        check_cohort(cursor, definition.cohort)
    sql, params = query.counts_sql()
    log.debug("funnel of %d steps, window %s", query.step_count, definition.window)
    row = cursor.execute(sql, params).fetchdf().iloc[0]
    return _step_rows(row, definition)


def funnel_step_actors_sql(definition: ChartDefinition, settings: Any, step: int, dropped: bool) -> Fragment:
    """Return the SQL and parameters selecting the ``actor_id`` of each actor in one step's part.

    ``dropped`` selects the actors who reached step ``step - 1`` but not
    ``step`` (none for step 1); otherwise the actors who reached ``step``.
    """
    query = FunnelQuery(definition, chart_buckets(definition, settings))
    return query.step_actors_sql(step, dropped)


def _step_rows(row: pd.Series, definition: ChartDefinition) -> pd.DataFrame:
    """Return the chart's rows from the one-row result of ``counts_sql``."""
    steps = range(1, len(definition.steps) + 1)
    converted = np.array([int(row[f"converted{k}"]) for k in steps], dtype="int64")
    previous = np.concatenate([converted[:1], converted[:-1]])
    dropped = previous - converted
    return pd.DataFrame(
        {
            "step": np.arange(1, len(converted) + 1, dtype="int64"),
            "event": [_step_name(step.event) for step in definition.steps],
            "converted": converted,
            "dropped": dropped,
            "conversion": _fraction(converted, previous),
            "overall": _fraction(converted, np.full_like(converted, converted[0])),
            "median_seconds": _seconds(row, "median", steps),
            "average_seconds": _seconds(row, "average", steps),
        },
        columns=COLUMNS,
    )


def _step_name(event: str) -> str:
    return ANY_EVENT_NAME if event == ANY_EVENT else event


def _fraction(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    """Return ``part / whole`` as floats, NaN where ``whole`` is 0."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(whole > 0, part / np.maximum(whole, 1), np.nan)


def _seconds(row: pd.Series, kind: str, steps: range) -> np.ndarray:
    """Return one step's time to convert per step, NaN for step 1 and where no actor converted."""
    values = [np.nan] + [row[f"{kind}{k}"] for k in steps if k > 1]
    return np.array([np.nan if pd.isna(value) else float(value) for value in values], dtype="float64")
