"""Chart definitions: the JSON format charts are saved, shared and scripted in.

The dataclasses below are the parsed form. ``parse_chart`` validates a JSON
object and ``ChartDefinition.to_json`` writes it back, so a chart survives a
save and load unchanged. Every error names the key path of the bad value, for
example ``events[0].where[1].op``.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

CHART_TYPES = ("segmentation", "funnel", "sessions", "retention")
INTERVALS = ("hour", "day", "week", "month")
OPERATORS = ("=", "!=", "in", "not in", "contains", ">", ">=", "<", "<=", "set", "not set")
SEGMENTATION_MEASURES = ("uniques", "totals", "average", "pct_active")
PROPERTY_MEASURES = ("sum", "avg")
SESSION_MEASURES = ("sessions", "avg_length", "per_user", "length")
# Edges in seconds of the default session length buckets: [0s, 10s), [10s, 1m), ..., [30m, 1h), [1h, no limit).
DEFAULT_LENGTH_EDGES = (10, 60, 300, 900, 1800, 3600)
FUNNEL_ORDERS = ("this", "any", "exact")
RETENTION_PERIODS = ("day", "week")
RETENTION_MODES = ("on", "on_or_after")
ANY_EVENT = "*"
GROUP_PREFIX = "group:"
USER_PREFIX = "user."
# The reserved ``group_by`` value that segments by the saved user cohorts each actor is in.
GROUP_BY_COHORTS = "cohorts"
# The chart types that take ``group_by: "cohorts"``.
COHORT_SEGMENT_TYPES = ("segmentation", "sessions")
SEGMENT_MODES = ("keep", "drop")
MAX_FUNNEL_STEPS = 10

# Seconds per unit of a funnel conversion window such as "30m" or "1d".
WINDOW_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_WINDOW_PATTERN = re.compile(r"(\d+(?:\.\d+)?)([smhdw])")
_DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")

# Keys every chart type takes, and the keys only some types take.
COMMON_KEYS = ("type", "range", "interval", "where", "group_by", "segments", "cohort", "timezone")
TYPE_KEYS = {
    "segmentation": ("events", "measure", "count_by"),
    "funnel": ("steps", "window", "order", "exclude", "count_by"),
    "sessions": ("measure", "length_buckets", "count_by"),
    "retention": ("start", "return", "period", "periods", "mode", "rolling", "count_by"),
}
EVENT_KEYS = ("event", "where")
FILTER_KEYS = ("property", "op", "value")
EXCLUSION_KEYS = ("event", "where", "between")
RANGE_KEYS = ("from", "to")


class DefinitionError(ValueError):
    """A chart definition is invalid; the message names the key and the fix."""


@dataclass(frozen=True)
class Filter:
    """One ``where`` item: ``property`` (``user.NAME`` for a user property) ``op`` ``value``.

    ``value`` is a tuple for ``in`` and ``not in`` and None for ``set`` and ``not set``.
    """

    property: str
    op: str
    value: Any = None

    def to_json(self) -> dict:
        """Return the JSON object of this filter."""
        item = {"property": self.property, "op": self.op}
        if self.op not in ("set", "not set"):
            item["value"] = list(self.value) if isinstance(self.value, tuple) else self.value
        return item


@dataclass(frozen=True)
class EventSpec:
    """An event type (or ``*`` for any event) with its ``where`` filters."""

    event: str
    where: tuple[Filter, ...] = ()

    def to_json(self) -> dict:
        """Return the JSON object of this event, leaving out an empty ``where``."""
        item: dict[str, Any] = {"event": self.event}
        if self.where:
            item["where"] = [condition.to_json() for condition in self.where]
        return item


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
class SegmentChoice:
    """The ``segments`` key: the chart's lines to show (``keep``) or hide (``drop``), by label.

    It only hides lines after the query, so it never changes a value: every
    shown point still equals the actor list of its microscope. See
    ``segment_filter`` for which labels name which lines.
    """

    mode: str
    labels: tuple[str, ...]

    def to_json(self) -> dict:
        """Return the JSON object of this choice, such as ``{"keep": ["iOS"]}``."""
        return {self.mode: list(self.labels)}


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
    # the lines to keep or drop after the query, or None to show every line
    segments: SegmentChoice | None = None
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
    # sessions: edges in seconds of the length buckets of the ``length`` measure, or None for the defaults
    length_buckets: tuple[int | float, ...] | None = None
    # keys the JSON object set explicitly, so to_json writes back what was read
    given_keys: frozenset[str] = field(default=frozenset(), compare=False)

    @property
    def window_seconds(self) -> float:
        """The funnel conversion window in seconds."""
        return parse_window(self.window, "window")

    @property
    def measure_property(self) -> str | None:
        """The property of a ``sum:PROP`` or ``avg:PROP`` measure, else None."""
        kind, _, name = self.measure.partition(":")
        return name if kind in PROPERTY_MEASURES and name else None

    @property
    def length_edges(self) -> tuple[int | float, ...]:
        """The edges in seconds between the session length buckets: the given ones, else the defaults."""
        return self.length_buckets if self.length_buckets is not None else DEFAULT_LENGTH_EDGES

    def to_json(self) -> dict:
        """Return the JSON object of this chart: its type's main keys, plus every key given or changed."""
        return _chart_to_json(self)


