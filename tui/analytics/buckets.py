"""Bucket boundaries ``[start, end)`` of a chart in an IANA time zone, DST included.

Boundaries are computed here with ``zoneinfo``, never by DuckDB's ICU functions.
In DuckDB 2.0.1, ICU's ``date_trunc('hour', ...)`` puts 01:30 PDT and 01:30 PST of a
fall-back night both in the 01:00 PST hour. Per-row ICU conversion also made a
daily uniques query on 10M generated events 2 to 3 times slower (2 cores).

Events are assigned to buckets in SQL by integer arithmetic on ``epoch_us``. Between
two UTC offset changes ("offset periods") the local wall clock is the UTC time plus
a constant, so a bucket index is ``(epoch_us + shift) // unit`` with one ``shift``
per offset period, picked by a short ``CASE`` on the period's start. ``index_of``
computes the same index in Python by bisecting the boundaries, and the tests check
that both agree around every boundary.
"""

from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass
from functools import cached_property
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from tui.analytics.definition import INTERVALS, DateRange, DefinitionError, parse_timezone

UTC = timezone.utc
EPOCH_DAY = date(1970, 1, 1)
WEEK_STARTS = {"monday": 0, "sunday": 6}  # date.weekday() of the first day of a week

HOUR_US = 3_600_000_000
DAY_US = 24 * HOUR_US
WEEK_US = 7 * DAY_US

# A guard against a typo such as an hourly chart over a century; about 11 years of hours.
MAX_BUCKETS = 100_000


@dataclass(frozen=True)
class OffsetPeriod:
    """A stretch of time from ``start`` (UTC) on in which the zone's UTC offset stays ``offset_us``."""

    start: datetime
    offset_us: int


@dataclass(frozen=True)
class Buckets:
    """The buckets of a chart: bucket ``i`` is ``[boundaries[i], boundaries[i + 1])``.

    Boundaries are UTC datetimes. The first is the start of the range's first day and
    the last the start of the day after the range, both in the chart's time zone.
    """

    interval: str
    timezone: str
    boundaries: tuple[datetime, ...]
    periods: tuple[OffsetPeriod, ...]
    first_day: date
    week_start: str = "monday"

    def __len__(self) -> int:
        return len(self.boundaries) - 1

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def range_start(self) -> datetime:
        return self.boundaries[0]

    @property
    def range_end(self) -> datetime:
        return self.boundaries[-1]

    def start(self, index: int) -> datetime:
        """Return the start of bucket ``index`` as a datetime in the chart's time zone."""
        return self.boundaries[index].astimezone(self.zone)

    def end(self, index: int) -> datetime:
        """Return the end (excluded) of bucket ``index`` as a datetime in the chart's time zone."""
        return self.boundaries[index + 1].astimezone(self.zone)

    def index_of(self, instant: datetime) -> int | None:
        """Return the index of the bucket containing ``instant`` (tz-aware), or None outside the range."""
        if not self.range_start <= instant < self.range_end:
            return None
        return bisect.bisect_right(self.boundaries, instant) - 1

    @cached_property
    def local_boundaries(self) -> pd.DatetimeIndex:
        """The boundaries as pandas timestamps in the chart's time zone (an immutable index)."""
        return pd.DatetimeIndex(self.boundaries).tz_convert(self.timezone)

    def frame(self) -> pd.DataFrame:
        """Return one row per bucket: ``bucket`` (index), ``bucket_start``, ``bucket_end`` in the chart's zone."""
        return pd.DataFrame(
            {
                "bucket": np.arange(len(self), dtype="int64"),
                "bucket_start": self.local_boundaries[:-1],
                "bucket_end": self.local_boundaries[1:],
            }
        )

    def range_sql(self, column: str = "event_time") -> tuple[str, list]:
        """Return a predicate selecting the instants of the whole range, and its parameters."""
        return f"{column} >= ? AND {column} < ?", [self.range_start, self.range_end]

    def index_sql(self, column: str = "event_time") -> tuple[str, list]:
        """Return a BIGINT expression giving the bucket index of ``column``, and its parameters.

        The expression is valid for instants inside the range only; filter with
        ``range_sql`` first.
        """
        shift_sql, params = self._shift_sql(column)
        local_us = f"(epoch_us({column}) + {shift_sql})"
        if self.interval == "month":
            # The local date, then the month boundaries crossed since the range's first month.
            local_date = f"(DATE '1970-01-01' + CAST({local_us} // {DAY_US} AS INTEGER))"
            expression = f"date_diff('month', CAST(? AS DATE), {local_date})"
            return expression, [self.first_day.replace(day=1)] + params
        unit = {"hour": HOUR_US, "day": DAY_US, "week": WEEK_US}[self.interval]
        return f"({local_us} // {unit})", params

    def _shift_sql(self, column: str) -> tuple[str, list]:
        shifts = [self._shift_us(period) for period in self.periods]
        if len(shifts) == 1:
            return "CAST(? AS BIGINT)", shifts

        cases, params = [], []
        for period, shift in zip(self.periods[1:], shifts[:-1]):
            cases.append(f"WHEN {column} < ? THEN CAST(? AS BIGINT)")
            params += [period.start, shift]
        params.append(shifts[-1])
        return f"(CASE {' '.join(cases)} ELSE CAST(? AS BIGINT) END)", params

    def _shift_us(self, period: OffsetPeriod) -> int:
        """Return what to add to ``epoch_us`` in ``period`` so that floor division by the unit gives the index."""
        if self.interval == "month":
            return period.offset_us
        if self.interval == "day":
            return period.offset_us - _days_since_epoch(self.first_day) * DAY_US
        if self.interval == "week":
            return period.offset_us - _days_since_epoch(self._first_week_day()) * DAY_US

        # Hours: within one offset period each local wall-clock hour is one bucket, so
        # the local hour number plus a per-period constant is the bucket index. The
        # constant differs across a DST change, where an hour repeats or is skipped.
        first = max(period.start, self.range_start)
        local_hour = (_epoch_us(first) + period.offset_us) // HOUR_US
        return period.offset_us + (self.index_of(first) - local_hour) * HOUR_US

    def _first_week_day(self) -> date:
        """Return the first day of the week that contains the range's first day."""
        back = (self.first_day.weekday() - WEEK_STARTS[self.week_start]) % 7
        return self.first_day - timedelta(days=back)


