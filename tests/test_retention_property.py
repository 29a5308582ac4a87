"""Property test: for random events and retention charts, the table matches a count by hand and every
point's event list matches the table, actor by actor and event by event.

The expected table is computed here in plain Python from the rules. The first
start event in the range, in (client_time, file order), decides the cohort:
its local hour, date, Monday week or month, by the chart's interval (the
period when the chart has none). Calendar periods are local dates (or Monday
weeks) of the server time in the chart's zone, counted from the start event's
own date or week. Rolling periods are 24-hour or 7-day windows of client time.
Counted by groups, the units are the teams an event names. With a group-by,
a unit's segments come from the start event that decides its cohort.
"""

from __future__ import annotations

import math
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builders import build_project
from test_microscope_property import actor_names, source_events
from tui.analytics.definition import parse_chart
from tui.analytics.retention import retention, retention_point_events_sql

FIRST_DAY, LAST_DAY = date(2024, 3, 9), date(2024, 3, 11)
# New York moves its clocks on 2024-03-10, inside the range.
ZONES = ["America/New_York", "Asia/Kolkata", "UTC"]

event_strategy = st.fixed_dictionaries({
    "event_type": st.sampled_from(["A", "B", "C"]),
    "minute": st.integers(min_value=0, max_value=6 * 24 * 60),
    "user_id": st.sampled_from([None, "u1", "u2", "u3", "null"]),
    "device_id": st.sampled_from([None, "d1", "d2", "d3"]),
    "color": st.sampled_from(["red", "blue", None]),
    "platform": st.sampled_from(["iOS", "Web", None]),
    # Minutes the device's clock lags the server's; a lag can reorder events.
    "lag": st.sampled_from([0, 0, 0, 45, 600]),
    "team": st.sampled_from([None, "x", "y", ["x", "y"]]),
})
where_strategy = st.sampled_from([[], [{"property": "color", "op": "=", "value": "red"}]])
chart_strategy = st.fixed_dictionaries({
    "start": st.sampled_from(["A", "*"]),
    "return": st.sampled_from(["A", "B", "*"]),
    "start_where": where_strategy,
    "return_where": where_strategy,
    "where": st.sampled_from([[], [{"property": "platform", "op": "=", "value": "iOS"}]]),
    "period": st.sampled_from(["day", "day", "week"]),
    # None leaves the key out, so the cohorts are the period's days or weeks.
    "interval": st.sampled_from([None, None, "day", "week", "month", "hour"]),
    "periods": st.integers(min_value=1, max_value=3),
    "mode": st.sampled_from(["on", "on_or_after"]),
    "rolling": st.booleans(),
    "zone": st.sampled_from(ZONES),
})
grouping_strategy = st.fixed_dictionaries({
    "group_by": st.sampled_from([None, None, "color", "platform", "group:team"]),
    "count_by": st.sampled_from([None, None, "group:team"]),
})


@dataclass(frozen=True)
class Row:
    name: str
    event_type: str
    event_time: datetime
    client_time: datetime
    seq: int
    color: str | None
    platform: str | None
    teams: tuple[str, ...]

    @property
    def key(self) -> tuple[datetime, int]:
        return (self.client_time, self.seq)


def chart_object(drawn: dict) -> dict:
    obj = {
        "type": "retention",
        "start": {"event": drawn["start"], "where": drawn["start_where"]},
        "return": {"event": drawn["return"], "where": drawn["return_where"]},
        "where": drawn["where"],
        "range": {"from": FIRST_DAY.isoformat(), "to": LAST_DAY.isoformat()},
        "period": drawn["period"],
        "periods": drawn["periods"],
        "mode": drawn["mode"],
        "rolling": drawn["rolling"],
        "timezone": drawn["zone"],
    }
    for key in ("interval", "group_by", "count_by"):
        if drawn.get(key) is not None:
            obj[key] = drawn[key]
    return obj


def import_rows(drawn_events: list[dict]) -> list[dict]:
    """Return the import rows with a unique insert id each, and a client time where the clock lags."""
    rows = source_events(drawn_events)
    for index, (row, drawn) in enumerate(zip(rows, drawn_events)):
        row["insert_id"] = f"e{index}"
        lagged = datetime.fromisoformat(row["event_time"]) - timedelta(minutes=drawn["lag"])
        row["client_time"] = lagged.isoformat()
    return rows


def add_teams(rows: list[dict], drawn_events: list[dict]) -> list[dict]:
    """Return ``rows`` with each drawn event's teams (group type ``team``), where it names any."""
    for row, drawn in zip(rows, drawn_events):
        if drawn["team"] is not None:
            row["groups"] = {"team": drawn["team"]}
    return rows


