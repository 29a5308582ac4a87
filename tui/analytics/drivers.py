"""Conversion drivers of a funnel step: events (and property values) that go with converting or dropping off.

For each candidate (see ``drivers_sql`` for which events count as *in between*)
the actors of the step's population form a 2x2 table: converted or dropped,
did the candidate or not. From it come each group's share, the phi
coefficient, the odds ratio with 1 added to each cell, and a two-sided Fisher
exact p-value, corrected over every candidate tested with Benjamini-Hochberg.
Both p and q come with their log10 too, which stays exact where the float
loses digits or underflows to 0.0 (below about 1e-308).

Support rule: a candidate is tested only when at least ``min_support`` actors
did it and at least ``min_support`` actors of the population did not, where
``min_support`` is min(25, 2% of the population rounded up). Rounding up makes
"fewer than 2%" exact: with 60 actors, 2% is 1.2, so 2 actors are needed. The
second half leaves out events nearly everyone did, because their table has
almost no "did not" row to compare with. Phi is NaN when a group is empty
(every actor converted, or none did).

A funnel counted by a group type compares its groups (accounts) the same
way, and every "actor" above then means such a group.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from tui.analytics.definition import ChartDefinition
from tui.analytics.drivers_sql import DriversQuery
from tui.analytics.filters import Fragment, check_cohort
from tui.analytics.fisher import LOG_SPACE_BELOW, fisher_test
from tui.analytics.point import Point
from tui.analytics.segmentation import chart_buckets

log = logging.getLogger(__name__)

COLUMNS = [
    "event", "property", "value", "converted_users", "dropped_users", "converted_share", "dropped_share",
    "phi", "odds_ratio", "p_value", "q_value", "log10_p_value", "log10_q_value",
]
# A group over this many times the size of the other makes the comparison skewed.
SKEW_RATIO = 10


@dataclass(frozen=True)
class DriverResult:
    """The drivers of one funnel step, with the sizes of the groups they compare.

    ``frame`` has the columns ``COLUMNS``, strongest driver (largest |phi|)
    first. ``window`` is the chart's conversion window as written (``"1d"``).
    With ``counts_groups`` the sizes and the ``converted_users`` and
    ``dropped_users`` columns count groups, not users. ``property_values``
    maps each requested ``(event, property)`` pair to the number of distinct
    values it took on that event in between, before the support rule.
    """

    frame: pd.DataFrame
    population: int
    converted: int
    dropped: int
    min_support: int
    skewed: bool
    window: str
    counts_groups: bool = False
    property_values: dict[tuple[str, str], int] = field(default_factory=dict)

    def unlisted_properties(self) -> list[tuple[str, str]]:
        """Return the requested pairs none of whose values is a row of ``frame``."""
        listed = set(zip(self.frame["event"], self.frame["property"]))
        return [pair for pair in self.property_values if pair not in listed]

    def unlisted_text(self, event: str, property: str) -> str:
        """Return why the pair ``(event, property)`` has no row; the caller escapes the names for its output."""
        if not self.property_values.get((event, property)):
            return f"{property} is not set on any {event} event between the two steps, so it adds no drivers."
        unit, pronoun = ("group", "that") if self.counts_groups else ("user", "who")
        units = unit if self.min_support == 1 else unit + "s"
        return (
            f"No value of {property} on {event} passes the minimum of {self.min_support} {units} "
            f"{pronoun} did it and {self.min_support} {pronoun} did not, so it adds no drivers."
        )


def drivers(cursor: duckdb.DuckDBPyConnection, definition: ChartDefinition, settings: Any, step: int,
            properties: tuple[tuple[str, str], ...] = (), segment: str | None = None,
            bucket: int | None = None) -> DriverResult:
    """Compute the drivers of funnel step ``step`` (2 or later) on ``cursor``.

    ``properties`` names ``(event, property)`` pairs whose values become
    candidates too. ``segment`` restricts the population to one segment of a
    funnel with ``group_by``, which needs one. ``bucket`` restricts it to the
    actors whose kept conversion started in that interval bucket, a point of
    ``funnel_over_time``. Raises DefinitionError for a bad step, pair,
    segment, bucket or chart.
    """
    query = DriversQuery(definition, chart_buckets(definition, settings), step, properties, segment, bucket)
    if definition.cohort:
        check_cohort(cursor, definition.cohort)
    sql, params = query.counts_sql()
    rows = cursor.execute(sql, params).fetchdf()
    totals = rows.iloc[0]
    population, converted, min_support = int(totals["population"]), int(totals["converted"]), int(totals["min_support"])
    dropped = population - converted
    candidates = rows[rows["event"].notna()]
    log.debug("drivers of step %d: %d actors, %d candidates tested", step, population, len(candidates))
    return DriverResult(
        frame=driver_table(candidates, converted, dropped),
        population=population,
        converted=converted,
        dropped=dropped,
        min_support=min_support,
        skewed=is_skewed(converted, dropped),
        window=definition.window,
        counts_groups=query.unit.counts_groups,
        property_values=_value_counts(query.properties, totals["property_values"]),
    )


def point_drivers(cursor: duckdb.DuckDBPyConnection, point: Point, settings: Any,
                  properties: tuple[tuple[str, str], ...] = ()) -> DriverResult:
    """Compute the drivers of a funnel point's step among the actors of its segment and, over time, its entry bucket.

    Both parts of a step have the same drivers, so ``point.dropped`` does
    not matter. The population's converted and dropped counts then equal the
    point's step counts.
    """
    return drivers(cursor, point.definition, settings, point.step, properties, point.segment, _entry_bucket(point))


def driver_events_sql(definition: ChartDefinition, settings: Any, step: int, event: str,
                      property: str | None = None, value: str | None = None, part: str = "all",
                      segment: str | None = None, bucket: int | None = None) -> Fragment:
    """Return the SQL and parameters of the events that make each actor count for one driver.

    ``part`` is ``converted``, ``dropped`` or ``all``; the distinct ``actor_id``
    of the rows are the driver's ``converted_users``, ``dropped_users`` or both.
    The rows have every column of ``events`` except ``dedupe_key``. Counted by
    groups, they have ``group_id`` too, and the distinct ``group_id`` are the
    ones counted. ``segment`` and ``bucket`` are as in ``drivers``.
    """
    query = DriversQuery(definition, chart_buckets(definition, settings), step, segment=segment, bucket=bucket)
    return query.events_sql(event, property, value, part)


def point_driver_events_sql(point: Point, settings: Any, event: str, property: str | None = None,
                            value: str | None = None, part: str = "all") -> Fragment:
    """Return ``driver_events_sql`` for the drivers that ``point_drivers`` computes on ``point``."""
    return driver_events_sql(
        point.definition, settings, point.step, event, property, value, part, point.segment, _entry_bucket(point)
    )


def driver_table(counts: pd.DataFrame, converted: int, dropped: int) -> pd.DataFrame:
    """Return the frame of drivers from each candidate's ``converted_users`` and ``dropped_users``."""
    did_converted = counts["converted_users"].to_numpy(dtype=np.int64)
    did_dropped = counts["dropped_users"].to_numpy(dtype=np.int64)
    # The 2x2 table: rows converted and dropped, columns did and did not.
    a, b = did_converted, converted - did_converted
    c, d = did_dropped, dropped - did_dropped
    fisher = fisher_test(a, b, c, d)
    q_values, log10_q_values = benjamini_hochberg(fisher.p_value, fisher.log10_p_value)
    frame = pd.DataFrame({
        "event": _texts(counts["event"]),
        "property": _texts(counts["property"]),
        "value": _texts(counts["value"]),
        "converted_users": did_converted,
        "dropped_users": did_dropped,
        "converted_share": _share(did_converted, converted),
        "dropped_share": _share(did_dropped, dropped),
        "phi": phi_coefficient(a, b, c, d),
        "odds_ratio": (a + 1) * (d + 1) / ((b + 1) * (c + 1)),
        "p_value": fisher.p_value,
        "q_value": q_values,
        "log10_p_value": fisher.log10_p_value,
        "log10_q_value": log10_q_values,
    }, columns=COLUMNS)
    return _strongest_first(frame)


