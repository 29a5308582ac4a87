"""The hashed keys stored on events: dedupe keys and the keys of sessions from a session id.

A row's dedupe key is a 128-bit number (``UHUGEINT``) built from two
64-bit DuckDB ``hash()`` values of different inputs (the value, and the value
behind a one-character prefix), so the halves collide independently for
ordinary data. Its input is the insert id when the source gives one.
Otherwise it is the stored row, and a row that repeats an identical earlier
row of its file gets its occurrence number mixed in: two clicks in the same
millisecond are both kept, while importing the file again adds nothing.

A session from a session id is keyed by a 63-bit hash of (actor, session id),
stored as a negative BIGINT. Sessions from the inactivity gap take the
positive numbers, and new events join an old session without looking it up.

DuckDB does not promise that ``hash()`` stays the same across releases, so
each import stores ``fingerprint()`` in the project's settings. When a later
DuckDB computes another fingerprint, ``check_project_keys`` recomputes every
stored key before the import compares keys.
"""

from __future__ import annotations

import json
import logging

import duckdb

from tui.store.statements import run, scalar

log = logging.getLogger(__name__)

FINGERPRINT_SETTING = "key_fingerprint"

# The stored columns that identify a row without an insert id.
CONTENT_FIELDS = (
    "event_type", "event_time", "client_time", "user_id", "device_id", "session_id", "event_properties",
    "user_properties", "groups", "platform", "os", "country", "city", "app_version",
)
TIME_FIELDS = ("event_time", "client_time")

LOWER_64_BITS = "18446744073709551615::UHUGEINT"

# Events whose session comes from their session id; '-1' means out of session.
SOURCE_SESSION = "session_id IS NOT NULL AND session_id <> '-1'"


def insert_key_sql(column: str) -> str:
    """Return SQL for the dedupe key of the insert id in ``column``."""
    return f"((hash({column})::UHUGEINT << 64) | hash('~' || {column})::UHUGEINT)"


def content_key_sql() -> str:
    """Return SQL for the dedupe key of a row without an insert id, from its stored columns.

    Times hash as integers, which never collide, so only the text columns
    need the prefixed second hash.
    """
    plain = ", ".join(CONTENT_FIELDS)
    prefixed = ", ".join(name if name in TIME_FIELDS else f"'~' || {name}" for name in CONTENT_FIELDS)
    return f"((hash({plain})::UHUGEINT << 64) | hash({prefixed})::UHUGEINT)"


def copy_key_sql(key: str, occurrence: str) -> str:
    """Return SQL for the key of the ``occurrence``-th identical row (from 2 on) whose first copy has ``key``."""
    return (
        f"((hash(CAST({key} >> 64 AS UBIGINT), {occurrence})::UHUGEINT << 64) "
        f"| hash(CAST({key} & {LOWER_64_BITS} AS UBIGINT), {occurrence})::UHUGEINT)"
    )


def session_key_sql(actor: str, session_id: str) -> str:
    """Return SQL for the key of the session ``session_id`` of ``actor``: a negative BIGINT."""
    # NOTE: two sessions share a key only if their 63-bit hashes collide: an estimated
    # chance of 5e-6 among 10 million sessions, taking the hash as random bits.
    return f"(-1 - CAST(hash({actor}, {session_id}) >> 1 AS BIGINT))"


def fingerprint(cur: duckdb.DuckDBPyConnection) -> str:
    """Return the keys this DuckDB gives a fixed insert id, row and session, as text."""
    values = ", ".join(
        f"TIMESTAMPTZ '2024-01-01 00:00:00+00' AS {name}" if name in TIME_FIELDS else f"'{name}' AS {name}"
        for name in CONTENT_FIELDS
    )
    keys = [insert_key_sql("'insert id'"), content_key_sql(), copy_key_sql(content_key_sql(), 2),
            session_key_sql("CAST(7 AS BIGINT)", "session_id")]
    texts = ", ".join(f"CAST({key} AS VARCHAR)" for key in keys)
    return scalar(cur, "key fingerprint", f"SELECT concat_ws(' ', {texts}) FROM (SELECT {values})")


def check_project_keys(cur: duckdb.DuckDBPyConnection) -> None:
    """Recompute the project's stored keys when another key function made them, and store the fingerprint.

    Runs inside the import's transaction, before new keys are compared.
    """
    current = fingerprint(cur)
    rows = run(cur, "read key fingerprint", "SELECT value FROM settings WHERE key = ?",
               [FINGERPRINT_SETTING]).fetchall()
    stored = json.loads(rows[0][0]) if rows else None
    if stored == current:
        return
    if scalar(cur, "any events", "SELECT count(*) FROM (SELECT 1 FROM events LIMIT 1)"):
        log.info("stored dedupe and session keys come from another key function; recomputing them")
        _rekey_dedupe(cur)
        run(cur, "rekey source sessions",
            f"UPDATE events SET session_key = {session_key_sql('actor_id', 'session_id')} WHERE {SOURCE_SESSION}")
    run(cur, "store key fingerprint", "INSERT OR REPLACE INTO settings VALUES (?, ?)",
        [FINGERPRINT_SETTING, json.dumps(current)])


def _rekey_dedupe(cur: duckdb.DuckDBPyConnection) -> None:
    """Recompute the dedupe key of every stored event.

    Identical stored rows without an insert id are numbered again by ``seq``.
    Imports store the copies of one row as occurrences 1 to n, so the
    numbers give the same set of keys.
    """
    content = content_key_sql()
    run(cur, "rekey events", f"""
        UPDATE events SET dedupe_key = k.dedupe_key
        FROM (
            SELECT seq, CASE
                WHEN insert_id IS NOT NULL THEN {insert_key_sql("insert_id")}
                WHEN occurrence = 1 THEN content
                ELSE {copy_key_sql("content", "occurrence")} END AS dedupe_key
            FROM (
                SELECT seq, insert_id, {content} AS content,
                       row_number() OVER (PARTITION BY {content} ORDER BY seq) AS occurrence
                FROM events
            )
        ) AS k
        WHERE events.seq = k.seq
    """)