# Parsing ------------------------------------------------------------------------


def load_chart_file(path: str | Path) -> ChartDefinition:
    """Read and parse a chart definition file; errors name the file and the key."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DefinitionError(f"{path}: chart file not found. Check the path.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise DefinitionError(f"{path}: cannot read the chart file ({error}).") from None

    try:
        obj = json.loads(text)
    except json.JSONDecodeError as error:
        raise DefinitionError(
            f"{path}: invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}."
        ) from None

    try:
        return parse_chart(obj)
    except DefinitionError as error:
        raise DefinitionError(f"{path}: {error}") from None


def parse_chart(obj: dict) -> ChartDefinition:
    """Validate a JSON chart definition and return its parsed form.

    Raises DefinitionError naming the key path of the first unknown key or bad value.
    """
    if not isinstance(obj, dict):
        raise DefinitionError(f"chart definition must be a JSON object, not {_json_kind(obj)}.")

    chart_type = _require(obj, "type", "type")
    if chart_type not in CHART_TYPES:
        raise DefinitionError(f"type: unknown chart type {chart_type!r}. Use one of {_choices(CHART_TYPES)}.")
    _check_chart_keys(obj, chart_type)

    fields: dict[str, Any] = {
        "type": chart_type,
        "range": _parse_range(_require(obj, "range", "range")),
        "given_keys": frozenset(obj),
    }
    fields.update(_parse_common(obj))
    fields.update(_TYPE_PARSERS[chart_type](obj))
    _check_segments_apply(fields)
    if fields.get("group_by") == GROUP_BY_COHORTS and chart_type not in COHORT_SEGMENT_TYPES:
        raise DefinitionError(
            f"group_by: 'cohorts' (segments by saved user cohorts) applies only to "
            f"{_choices(COHORT_SEGMENT_TYPES)} charts, not {chart_type} charts. Remove group_by or pick another value."
        )
    return ChartDefinition(**fields)


def parse_window(text: Any, path: str) -> float:
    """Return a conversion window such as ``"30m"`` in seconds, raising DefinitionError unless it is positive."""
    match = _WINDOW_PATTERN.fullmatch(text) if isinstance(text, str) else None
    if not match:
        raise DefinitionError(
            f"{path}: invalid window {text!r}. Write a positive number and a unit "
            f"({_choices(tuple(WINDOW_UNITS))}), for example \"30m\" or \"1d\"."
        )
    seconds = float(match.group(1)) * WINDOW_UNITS[match.group(2)]
    if seconds <= 0:
        raise DefinitionError(f"{path}: window {text!r} must be longer than zero.")
    return seconds


def _check_chart_keys(obj: dict, chart_type: str) -> None:
    allowed = COMMON_KEYS + TYPE_KEYS[chart_type]
    for key in obj:
        if key in allowed:
            continue
        owners = [name for name, keys in TYPE_KEYS.items() if key in keys]
        if owners:
            raise DefinitionError(
                f"{key}: does not apply to {chart_type} charts (it is for {_choices(tuple(owners))} charts)."
            )
        raise DefinitionError(f"{key}: unknown key. A {chart_type} chart takes {_choices(allowed)}.")


def _parse_common(obj: dict) -> dict:
    fields: dict[str, Any] = {}
    if "interval" in obj:
        fields["interval"] = _parse_choice(obj["interval"], "interval", INTERVALS)
    if "where" in obj:
        fields["where"] = _parse_where(obj["where"], "where")
    if "group_by" in obj:
        fields["group_by"] = _parse_group_by(obj["group_by"])
    if obj.get("segments") is not None:
        fields["segments"] = parse_segments(obj["segments"])
    if "count_by" in obj:
        fields["count_by"] = _parse_count_by(obj["count_by"])
    if obj.get("cohort") is not None:
        fields["cohort"] = _parse_name(obj["cohort"], "cohort")
    if obj.get("timezone") is not None:
        fields["timezone"] = parse_timezone(obj["timezone"])
    return fields


def _parse_segmentation(obj: dict) -> dict:
    events = _parse_event_list(_require(obj, "events", "events"), "events", minimum=1, maximum=None)
    fields: dict[str, Any] = {"events": events}
    if "measure" in obj:
        fields["measure"] = _parse_segmentation_measure(obj["measure"])
    return fields


def _parse_funnel(obj: dict) -> dict:
    steps = _parse_event_list(_require(obj, "steps", "steps"), "steps", minimum=2, maximum=MAX_FUNNEL_STEPS)
    fields: dict[str, Any] = {"steps": steps}
    if "window" in obj:
        parse_window(obj["window"], "window")
        fields["window"] = obj["window"]
    if "order" in obj:
        fields["order"] = _parse_choice(obj["order"], "order", FUNNEL_ORDERS)
    if "exclude" in obj:
        fields["exclude"] = _parse_exclusions(obj["exclude"], len(steps))
    return fields


def _parse_sessions(obj: dict) -> dict:
    fields: dict[str, Any] = {"measure": SESSION_MEASURES[0]}
    if "measure" in obj:
        fields["measure"] = _parse_choice(obj["measure"], "measure", SESSION_MEASURES)
    if obj.get("length_buckets") is not None:
        if fields["measure"] != "length":
            raise DefinitionError(
                f"length_buckets: applies only to the measure 'length', not {fields['measure']!r}. "
                "Remove the key or set \"measure\": \"length\"."
            )
        fields["length_buckets"] = _parse_length_edges(obj["length_buckets"])
    return fields


def _parse_length_edges(value: Any) -> tuple[int | float, ...]:
    """Return session length bucket edges: positive, finite, increasing numbers of seconds."""
    valid = (
        isinstance(value, list)
        and len(value) > 0
        and all(_is_number(edge) and math.isfinite(edge) and edge > 0 for edge in value)
        and all(low < high for low, high in zip(value, value[1:]))
    )
    if not valid:
        raise DefinitionError(
            f"length_buckets: must be a non-empty list of increasing positive numbers of seconds, "
            f"for example [10, 60, 300], not {value!r}."
        )
    return tuple(value)


def _parse_retention(obj: dict) -> dict:
    fields: dict[str, Any] = {
        "start": _parse_event(_require(obj, "start", "start"), "start", EVENT_KEYS),
        "return_event": _parse_event(_require(obj, "return", "return"), "return", EVENT_KEYS),
    }
    if "period" in obj:
        fields["period"] = _parse_choice(obj["period"], "period", RETENTION_PERIODS)
    if "periods" in obj:
        periods = obj["periods"]
        if not _is_integer(periods) or periods < 1:
            raise DefinitionError(f"periods: must be a whole number of at least 1, not {periods!r}.")
        fields["periods"] = periods
    if "interval" not in obj:
        # Start cohorts follow the interval. Without one they are the period's days or weeks, so a chart
        # written before retention cohorts followed the interval keeps its result.
        fields["interval"] = fields.get("period", "day")
    if "mode" in obj:
        fields["mode"] = _parse_choice(obj["mode"], "mode", RETENTION_MODES)
    if "rolling" in obj:
        if not isinstance(obj["rolling"], bool):
            raise DefinitionError(f"rolling: must be true or false, not {obj['rolling']!r}.")
        fields["rolling"] = obj["rolling"]
    return fields


_TYPE_PARSERS = {
    "segmentation": _parse_segmentation,
    "funnel": _parse_funnel,
    "sessions": _parse_sessions,
    "retention": _parse_retention,
}


def _parse_range(value: Any) -> DateRange:
    if not isinstance(value, dict):
        raise DefinitionError(
            f'range: must be an object such as {{"from": "2024-03-01", "to": "2024-03-31"}}, not {_json_kind(value)}.'
        )
    _check_keys(value, RANGE_KEYS, "range")
    start = _parse_date(_require(value, "from", "range.from"), "range.from")
    end = _parse_date(_require(value, "to", "range.to"), "range.to")
    if end < start:
        raise DefinitionError(f"range: 'to' ({end}) is before 'from' ({start}). Swap them.")
    return DateRange(start, end)


def _parse_date(value: Any, path: str) -> date:
    if not isinstance(value, str) or not _DATE_PATTERN.fullmatch(value):
        raise DefinitionError(f"{path}: invalid date {value!r}. Write it as YYYY-MM-DD, for example \"2024-03-01\".")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise DefinitionError(f"{path}: {value!r} is not a calendar date.") from None


def _parse_event_list(value: Any, path: str, minimum: int, maximum: int | None) -> tuple[EventSpec, ...]:
    if not isinstance(value, list):
        raise DefinitionError(f"{path}: must be a list of event objects, not {_json_kind(value)}.")
    if len(value) < minimum or (maximum is not None and len(value) > maximum):
        expected = f"at least {minimum}" if maximum is None else f"{minimum} to {maximum}"
        raise DefinitionError(f"{path}: has {len(value)} entries. Give {expected}.")
    return tuple(_parse_event(item, f"{path}[{index}]", EVENT_KEYS) for index, item in enumerate(value))


def _parse_event(value: Any, path: str, keys: tuple[str, ...]) -> EventSpec:
    if not isinstance(value, dict):
        raise DefinitionError(f'{path}: must be an object such as {{"event": "Purchase"}}, not {_json_kind(value)}.')
    _check_keys(value, keys, path)
    event = _parse_name(_require(value, "event", f"{path}.event"), f"{path}.event")
    where = _parse_where(value.get("where", []), f"{path}.where")
    return EventSpec(event=event, where=where)


def _parse_exclusions(value: Any, step_count: int) -> tuple[Exclusion, ...]:
    if not isinstance(value, list):
        raise DefinitionError(f"exclude: must be a list of exclusion objects, not {_json_kind(value)}.")
    exclusions = []
    for index, item in enumerate(value):
        path = f"exclude[{index}]"
        event = _parse_event(item, path, EXCLUSION_KEYS)
        between = _parse_between(_require(item, "between", f"{path}.between"), f"{path}.between", step_count)
        exclusions.append(Exclusion(event=event, between=between))
    return tuple(exclusions)


def _parse_between(value: Any, path: str, step_count: int) -> tuple[int, int]:
    valid = (
        isinstance(value, list)
        and len(value) == 2
        and all(_is_integer(step) for step in value)
        and 1 <= value[0] < value[1] <= step_count
    )
    if not valid:
        raise DefinitionError(
            f"{path}: must be two step numbers [first, second] with 1 <= first < second <= {step_count}, "
            f"not {value!r}."
        )
    return (value[0], value[1])


def _parse_where(value: Any, path: str) -> tuple[Filter, ...]:
    if not isinstance(value, list):
        raise DefinitionError(f"{path}: must be a list of filter objects, not {_json_kind(value)}.")
    return tuple(_parse_filter(item, f"{path}[{index}]") for index, item in enumerate(value))


def _parse_filter(value: Any, path: str) -> Filter:
    if not isinstance(value, dict):
        raise DefinitionError(
            f'{path}: must be an object such as {{"property": "platform", "op": "=", "value": "iOS"}}, '
            f"not {_json_kind(value)}."
        )
    _check_keys(value, FILTER_KEYS, path)
    name = _parse_property(_require(value, "property", f"{path}.property"), f"{path}.property")
    op = _require(value, "op", f"{path}.op")
    if op not in OPERATORS:
        raise DefinitionError(f"{path}.op: unknown operator {op!r}. Use one of {_choices(OPERATORS)}.")
    return Filter(property=name, op=op, value=_parse_filter_value(value, op, f"{path}.value"))


def _parse_filter_value(item: dict, op: str, path: str) -> Any:
    value = item.get("value")
    if op in ("set", "not set"):
        if value is not None:
            raise DefinitionError(f"{path}: operator {op!r} takes no value. Remove the value.")
        return None
    if "value" not in item or value is None:
        hint = " To match a missing property, use the operator 'not set'." if op == "=" else ""
        raise DefinitionError(f"{path}: missing value for operator {op!r}.{hint}")

    if op in ("in", "not in"):
        if not isinstance(value, list) or not value:
            raise DefinitionError(f"{path}: operator {op!r} needs a non-empty list of values, not {value!r}.")
        for index, element in enumerate(value):
            _check_scalar(element, f"{path}[{index}]")
        return tuple(value)

    _check_scalar(value, path)
    if op == "contains" and not isinstance(value, str):
        raise DefinitionError(f"{path}: operator 'contains' needs a text value, not {value!r}.")
    if op in (">", ">=", "<", "<=") and isinstance(value, bool):
        raise DefinitionError(f"{path}: operator {op!r} needs a number or a text value, not {value!r}.")
    return value


def _check_scalar(value: Any, path: str) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise DefinitionError(f"{path}: {value!r} is not a finite number.")
    if not isinstance(value, (str, int, float, bool)):
        raise DefinitionError(f"{path}: must be text, a number or true/false, not {_json_kind(value)}.")


def _parse_segmentation_measure(value: Any) -> str:
    if value in SEGMENTATION_MEASURES:
        return value
    if isinstance(value, str):
        kind, colon, name = value.partition(":")
        if kind in PROPERTY_MEASURES and colon:
            _parse_property(name, "measure")
            return value
    choices = _choices(SEGMENTATION_MEASURES + ("sum:PROPERTY", "avg:PROPERTY"))
    raise DefinitionError(f"measure: unknown measure {value!r}. Use one of {choices}.")


def _parse_group_by(value: Any) -> str | None:
    if value is None:
        return None
    name = _parse_property(value, "group_by")
    if name.startswith(GROUP_PREFIX) and not name[len(GROUP_PREFIX):]:
        raise DefinitionError("group_by: 'group:' needs a group type after the colon, for example 'group:company'.")
    return name


def parse_segments(value: Any) -> SegmentChoice:
    """Return the ``segments`` key's choice: exactly one of ``keep`` and ``drop``, each a non-empty list of texts."""
    example = 'for example {"keep": ["iOS", "Android"]} or {"drop": ["(other)"]}'
    if not isinstance(value, dict) or len(value) != 1 or next(iter(value)) not in SEGMENT_MODES:
        raise DefinitionError(
            f"segments: must be an object with exactly one key, 'keep' or 'drop', {example}, not {value!r}."
        )
    mode, labels = next(iter(value.items()))
    if not isinstance(labels, list) or not labels or not all(isinstance(label, str) for label in labels):
        raise DefinitionError(
            f"segments.{mode}: must be a non-empty list of segment labels (texts), {example}, not {labels!r}."
        )
    return SegmentChoice(mode=mode, labels=tuple(dict.fromkeys(labels)))