@functools.lru_cache(maxsize=32)
def make_buckets(date_range: DateRange, interval: str, timezone_name: str, week_start: str = "monday") -> Buckets:
    """Compute the buckets of ``interval`` over ``date_range`` (local dates, both included) in a time zone.

    Each bucket is clipped to the range. A day starts at the first instant of its
    local date, so a day whose midnight does not exist (a DST change at midnight,
    as in Africa/Cairo) starts at 01:00. A repeated hour of a fall-back night is two
    hour buckets. ``week_start`` is ``monday`` or ``sunday``. Results are cached,
    because the app and the microscope ask for the same buckets again and again.
    """
    if interval not in INTERVALS:
        raise DefinitionError(f"interval: invalid value {interval!r}. Use one of {', '.join(INTERVALS)}.")
    zone = ZoneInfo(parse_timezone(timezone_name))
    _check_size(date_range, interval)

    days = _dates(date_range.start, date_range.end + timedelta(days=1))
    day_starts = [_day_start(day, zone) for day in days]
    if interval == "hour":
        inner = _hour_starts(days[:-1], zone)
    else:
        inner = [start for day, start in zip(days, day_starts) if _opens_bucket(day, interval, week_start)]

    first, last = day_starts[0], day_starts[-1]
    boundaries = [first] + sorted({start for start in inner if first < start < last}) + [last]
    periods = _offset_periods(day_starts, zone)
    return Buckets(interval, timezone_name, tuple(boundaries), periods, date_range.start, week_start)


def is_partial(start: datetime, end: datetime, interval: str, now: datetime) -> bool:
    """Return whether the bucket ``[start, end)`` covers less than a whole ``interval``, or has not ended at ``now``.

    ``start`` and ``end`` are tz-aware and in the chart's time zone, as
    ``Buckets.start`` and ``Buckets.end`` return them. A range is whole local
    days, so only a week or a month bucket can be cut by it. A clipped week
    spans fewer than 7 local dates, and a clipped month starts or ends on a
    day other than the 1st. A day of 23 or 25 hours across a DST change is
    still whole.
    """
    if end > now:
        return True
    if interval == "week":
        return (end.date() - start.date()).days < 7
    if interval == "month":
        return start.day != 1 or end.day != 1
    return False


