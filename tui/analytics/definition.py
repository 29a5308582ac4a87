"""Chart definitions: the JSON format charts are saved, shared and scripted in.

The dataclasses below are the parsed form. ``parse_chart`` validates a JSON
object and ``ChartDefinition.to_json`` writes it back, so a chart survives a
save and load unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

CHART_TYPES = ("segmentation", "funnel", "sessions", "retention")
INTERVALS = ("hour", "day", "week", "month")
OPERATORS = ("=", "!=", "in", "not in", "contains", ">", ">=", "<", "<=", "set", "not set")
SEGMENTATION_MEASURES = ("uniques", "totals", "average", "pct_active")
SESSION_MEASURES = ("sessions", "avg_length", "per_user")
FUNNEL_ORDERS = ("this", "any", "exact")
RETENTION_MODES = ("on", "on_or_after")
ANY_EVENT = "*"


class DefinitionError(ValueError):
    """A chart definition is invalid; the message names the key and the fix."""


@dataclass(frozen=True)
class Filter:
    """One ``where`` item: ``property`` (``user.NAME`` for a user property) ``op`` ``value``."""

    property: str
    op: str
    value: Any = None


@dataclass(frozen=True)
class EventSpec:
    """An event type (or ``*`` for any event) with its ``where`` filters."""

    event: str
    where: tuple[Filter, ...] = ()


@dataclass(frozen=True)
class DateRange:
    """Dates in the chart's time zone; both ends are included."""

    start: date
    end: date


@dataclass(frozen=True)
class Exclusion:
    """A funnel exclusion: users who did ``event`` between steps ``between`` drop out."""

    event: EventSpec
    between: tuple[int, int]


@dataclass(frozen=True)
class ChartDefinition:
    """A parsed chart. Fields that do not apply to ``type`` keep their defaults."""

    type: str
    range: DateRange
    interval: str = "day"
    events: tuple[EventSpec, ...] = ()
    measure: str = "uniques"
    where: tuple[Filter, ...] = ()
    group_by: str | None = None
    count_by: str | None = None
    cohort: str | None = None
    timezone: str | None = None
    # funnel
    steps: tuple[EventSpec, ...] = ()
    window: str = "1d"
    order: str = "this"
    exclude: tuple[Exclusion, ...] = ()
    # retention
    start: EventSpec | None = None
    return_event: EventSpec | None = None
    period: str = "day"
    periods: int = 7
    mode: str = "on"
    rolling: bool = False
    # keys the JSON object set explicitly, so to_json writes back what was read
    given_keys: frozenset[str] = field(default=frozenset(), compare=False)
