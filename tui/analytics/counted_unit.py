"""The unit a retention, sessions or funnel chart counts: actors, or the groups of one type (``count_by``).

Counted by a group type, a chart reads ``events`` joined to ``event_groups``,
so its relation has one row per (event, group of that type) and an event
naming no such group drops out. The group's id then takes the place of the
actor id as the unit the chart counts, while every row keeps the real
``actor_id`` of the member whose event it is.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from tui.analytics.definition import ChartDefinition
from tui.analytics.filters import Fragment, cohort_groups_sql
from tui.analytics.segmentation_groups import group_sources_sql, group_type
from tui.analytics.uniques import actor_id_range, group_id_range


@dataclass(frozen=True)
class CountedUnit:
    """The unit of a chart: actors when ``group_type`` is None, else the groups of ``group_type``."""

    group_type: str | None = None

    @property
    def counts_groups(self) -> bool:
        return self.group_type is not None

    @property
    def column(self) -> str:
        """The name of the unit's id column in the relations a chart builds: ``group_id`` or ``actor_id``."""
        return "group_id" if self.counts_groups else "actor_id"

    @property
    def select(self) -> str:
        """The select item giving the unit's id, named ``column``, in a query on ``source_sql()``."""
        return "counted_groups.group_id AS group_id" if self.counts_groups else "actor_id"

    @property
    def key(self) -> str:
        """The expression of the unit's id in a query on ``source_sql()``, for GROUP BY and joins."""
        return "counted_groups.group_id" if self.counts_groups else "actor_id"

    def source_sql(self) -> Fragment:
        """Return the FROM clause of the unit's event rows: ``events``, or one row per (event, counted group)."""
        return group_sources_sql(self.group_type, None, False, False)

    def cohort_sql(self, cohort: str | None) -> Fragment:
        """Return the predicate keeping only the counted groups that are in ``cohort``, a cohort of such groups.

        Any other cohort, or none, keeps every unit: its members' events are
        selected by ``filters.cohort_sql``.
        """
        if cohort is None or not self.counts_groups:
            return "TRUE", []
        return cohort_groups_sql(cohort, self.group_type, "counted_groups.group_id")

    def id_range(self, cursor: duckdb.DuckDBPyConnection) -> tuple[int, int] | None:
        """Return the smallest and largest id the unit's column can hold, or None when there is none yet."""
        return group_id_range(cursor) if self.counts_groups else actor_id_range(cursor)


def counted_unit(definition: ChartDefinition) -> CountedUnit:
    """Return the unit ``definition`` counts: the groups its ``count_by`` names, else actors."""
    return CountedUnit(group_type(definition.count_by))
