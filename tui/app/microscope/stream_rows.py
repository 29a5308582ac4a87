"""The rows of a batch of user streams: a header per user, events, and lines at range edges and session starts.

Events that counted toward the point carry ``MARK`` in the mark column and are
drawn bold, so they stand out without colour too. An event out of session
shows ``OUT_OF_SESSION_MARK`` after its name and draws no line of its own,
because it belongs to the session block of the events around it (see
``tui.analytics.microscope.sequence``). The line above a session block's first
event reads like a profile's session header (``session_label``), counting the
block's events that the stream shows and those of them out of session. A block
that began before the stream's first event gets its line above that event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from rich.text import Text

from tui.analytics.microscope.streams import FROM_START, STREAM_COLUMNS
from tui.app.formatting import SEPARATOR, format_number, quantity_text
from tui.app.microscope.cells import TIME_CELLS, data_text, format_duration, format_moment, is_missing, time_text
from tui.app.microscope.row_view import Column, Row
from tui.text import printable

# The label of the line drawn where the point's range starts, before its time.
RANGE_START = "range start"
# The mark after the name of an event out of session: words in profiles, a symbol in streams,
# whose status line explains it, so that the name keeps the width of a narrow Event column.
OUT_OF_SESSION = "(out of session)"
OUT_OF_SESSION_MARK = "∅"
# The widest Event column of a stream in cells, so that a long event name from the data leaves
# room for the property columns.
MAX_EVENT_CELLS = 32
# How far a numeric session id may be from its session's first event and still be read as the
# session's start in Unix milliseconds (Amplitude's session ids), which the start time already shows.
# A day allows for a device clock far off the server's.
SESSION_ID_CLOCK_SLACK = timedelta(days=1)


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


def stream_columns(property_names: list[str], event_cells: int = 0) -> list[Column]:
    """Return the stream's columns, with an Event column ``event_cells`` wide (0 shares the width)."""
    event = Column("Event", event_cells)
    return [Column("Time", TIME_CELLS), event] + [Column(printable(name)) for name in property_names]


@dataclass(frozen=True)
class StreamLayout:
    """A batch's rows, with the row index of each user's header and of each user's "range start" line.

    ``event_cells`` is the width of the widest Event cell (at most ``MAX_EVENT_CELLS``),
    and ``out_of_session`` is true when any event shows ``OUT_OF_SESSION_MARK``.
    """

    rows: list[Row]
    user_starts: list[int]
    range_starts: list[int]
    event_cells: int = 0
    out_of_session: bool = False


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
    out_of_session = bool(batch.events["session_key"].isna().any())
    return StreamLayout(rows, user_starts, range_starts, _event_cells(rows), out_of_session)


def _event_cells(rows: list[Row]) -> int:
    """Return the width of the widest Event cell of ``rows``, at most ``MAX_EVENT_CELLS``."""
    widest = max((row.cells[1].cell_len for row in rows if not row.rule), default=0)
    return min(widest, MAX_EVENT_CELLS)


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
    session_labels = _session_labels(events, zone)
    for index, event in enumerate(events):
        position = event["position"]
        if previous in (None, "before") and position != "before":
            rows.append(_line(user, f"{RANGE_START} {format_moment(batch.start, zone)}"))
        if previous != "after" and position == "after":
            rows.append(_line(user, f"range end {format_moment(batch.end, zone)}"))
        if index in session_labels:
            rows.append(_line(user, session_labels[index]))
        rows.append(_event_row(user, event, zone, property_columns))
        previous = position
    # A range the user has no event after still gets its edges drawn.
    if previous in (None, "before"):
        rows.append(_line(user, f"{RANGE_START} {format_moment(batch.start, zone)}"))
    if previous != "after":
        rows.append(_line(user, f"range end {format_moment(batch.end, zone)}"))
    return rows


def _session_labels(events: list[dict], zone: str) -> dict[int, str]:
    """Return the label of each session block's line, keyed by the index of the block's first shown event.

    A block counts the events the stream shows. The first block may have begun
    before the stream's first event, which then starts no block of its own, and
    the last block may go on past the stream's last event when the stream may
    have cut events after it.
    """
    starts = [index for index, event in enumerate(events) if event["session_break"]]
    # A stream that opens partway through a block still heads that block, so that its events show their session.
    if events and not events[0]["session_break"]:
        starts.insert(0, 0)
    labels = {}
    for start, end in zip(starts, starts[1:] + [len(events)]):
        block = events[start:end]
        first, last = block[0], block[-1]
        # NOTE: a block that began before the stream has its id compared with its first shown event,
        # so its id shows when that event is more than SESSION_ID_CLOCK_SLACK after the session's start.
        name = session_name(None, first["block_session_key"], first["block_session_id"], first["event_time"])
        cut = "after" if end == len(events) and _may_cut_later_events(events) else None
        out_of_session = out_of_session_count(first["block_session_key"], [event["session_key"] for event in block])
        labels[start] = session_label(
            name, first["event_time"], last["event_time"], len(block), zone, cut,
            out_of_session=out_of_session, began_before_stream=not first["session_break"],
        )
    return labels


