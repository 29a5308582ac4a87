"""The rows of a batch of user streams: a header per user, events, and lines at range edges and session starts.

Events that counted toward the point carry ``MARK`` in the mark column and are
drawn bold, so they stand out without colour too. An event out of session
shows ``OUT_OF_SESSION`` after its name and draws no line of its own, because
it belongs to the session block of the events around it (see
``tui.analytics.microscope.sequence``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from rich.text import Text

from tui.analytics.microscope.streams import STREAM_COLUMNS
from tui.app.formatting import SEPARATOR, format_number
from tui.app.microscope.cells import TIME_CELLS, data_text, format_moment, is_missing, time_text
from tui.app.microscope.row_view import Column, Row
from tui.text import printable

# The label of the line drawn where the point's range starts, before its time.
RANGE_START = "range start"
# The mark after the name of an event out of session, in streams and profiles.
OUT_OF_SESSION = "(out of session)"


@dataclass(frozen=True)
class StreamBatch:
    """Users ``offset`` onwards of the list (``total`` users in all), with their streams and the range they show."""

    offset: int
    total: int
    users: pd.DataFrame
    events: pd.DataFrame
    property_names: list[str]
    start: datetime
    end: datetime


@dataclass(frozen=True)
class StreamKey:
    """The user a stream row belongs to, and its event's ``seq`` (None on a header or a line)."""

    actor_id: int
    display_id: str
    seq: int | None = None


def stream_columns(property_names: list[str]) -> list[Column]:
    return [Column("Time", TIME_CELLS), Column("Event")] + [Column(printable(name)) for name in property_names]


@dataclass(frozen=True)
class StreamLayout:
    """A batch's rows, with the row index of each user's header and of each user's "range start" line."""

    rows: list[Row]
    user_starts: list[int]
    range_starts: list[int]


def stream_rows(batch: StreamBatch, zone: str) -> StreamLayout:
    """Return the batch's rows, one user after another in the batch's order."""
    rows: list[Row] = []
    user_starts: list[int] = []
    range_starts: list[int] = []
    property_columns = list(batch.events.columns[len(STREAM_COLUMNS) :])
    by_actor = {actor_id: frame for actor_id, frame in batch.events.groupby("actor_id", sort=False)}
    for position, user in enumerate(batch.users.itertuples(index=False)):
        actor_id = int(user.actor_id)
        display_id = "" if is_missing(user.user_id) else str(user.user_id)
        events = by_actor.get(actor_id, batch.events.iloc[0:0]).to_dict("records")
        user_starts.append(len(rows))
        rows.append(_user_header(batch, position, actor_id, display_id, events))
        user_rows = _user_rows(batch, zone, StreamKey(actor_id, display_id), events, property_columns)
        range_starts.append(len(rows) + _range_start_index(user_rows))
        rows.extend(user_rows)
    return StreamLayout(rows, user_starts, range_starts)


def _range_start_index(user_rows: list[Row]) -> int:
    """Return the index of the "range start" line among one user's rows, which ``_user_rows`` always draws."""
    for index, row in enumerate(user_rows):
        if row.rule and row.plain()[0].startswith(RANGE_START):
            return index
    return 0


def _user_header(batch: StreamBatch, position: int, actor_id: int, display_id: str, events: list[dict]) -> Row:
    counted = sum(1 for event in events if event["counted"])
    number = f"User {format_number(batch.offset + position + 1)} of {format_number(batch.total)}"
    counted_text = f"{counted} counted event" if counted == 1 else f"{counted} counted events"
    label = Text(SEPARATOR.join((number, printable(display_id), counted_text)), style="bold")
    return Row((label,), key=StreamKey(actor_id, display_id), rule=True)


def _user_rows(batch: StreamBatch, zone: str, user: StreamKey, events: list[dict], property_columns: list) -> list[Row]:
    """Return one user's events in capture order, with lines where the range starts and ends and sessions start."""
    rows: list[Row] = []
    previous = None
    for event in events:
        position = event["position"]
        if previous in (None, "before") and position != "before":
            rows.append(_line(user, f"{RANGE_START} {format_moment(batch.start, zone)}"))
        if previous != "after" and position == "after":
            rows.append(_line(user, f"range end {format_moment(batch.end, zone)}"))
        if event["session_break"]:
            rows.append(_line(user, _session_text(event)))
        rows.append(_event_row(user, event, zone, property_columns))
        previous = position
    # A range the user has no event after still gets its edges drawn.
    if previous in (None, "before"):
        rows.append(_line(user, f"{RANGE_START} {format_moment(batch.start, zone)}"))
    if previous != "after":
        rows.append(_line(user, f"range end {format_moment(batch.end, zone)}"))
    return rows


def _session_text(event: dict) -> str:
    """Return the label of the line above the first event of a session block, named by the block's session."""
    if is_missing(event["block_session_key"]):
        return "out of session"
    if is_missing(event["block_session_id"]):
        return "new session"
    return f"new session {printable(event['block_session_id'])}"


def _line(user: StreamKey, label: str) -> Row:
    return Row((Text(label),), key=user, rule=True)


def _event_row(user: StreamKey, event: dict, zone: str, property_columns: list) -> Row:
    cells = [time_text(event["event_time"], zone), event_text(event["event_type"], event["session_key"])]
    cells.extend(data_text(event[column]) for column in property_columns)
    key = StreamKey(user.actor_id, user.display_id, int(event["seq"]))
    return Row(tuple(cells), key=key, marked=bool(event["counted"]))


def event_text(event_type: str, session_key) -> Text:
    """Return an event's name as literal text, followed by ``OUT_OF_SESSION`` when ``session_key`` is NULL."""
    text = data_text(event_type)
    if is_missing(session_key):
        text.append(f" {OUT_OF_SESSION}", style="italic")
    return text