def benjamini_hochberg(p_values: np.ndarray, log10_p_values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the Benjamini-Hochberg q-values of the p-values ``p_values``, as floats and as log10.

    The i-th smallest of m p-values becomes the minimum of ``p * m / rank``
    over it and every larger one, capped at 1, as in SciPy's
    ``false_discovery_control``. The ranks come from log10 p, which still
    orders p-values that underflow to 0.0 as floats.
    """
    count = len(p_values)
    order = np.argsort(log10_p_values, kind="stable")
    factors = count / np.arange(1, count + 1)
    q_values = np.empty(count)
    log10_q_values = np.empty(count)
    q_values[order] = np.minimum(_smallest_from_rank(p_values[order] * factors), 1.0)
    log10_q_values[order] = np.minimum(_smallest_from_rank(log10_p_values[order] + np.log10(factors)), 0.0)

    # Such a small float q comes from p-values that fisher_test summed in log space, and may have underflowed.
    tiny = q_values < LOG_SPACE_BELOW
    q_values[tiny] = 10.0 ** log10_q_values[tiny]
    return q_values, log10_q_values


def _smallest_from_rank(values: np.ndarray) -> np.ndarray:
    """Return, at each position, the minimum of ``values`` from that position to the end."""
    return np.minimum.accumulate(values[::-1])[::-1]


def phi_coefficient(a, b, c, d) -> np.ndarray:
    """Return the phi coefficient of each 2x2 table ``[[a, b], [c, d]]``, NaN where a margin is 0."""
    a, b, c, d = (np.asarray(cells, dtype=np.float64) for cells in (a, b, c, d))
    margins = (a + b) * (c + d) * (a + c) * (b + d)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(margins > 0, (a * d - b * c) / np.sqrt(margins), np.nan)


def is_skewed(converted: int, dropped: int) -> bool:
    """Return whether one group is over ``SKEW_RATIO`` times the size of the other."""
    return converted > SKEW_RATIO * dropped or dropped > SKEW_RATIO * converted


def _value_counts(properties: tuple[tuple[str, str], ...], counted) -> dict[tuple[str, str], int]:
    """Return the number of values of each requested pair, 0 for a pair that had none in between."""
    # SQL's NULL list, when no pair has a value, arrives as pandas' NA.
    items = [] if counted is None or counted is pd.NA else counted
    seen = {(item["event"], item["property"]): int(item["value_count"]) for item in items}
    return {pair: seen.get(pair, 0) for pair in properties}


def _entry_bucket(point: Point) -> int | None:
    """Return the entry bucket of a point of the funnel's conversion over time, None for the whole range."""
    return point.bucket if point.over_time else None


def _texts(column: pd.Series) -> pd.Series:
    """Return a text column as objects with None, not NaN, where SQL had NULL."""
    # An explicit object dtype, because pandas would store None in a string column as NaN.
    return pd.Series([None if pd.isna(text) else text for text in column], dtype=object)


def _share(part: np.ndarray, whole: int) -> np.ndarray:
    return part / whole if whole > 0 else np.full(len(part), np.nan)


def _strongest_first(frame: pd.DataFrame) -> pd.DataFrame:
    """Sort by |phi| (NaN last), then by event, with an event's own row before its property values."""
    # -|phi| lies in [-1, 0], so 1 puts an undefined phi after every defined one.
    weakness = (-frame["phi"].abs()).fillna(1.0)
    ordered = frame.assign(weakness=weakness).sort_values(
        ["weakness", "event", "property", "value"], na_position="first", kind="stable"
    )
    return ordered.drop(columns="weakness").reset_index(drop=True)