def out_of_session_count(block_session_key, session_keys: list) -> int:
    """Return how many of a session block's events are out of session, or 0 for a block out of session.

    A block out of session has only such events, and its name already states that.
    """
    if is_missing(block_session_key):
        return 0
    return sum(1 for session_key in session_keys if is_missing(session_key))


def _may_cut_later_events(events: list[dict]) -> bool:
    """Return whether the user may have events after the stream's last one.

    The stream keeps events after the range only until ``FROM_START`` events
    are shown from the range start on. Fewer than that means that the user has
    no later event, and that many or more (all in the range) may leave some out.
    """
    from_start = sum(1 for event in events if event["position"] != "before")
    return from_start >= FROM_START


def session_name(number, session_key, session_id, started) -> str:
    """Return a session block's name: ``Session``, its ``number`` in the user's history if known, and its id.

    A block with no ``session_key`` is ``Out of session``. The id is left out
    where it only repeats the start time (see ``SESSION_ID_CLOCK_SLACK``).
    """
    if is_missing(session_key):
        return "Out of session"
    name = "Session" if is_missing(number) else f"Session {int(number)}"
    if is_missing(session_id) or _is_start_stamp(str(session_id), started):
        return name
    # A numbered session puts its id in brackets ("Session 2 (s1)"). Without a number the id follows the word.
    if is_missing(number):
        return f"{name} {printable(session_id)}"
    return f"{name} ({printable(session_id)})"


def _is_start_stamp(session_id: str, started) -> bool:
    """Return whether ``session_id`` reads as the Unix time in milliseconds of ``started``, give or take the slack."""
    if not (session_id.isascii() and session_id.isdigit()):
        return False
    started_ms = started.timestamp() * 1000
    return abs(int(session_id) - started_ms) <= SESSION_ID_CLOCK_SLACK.total_seconds() * 1000


def session_label(
    name: str,
    first_time,
    last_time,
    event_count: int,
    zone: str,
    cut: str | None = None,
    *,
    out_of_session: int = 0,
    began_before_stream: bool = False,
) -> str:
    """Return a session block's header: name, start time, length (last minus first event time) and event count.

    ``cut`` is ``"before"`` when the events before ``first_time`` are not
    loaded yet (a profile, newest first) and ``"after"`` when the events after
    ``last_time`` are not shown (a stream), else None. ``began_before_stream``
    means that the block's first event comes before the stream's first one, so
    its start time and length are unknown. ``out_of_session`` counts the
    block's events out of session, which the header adds to the event count.
    """
    count = quantity_text(event_count, "events")
    started = format_moment(first_time, zone)
    if cut == "before":
        counts = _counts(f"{count} so far", out_of_session)
        return SEPARATOR.join((name, f"started before {started}, older events below", counts))
    shown_count = f"{count} shown before the stream ends" if cut == "after" else f"{count} shown"
    if began_before_stream:
        return SEPARATOR.join((name, "began before the stream", _counts(shown_count, out_of_session)))
    if cut == "after":
        return SEPARATOR.join((name, f"started {started}", _counts(shown_count, out_of_session)))
    length = format_duration((last_time - first_time).total_seconds())
    return SEPARATOR.join((name, f"started {started}", length, _counts(count, out_of_session)))


def _counts(count: str, out_of_session: int) -> str:
    """Return the event ``count`` text, followed by how many of those events are out of session if any."""
    if out_of_session == 0:
        return count
    return f"{count}, {format_number(out_of_session)} out of session"


def _line(user: StreamKey, label: str) -> Row:
    return Row((Text(label),), key=user, rule=True)


def _event_row(user: StreamKey, event: dict, zone: str, property_columns: list) -> Row:
    name = event_text(event["event_type"], event["session_key"], OUT_OF_SESSION_MARK)
    cells = [time_text(event["event_time"], zone), name]
    cells.extend(data_text(event[column]) for column in property_columns)
    key = StreamKey(user.actor_id, user.display_id, int(event["seq"]))
    return Row(tuple(cells), key=key, marked=bool(event["counted"]))


def event_text(event_type: str, session_key, mark: str = OUT_OF_SESSION) -> Text:
    """Return an event's name as literal text, followed by ``mark`` when ``session_key`` is NULL."""
    text = data_text(event_type)
    if is_missing(session_key):
        text.append(f" {mark}", style="italic")
    return text