def _check_size(date_range: DateRange, interval: str) -> None:
    days = (date_range.end - date_range.start).days + 1
    estimate = {"hour": days * 24, "day": days, "week": days // 7, "month": days // 28}[interval]
    if estimate > MAX_BUCKETS:
        raise DefinitionError(
            f"range: {days} days at interval {interval!r} make about {estimate} buckets, more than "
            f"{MAX_BUCKETS}. Shorten the range or choose a longer interval."
        )


def _opens_bucket(day: date, interval: str, week_start: str) -> bool:
    if interval == "day":
        return True
    if interval == "month":
        return day.day == 1
    if week_start not in WEEK_STARTS:
        raise DefinitionError(
            f"project setting week_start: invalid value {week_start!r}. Use 'monday' or 'sunday'."
        )
    return day.weekday() == WEEK_STARTS[week_start]


def _hour_starts(days: list[date], zone: ZoneInfo) -> list[datetime]:
    """Return the first instant of every local wall-clock hour on ``days``, twice for a repeated hour."""
    starts = []
    for day in days:
        for hour in range(24):
            wall = datetime.combine(day, time(hour))
            for fold in (0, 1):
                instant = wall.replace(tzinfo=zone, fold=fold).astimezone(UTC)
                # A wall time inside a DST gap does not exist: the next existing hour opens the bucket.
                if instant.astimezone(zone).replace(tzinfo=None) == wall:
                    starts.append(instant)
    return starts


def _day_start(day: date, zone: ZoneInfo) -> datetime:
    """Return the first instant (UTC) whose local date in ``zone`` is ``day``."""
    wall = datetime.combine(day, time(0))
    earliest = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if earliest.astimezone(zone).replace(tzinfo=None) == wall:
        return earliest

    # Midnight falls in a DST gap, so the day starts at the end of the gap. With
    # fold=1 the wall time maps before the change and with fold=0 after it, so
    # the change lies between the two and a bisection to the second finds it.
    low = _epoch_seconds(wall.replace(tzinfo=zone, fold=1).astimezone(UTC))
    high = _epoch_seconds(earliest)
    while high - low > 1:
        middle = (low + high) // 2
        if _local(middle, zone) >= wall:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


def _offset_periods(day_starts: list[datetime], zone: ZoneInfo) -> tuple[OffsetPeriod, ...]:
    """Return the UTC offset periods that cover the range, found between consecutive day starts."""
    # NOTE: this assumes at most one offset change per local day. In tzdata 2026f no
    # zone has two changes less than two days apart after 1970 (read from its TZif files).
    periods = [OffsetPeriod(day_starts[0], _offset_us(day_starts[0], zone))]
    for low, high in zip(day_starts, day_starts[1:]):
        if _offset_us(high, zone) != periods[-1].offset_us:
            change = _find_offset_change(low, high, zone)
            periods.append(OffsetPeriod(change, _offset_us(change, zone)))
    return tuple(periods)


def _find_offset_change(low: datetime, high: datetime, zone: ZoneInfo) -> datetime:
    """Return the first second in ``(low, high]`` that has the offset of ``high``."""
    target = _offset_us(high, zone)
    low_s, high_s = _epoch_seconds(low), _epoch_seconds(high)
    while high_s - low_s > 1:
        middle = (low_s + high_s) // 2
        if _offset_us(datetime.fromtimestamp(middle, UTC), zone) == target:
            high_s = middle
        else:
            low_s = middle
    return datetime.fromtimestamp(high_s, UTC)


def _offset_us(instant: datetime, zone: ZoneInfo) -> int:
    offset = instant.astimezone(zone).utcoffset()
    return (offset.days * 86400 + offset.seconds) * 1_000_000 + offset.microseconds


def _local(epoch_seconds: int, zone: ZoneInfo) -> datetime:
    return datetime.fromtimestamp(epoch_seconds, zone).replace(tzinfo=None)


def _epoch_seconds(instant: datetime) -> int:
    return int(instant.timestamp())


def _epoch_us(instant: datetime) -> int:
    delta = instant - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def _days_since_epoch(day: date) -> int:
    return (day - EPOCH_DAY).days


def _dates(first: date, last: date) -> list[date]:
    """Return the dates from ``first`` to ``last``, both included."""
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]
