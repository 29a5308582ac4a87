"""One block of demo actors turned into a table of events, in the columns an export has."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tui.store.demo import clock, product, properties
from tui.store.demo.contents import SessionEvents, fill_sessions
from tui.store.demo.sessions import SIGNUP, VISIT, Sessions, make_sessions
from tui.store.demo.timeline import Timeline, make_timeline
from tui.store.demo.users import EXISTING, DemoUsers

CODE = product.EVENT_CODES
SERVER_CODES = np.array([CODE[name] for name in product.SERVER_EVENTS])
NEVER_MS = np.iinfo(np.int64).max

SCHEMA = pa.schema(
    [
        ("event_type", pa.string()),
        ("event_time", pa.timestamp("ms", tz="UTC")),
        ("user_id", pa.string()),
        ("device_id", pa.string()),
        ("session_id", pa.int64()),
        ("insert_id", pa.string()),
        ("platform", pa.string()),
        ("os", pa.string()),
        ("country", pa.string()),
        ("city", pa.string()),
        ("app_version", pa.string()),
        ("event_properties", pa.string()),
        ("user_properties", pa.string()),
        ("groups", pa.string()),
    ]
)


def generate_block(users: DemoUsers, seed: int, block_index: int) -> pa.Table:
    """Generate the events of one block of actors, sorted by time."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 1, block_index]))
    sessions = make_sessions(users, rng)
    events = fill_sessions(sessions, users, rng)
    timeline = make_timeline(sessions, events, rng)
    table = _event_table(users, sessions, events, timeline, rng)

    # Send a few events twice with the same insert_id, as clients do when an upload times out.
    copies = 1 + (rng.random(table.num_rows) < product.P_RETRIED_EVENT)
    rows = np.repeat(np.arange(table.num_rows), copies)
    event_ms = timeline.event_ms[timeline.inside_range][rows]
    return table.take(pa.array(rows[np.argsort(event_ms, kind="stable")]))


def _event_table(
    users: DemoUsers, sessions: Sessions, events: SessionEvents, timeline: Timeline, rng: np.random.Generator
) -> pa.Table:
    inside = np.flatnonzero(timeline.inside_range)
    session = events.session[inside]
    code = events.code[inside]
    event_ms = timeline.event_ms[inside]
    actor = sessions.actor[session]
    second = sessions.second_device[session]
    server = np.isin(code, SERVER_CODES)
    kind = sessions.kind[session]
    anonymous = (kind == VISIT) | ((kind == SIGNUP) & (code == CODE["Page View"]))

    delay_ms = np.where(second, users.second_update_delay_ms[actor], users.update_delay_ms[actor])
    facts = properties.EventFacts(
        code=code,
        actor=actor,
        version=clock.version_index(event_ms, delay_ms),
        anonymous=anonymous,
        plan=_plan_at(users, actor, code, event_ms),
        role_known=event_ms >= _role_known_since(users, actor, code, event_ms),
        users=users,
        rng=rng,
    )
    columns = {
        "event_type": _names(product.EVENT_TYPES, code),
        "event_time": pa.array(event_ms, pa.timestamp("ms", tz="UTC")),
        "user_id": _user_ids(users, actor, anonymous, server, rng),
        "device_id": _null_where(server, _device_ids(users, actor, second)),
        "session_id": np.where(server, -1, timeline.session_start_ms[session]),
        "insert_id": pc.cast(pa.array(rng.integers(0, 2**63, size=len(code))), pa.string()),
    }
    columns.update(_device_columns(users, actor, second, facts.version, server))
    columns["event_properties"] = properties.event_properties(facts)
    columns["user_properties"] = properties.user_properties(facts)
    columns["groups"] = properties.groups(facts)
    return pa.table(columns, schema=SCHEMA)


def _plan_at(users: DemoUsers, actor: np.ndarray, code: np.ndarray, event_ms: np.ndarray) -> np.ndarray:
    """Return each event's plan: the paid plan from the actor's purchase on, the starting plan before it."""
    paid_since = _first_time(len(users), actor, event_ms, code == CODE["Purchase"])
    return np.where(event_ms >= paid_since[actor], users.paid_plan[actor], users.plan[actor])


def _role_known_since(users: DemoUsers, actor: np.ndarray, code: np.ndarray, event_ms: np.ndarray) -> np.ndarray:
    """Return, per event, when its actor's role became known: always for existing users, else at Complete Profile."""
    since = _first_time(len(users), actor, event_ms, code == CODE["Complete Profile"])
    since = np.where(users.kind == EXISTING, np.iinfo(np.int64).min, since)
    return since[actor]


def _first_time(n_actors: int, actor: np.ndarray, event_ms: np.ndarray, selected: np.ndarray) -> np.ndarray:
    first = np.full(n_actors, NEVER_MS, dtype=np.int64)
    np.minimum.at(first, actor[selected], event_ms[selected])
    return first


def _user_ids(
    users: DemoUsers, actor: np.ndarray, anonymous: np.ndarray, server: np.ndarray, rng: np.random.Generator
) -> pa.Array:
    """Return user ids: null before sign-up, and now and then a fake id from a buggy client (never the server)."""
    user_id = _null_where(anonymous, users.user_id.take(pa.array(actor)))
    fake = ~anonymous & ~server & (rng.random(len(actor)) < product.P_FAKE_USER_ID)
    fake_text = _names(product.FAKE_USER_IDS, rng.integers(0, len(product.FAKE_USER_IDS), size=len(actor)))
    return pc.if_else(pa.array(fake), fake_text, user_id)


def _device_ids(users: DemoUsers, actor: np.ndarray, second: np.ndarray) -> pa.Array:
    primary = users.device_id.take(pa.array(actor))
    other = users.second_device_id.take(pa.array(actor))
    return pc.if_else(pa.array(second), other, primary)


def _device_columns(
    users: DemoUsers, actor: np.ndarray, second: np.ndarray, version: np.ndarray, server: np.ndarray
) -> dict[str, pa.Array]:
    """Return platform, os, country, city and app_version; the billing server sends none of them."""
    platform = np.where(second, users.second_platform[actor], users.platform[actor])
    # Mobile devices report their platform as the OS; web browsers report the computer's OS.
    os_names = product.WEB_OS + product.PLATFORMS[1:]
    os_index = np.where(platform == product.WEB, users.web_os[actor], len(product.WEB_OS) + platform - 1)
    location = users.location[actor]
    columns = {
        "platform": _names(product.PLATFORMS, platform),
        "os": _names(os_names, os_index),
        "country": _names([row[0] for row in product.LOCATIONS], location),
        "city": _names([row[1] for row in product.LOCATIONS], location),
        "app_version": _names([row[0] for row in product.VERSIONS], version),
    }
    return {name: _null_where(server, values) for name, values in columns.items()}


def _names(vocabulary, index: np.ndarray) -> pa.Array:
    return pa.array(list(vocabulary), pa.string()).take(pa.array(index))


def _null_where(mask: np.ndarray, values: pa.Array) -> pa.Array:
    return pc.if_else(pa.array(mask), pa.scalar(None, values.type), values)

