"""The parts of a user's profile: the facts table, and the activity rows grouped under session headers."""

from __future__ import annotations

import pandas as pd
from rich.table import Table
from rich.text import Text

from tui.analytics.microscope.profile import Profile
from tui.app.formatting import format_number, quantity_text
from tui.app.microscope.cells import TIME_CELLS, format_moment, properties_text, property_value, time_text
from tui.app.microscope.row_view import Column, Row
from tui.app.microscope.stream_rows import event_text, out_of_session_count, session_label, session_name
from tui.text import printable

ACTIVITY_COLUMNS = [Column("Time", TIME_CELLS), Column("Event"), Column("Event properties")]


def facts_table(profile: Profile, zone: str) -> Table:
    """Return the user's ids, first and last seen, event count, cohorts, groups and latest user properties."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    user_id = printable(profile.user_id) if profile.user_id is not None else "(never identified)"
    devices = ", ".join(printable(device) for device in profile.device_ids) or "(none)"
    cohorts = ", ".join(printable(name) for name in profile.cohorts) or "(none)"
    rows = [
        ("User id", user_id),
        ("Device ids", devices),
        ("First seen", f"{format_moment(profile.first_seen, zone)} {zone}"),
        ("Last seen", f"{format_moment(profile.last_seen, zone)} {zone}"),
        ("Events", format_number(profile.event_count)),
        ("Cohorts", cohorts),
    ]
    rows.extend(_group_rows(profile))
    if not profile.properties:
        rows.append(("User properties", "(none)"))
    for index, (name, value) in enumerate(profile.properties):
        label = "User properties" if index == 0 else ""
        rows.append((label, f"{printable(name)} = {property_value(value)}"))
    for label, value in rows:
        table.add_row(Text(label), Text(value))
    return table


def _group_rows(profile: Profile) -> list[tuple[str, str]]:
    """Return one fact per group type, ``TYPE = name, name``, and a last one counting the groups not listed."""
    if not profile.groups:
        return [("Groups", "(none)")]
    names_by_type: dict[str, list[str]] = {}
    for group_type, group_name in profile.groups:
        names_by_type.setdefault(group_type, []).append(printable(group_name))
    rows = []
    for index, (group_type, names) in enumerate(names_by_type.items()):
        label = "Groups" if index == 0 else ""
        rows.append((label, f"{printable(group_type)} = {', '.join(names)}"))
    unlisted = profile.group_count - len(profile.groups)
    if unlisted > 0:
        rows.append(("", f"and {quantity_text(unlisted, 'more groups', 'more group')} not listed"))
    return rows


def activity_rows(events: pd.DataFrame, zone: str, more: bool) -> list[Row]:
    """Return the activity rows: each session block's header, then its events, newest first as ``activity`` gives them.

    ``more`` means that older events remain unloaded, so the last block may
    have started before its oldest loaded event.
    """
    rows: list[Row] = []
    records = list(events.itertuples(index=False))
    for session, complete in _session_blocks(records, more):
        rows.append(Row((Text(_block_label(session, zone, complete)),), rule=True))
        rows.extend(_event_row(event, zone) for event in session)
    return rows


def _session_blocks(records: list, more: bool) -> list[tuple[list, bool]]:
    """Split newest-first ``records`` into session blocks, each with whether it is complete.

    A block runs down to its first event (``session_start``). Blocks out of
    session have no ``session_number``, so the split goes by ``session_start``.
    """
    blocks = []
    start = 0
    while start < len(records):
        end = start
        while end < len(records) - 1 and not records[end].session_start:
            end += 1
        end += 1
        complete = bool(records[end - 1].session_start) or not (more and end == len(records))
        blocks.append((records[start:end], complete))
        start = end
    return blocks


def _block_label(session: list, zone: str, complete: bool) -> str:
    """Return a session block's header from its events, newest first: see ``session_label``."""
    newest, oldest = session[0], session[-1]
    name = session_name(oldest.session_number, oldest.block_session_key, oldest.block_session_id, oldest.event_time)
    cut = None if complete else "before"
    out_of_session = out_of_session_count(oldest.block_session_key, [event.session_key for event in session])
    return session_label(
        name, oldest.event_time, newest.event_time, len(session), zone, cut, out_of_session=out_of_session
    )


def _event_row(event, zone: str) -> Row:
    cells = (
        time_text(event.event_time, zone),
        event_text(event.event_type, event.session_key),
        Text(properties_text(event.event_properties)),
    )
    return Row(cells, key=int(event.seq))