def _check_segments_apply(fields: dict) -> None:
    """Reject ``segments`` on a chart with one line per series and no length buckets: it would hide all or nothing."""
    if fields.get("segments") is None or fields.get("group_by") is not None:
        return
    if fields["type"] == "sessions" and fields.get("measure") == "length":
        return
    raise DefinitionError(
        "segments: applies only to a chart with group_by (or a sessions chart with the measure 'length'). "
        "Add group_by or remove the key."
    )


def _parse_count_by(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.startswith(GROUP_PREFIX) or not value[len(GROUP_PREFIX):]:
        raise DefinitionError(
            f"count_by: must be 'group:TYPE' (for example 'group:company'), not {value!r}. "
            "Leave it out to count users."
        )
    return value


def _parse_property(value: Any, path: str) -> str:
    name = _parse_name(value, path)
    if name.startswith(USER_PREFIX) and not name[len(USER_PREFIX):]:
        raise DefinitionError(f"{path}: 'user.' needs a user property name after the dot, for example 'user.plan'.")
    return name


def _parse_name(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value:
        raise DefinitionError(f"{path}: must be a non-empty text, not {value!r}.")
    return value


def parse_timezone(value: Any) -> str:
    """Return ``value`` if it names an IANA time zone, else raise DefinitionError."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise DefinitionError(
            f"timezone: unknown time zone {value!r}. Use an IANA name such as 'UTC' or 'Europe/Berlin'."
        ) from None
    return value


def _parse_choice(value: Any, path: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise DefinitionError(f"{path}: invalid value {value!r}. Use one of {_choices(choices)}.")
    return value


def _require(obj: dict, key: str, path: str) -> Any:
    if key not in obj:
        raise DefinitionError(f"{path}: missing. Add this key.")
    return obj[key]


def _check_keys(obj: dict, allowed: tuple[str, ...], path: str) -> None:
    for key in obj:
        if key not in allowed:
            raise DefinitionError(f"{path}.{key}: unknown key. Use {_choices(allowed)}.")


def _is_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _choices(values: tuple[str, ...]) -> str:
    return ", ".join(repr(value) for value in values)


def _json_kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a text", bool: "true/false", type(None): "null"}
    return names.get(type(value), "a number")


# Writing ------------------------------------------------------------------------

# Optional keys and the field each is stored in, with the default it has when absent.
_OPTIONAL_KEYS = {
    "segmentation": (("measure", "measure"), ("count_by", "count_by")),
    "funnel": (("window", "window"), ("order", "order"), ("count_by", "count_by")),
    "sessions": (("measure", "measure"), ("count_by", "count_by")),
    "retention": (
        ("period", "period"), ("periods", "periods"), ("mode", "mode"),
        ("rolling", "rolling"), ("count_by", "count_by"),
    ),
}
_COMMON_OPTIONAL_KEYS = (("group_by", "group_by"), ("cohort", "cohort"), ("timezone", "timezone"))


def _chart_to_json(chart: ChartDefinition) -> dict:
    obj: dict[str, Any] = {"type": chart.type}
    if chart.type == "segmentation":
        obj["events"] = [event.to_json() for event in chart.events]
    elif chart.type == "funnel":
        obj["steps"] = [step.to_json() for step in chart.steps]
    elif chart.type == "retention":
        obj["start"] = chart.start.to_json() if chart.start else None
        obj["return"] = chart.return_event.to_json() if chart.return_event else None

    defaults = ChartDefinition(type=chart.type, range=chart.range)
    if chart.type == "sessions":
        defaults = ChartDefinition(type=chart.type, range=chart.range, measure=SESSION_MEASURES[0])
    for key, name in _OPTIONAL_KEYS[chart.type]:
        _write_if_set(obj, chart, defaults, key, name)

    obj["interval"] = chart.interval
    obj["range"] = {"from": chart.range.start.isoformat(), "to": chart.range.end.isoformat()}
    if chart.where or "where" in chart.given_keys:
        obj["where"] = [condition.to_json() for condition in chart.where]
    for key, name in _COMMON_OPTIONAL_KEYS:
        _write_if_set(obj, chart, defaults, key, name)
    if chart.segments is not None:
        obj["segments"] = chart.segments.to_json()
    elif "segments" in chart.given_keys:
        obj["segments"] = None
    if chart.type == "funnel" and (chart.exclude or "exclude" in chart.given_keys):
        obj["exclude"] = [_exclusion_to_json(exclusion) for exclusion in chart.exclude]
    if chart.type == "sessions" and (chart.length_buckets is not None or "length_buckets" in chart.given_keys):
        obj["length_buckets"] = None if chart.length_buckets is None else list(chart.length_buckets)
    return obj


def _write_if_set(obj: dict, chart: ChartDefinition, defaults: ChartDefinition, key: str, name: str) -> None:
    value = getattr(chart, name)
    if key in chart.given_keys or value != getattr(defaults, name):
        obj[key] = value


def _exclusion_to_json(exclusion: Exclusion) -> dict:
    item = exclusion.event.to_json()
    item["between"] = list(exclusion.between)
    return item