def client_actor_names(rows: list[dict]) -> list[str]:
    """Return each row's actor as ``actor_names`` does, but a device's first user is found by client time.

    The import gives an anonymous device to the first user it was seen with
    by (client_time, file order), and these rows have lagging device clocks.
    """
    return actor_names([dict(row, event_time=row["client_time"]) for row in rows])


def matches(row: Row, spec: dict, chart: dict) -> bool:
    """Tell whether ``row`` is an event of ``spec`` with its and the chart's where items."""
    if spec["event"] != "*" and row.event_type != spec["event"]:
        return False
    if spec["where"] and row.color != "red":
        return False
    return not chart["where"] or row.platform == "iOS"


class HandCount:
    """The retention table of one chart, counted event by event, per unit: an actor's name or a team."""

    def __init__(self, rows: list[Row], chart: dict, last_event: datetime | None = None):
        """Count ``rows``; ``last_event`` is the project's largest event time when ``rows`` leave some events out."""
        self.chart = chart
        self.interval = chart.get("interval") or chart["period"]
        self.zone = ZoneInfo(chart["timezone"])
        self.periods = chart["periods"]
        self.first_starts = self._first_starts(rows)
        self.returns = self._returns(rows)
        self.last_event = last_event or max(row.event_time for row in rows)

    def grid_index(self, instant: datetime) -> int:
        """Return the day or week number of ``instant``'s local date, counted from the range's first day."""
        day = instant.astimezone(self.zone).date()
        if self.chart["period"] == "day":
            return (day - FIRST_DAY).days
        return (_monday(day) - _monday(FIRST_DAY)).days // 7

    def cohort_index(self, instant: datetime) -> int:
        """Return the number of the interval bucket containing ``instant``, counted from the range's first one."""
        day = instant.astimezone(self.zone).date()
        if self.interval == "hour":
            # Every zone drawn has offsets in whole hours or a constant one, so local hours are real hours.
            return (instant - _midnight(FIRST_DAY, self.zone)) // timedelta(hours=1)
        if self.interval == "day":
            return (day - FIRST_DAY).days
        if self.interval == "week":
            return (_monday(day) - _monday(FIRST_DAY)).days // 7
        return (day.year - FIRST_DAY.year) * 12 + day.month - FIRST_DAY.month

    def cohort_start(self, bucket: int) -> datetime:
        """Return the instant cohort ``bucket`` begins, clipped to the range's first day."""
        first = _midnight(FIRST_DAY, self.zone)
        if self.interval == "hour":
            return first + timedelta(hours=bucket)
        if self.interval == "day":
            return _midnight(FIRST_DAY + timedelta(days=bucket), self.zone)
        if self.interval == "week":
            return max(_midnight(_monday(FIRST_DAY) + timedelta(weeks=bucket), self.zone), first)
        # The range lies in one month.
        return first

    def begun(self, bucket: int, period: int) -> bool:
        """Tell whether ``period`` of cohort ``bucket`` began by the last event for the cohort's earliest start.

        Calendar periods begin at local midnight of their day or Monday,
        counted from the day or week containing the cohort bucket's start.
        Rolling ones begin ``period`` windows after the cohort bucket's start.
        """
        start = self.cohort_start(bucket)
        if self.chart["rolling"]:
            begins = start + period * timedelta(days=1 if self.chart["period"] == "day" else 7)
        elif self.chart["period"] == "day":
            begins = _midnight(start.astimezone(self.zone).date() + timedelta(days=period), self.zone)
        else:
            begins = _midnight(_monday(start.astimezone(self.zone).date()) + timedelta(weeks=period), self.zone)
        return begins <= self.last_event

    def units(self, row: Row) -> tuple[str, ...]:
        """Return the units ``row`` counts for: its actor, or the teams it names when counted by team."""
        return row.teams if self.chart.get("count_by") == "group:team" else (row.name,)

    def _first_starts(self, rows: list[Row]) -> dict[str, Row]:
        first: dict[str, Row] = {}
        for row in rows:
            local_day = row.event_time.astimezone(self.zone).date()
            if FIRST_DAY <= local_day <= LAST_DAY and matches(row, self.chart["start"], self.chart):
                for unit in self.units(row):
                    if unit not in first or row.key < first[unit].key:
                        first[unit] = row
        return first

    def _returns(self, rows: list[Row]) -> dict[str, dict[int, set[int]]]:
        """Return each actor's return event seqs by period."""
        found: dict[str, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
        unit = timedelta(days=1 if self.chart["period"] == "day" else 7)
        for row in rows:
            for name in self.units(row):
                start = self.first_starts.get(name)
                if start is None or row.key <= start.key or not matches(row, self.chart["return"], self.chart):
                    continue
                if self.chart["rolling"]:
                    period = math.floor((row.client_time - start.client_time) / unit)
                else:
                    period = self.grid_index(row.event_time) - self.grid_index(start.event_time)
                if 0 <= period <= self.periods:
                    found[name][period].add(row.seq)
        return found

    def segments(self, name: str) -> set[str | None]:
        """Return the segments of unit ``name``, from its first start; each drawn property has under ten values."""
        start = self.first_starts[name]
        group_by = self.chart.get("group_by")
        if group_by is None:
            return {None}
        if group_by == "group:team":
            values = {name} if self.chart.get("count_by") == "group:team" else set(start.teams)
        else:
            value = start.color if group_by == "color" else start.platform
            values = {value} if value is not None else set()
        return values or {"(none)"}

    def cohort(self, bucket: int, segment: str | None = None) -> set[str]:
        return {
            name
            for name, start in self.first_starts.items()
            if self.cohort_index(start.event_time) == bucket and segment in self.segments(name)
        }

    def counted_seqs(self, name: str, period: int) -> set[int]:
        """Return the seqs of ``name``'s return events that retain them in ``period``."""
        by_period = self.returns.get(name, {})
        if self.chart["mode"] == "on":
            return set(by_period.get(period, set()))
        return {seq for later, seqs in by_period.items() if later >= period for seq in seqs}


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone)


def stored_rows(project, rows: list[dict], names: list[str]) -> list[Row]:
    """Return the imported events with their seq, read back by insert id."""
    seqs = dict(project.cursor().execute("SELECT insert_id, seq FROM events").fetchall())
    return [
        Row(
            name=name,
            event_type=row["event_type"],
            event_time=datetime.fromisoformat(row["event_time"]),
            client_time=datetime.fromisoformat(row["client_time"]),
            seq=seqs[row["insert_id"]],
            color=row["event_properties"].get("color"),
            platform=row.get("platform"),
            teams=_teams(row),
        )
        for row, name in zip(rows, names)
    ]


def _teams(row: dict) -> tuple[str, ...]:
    team = row.get("groups", {}).get("team")
    if team is None:
        return ()
    return tuple(team) if isinstance(team, list) else (team,)


def point_rows(cursor, definition, project, cell, dropped) -> list[tuple[str, int]]:
    """Return the point's events as (unit, seq): the actor's user id or device id, or the team's name."""
    sql, params = retention_point_events_sql(definition, project, cell.bucket, cell.period, dropped, cell.segment)
    if definition.count_by:
        unit, source = "groups.group_name", f"({sql}) AS part JOIN groups USING (group_id)"
    else:
        unit, source = "coalesce(actors.user_id, actors.device_id)", f"({sql}) AS part JOIN actors USING (actor_id)"
    return cursor.execute(f"SELECT {unit}, part.seq FROM {source}", params).fetchall()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    drawn_events=st.lists(event_strategy, min_size=1, max_size=25),
    drawn_chart=chart_strategy,
    drawn_grouping=grouping_strategy,
)
def test_retention_points_equal_chart_and_hand_count(drawn_events, drawn_chart, drawn_grouping):
    rows = add_teams(import_rows(drawn_events), drawn_events)
    names = client_actor_names(rows)
    obj = chart_object({**drawn_chart, **drawn_grouping})
    definition = parse_chart(obj)

    with tempfile.TemporaryDirectory() as folder:
        with build_project(Path(folder), rows, timezone="UTC") as project:
            hand = HandCount(stored_rows(project, rows, names), obj)
            cursor = project.cursor()
            frame = retention(cursor, definition, project)
            expected_segments = set().union(*(hand.segments(name) for name in hand.first_starts))
            if definition.group_by is None:
                expected_segments = {None}
            assert set(frame["segment"]) == expected_segments, obj
            for cell in frame.itertuples():
                cohort = hand.cohort(cell.bucket, cell.segment)
                counted = {name: hand.counted_seqs(name, cell.period) for name in cohort}
                retained = {name for name, seqs in counted.items() if seqs}
                assert cell.cohort_size == len(cohort), (cell, obj)
                assert cell.retained == len(retained), (cell, obj)

                returned = point_rows(cursor, definition, project, cell, dropped=False)
                assert {name for name, _ in returned} == retained, (cell, obj)
                assert {seq for _, seq in returned} == set().union(*counted.values()), (cell, obj)

                dropped = point_rows(cursor, definition, project, cell, dropped=True)
                # A period that had not begun has no not-retained units, unless a return landed in it.
                not_retained = cohort - retained if retained or hand.begun(cell.bucket, cell.period) else set()
                expected = {(name, hand.first_starts[name].seq) for name in not_retained}
                assert set(dropped) == expected, (cell, obj)
                assert len(dropped) == cell.not_retained, (cell, obj)
