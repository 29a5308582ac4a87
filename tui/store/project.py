"""Open and create project files: one DuckDB database per project."""

from __future__ import annotations

import getpass
import json
import logging
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb

from tui.store.migrate import can_upgrade, upgrade
from tui.store.saved_objects import checkpoint
from tui.store.schema import DEFAULT_SETTINGS, ROLES, SCHEMA_VERSION, create_tables

log = logging.getLogger(__name__)

# The session gap, in minutes, that splits events without a session id into sessions.
GAP_SETTING = "session_gap_minutes"

# How many times ``change_session_gap`` has re-keyed the project's sessions. Caches of values computed
# from sessions compare it, because a re-key to the gap already stored leaves the gap setting as it was.
GAP_CHANGES_SETTING = "session_gap_changes"

# Upper bounds no real use reaches, so a mistyped number fails with a message instead of being stored.
# 36,500 days is about 100 years of events, and the session gap's bound is the same span in minutes.
MAX_PATH_DAYS = 36_500
MAX_GAP_MINUTES = MAX_PATH_DAYS * 24 * 60
MAX_EXPORT_CAP = 1_000_000_000

# Settings that take a whole number from 1 to their maximum.
WHOLE_SETTING_MAXIMUMS = {"export_user_cap": MAX_EXPORT_CAP, "path_max_days": MAX_PATH_DAYS}


def stored_setting(cursor: duckdb.DuckDBPyConnection, key: str):
    """Return the project setting ``key`` read on ``cursor``, else its default (None when it has none)."""
    # fetchall, not fetchone: DuckDB 2.0 keeps a half-read result open, which blocks con.sql().
    rows = cursor.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchall()
    return json.loads(rows[0][0]) if rows else DEFAULT_SETTINGS.get(key)

class ProjectError(Exception):
    """A project file cannot be opened or changed. The message states why and what to do."""


@dataclass
class Project:
    """An open project: its DuckDB connection and where it came from.

    ``read_only`` is true when another process has the file open for writing.
    The project is then a snapshot copy, and ``notice`` explains that to the user.
    """

    path: Path
    con: duckdb.DuckDBPyConnection
    read_only: bool = False
    notice: str | None = None
    _snapshot_dir: str | None = field(default=None, repr=False)

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """Return a new cursor, so a worker thread can run and interrupt its own query.

        Progress reporting is a per-cursor setting in DuckDB; it is switched on
        (without DuckDB printing a bar) so the app can show how far a query got.
        """
        cursor = self.con.cursor()
        cursor.execute("SET enable_progress_bar = true")
        cursor.execute("SET enable_progress_bar_print = false")
        return cursor

    def close(self) -> None:
        self.con.close()
        if self._snapshot_dir:
            shutil.rmtree(self._snapshot_dir, ignore_errors=True)

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # Settings ---------------------------------------------------------------

    def setting(self, key: str):
        return stored_setting(self.con, key)

    def set_setting(self, key: str, value) -> None:
        """Store the setting ``key``, after checking ``value`` for the settings that have rules.

        Raises ProjectError for an invalid value, for a project open read-only,
        and for the session gap, which only ``change_session_gap`` may change.
        """
        self.require_writable()
        check_setting(key, value)
        self.con.execute(
            "INSERT OR REPLACE INTO settings VALUES (?, ?)", [key, json.dumps(value)]
        )
        checkpoint(self.con)

    def all_settings(self) -> dict:
        """Return every setting, defaults included."""
        stored = self.con.execute("SELECT key, value FROM settings").fetchall()
        return {**DEFAULT_SETTINGS, **{key: json.loads(value) for key, value in stored}}

    @property
    def timezone(self) -> str:
        return self.setting("timezone")

    # Members ----------------------------------------------------------------

    def current_member(self) -> str:
        """Return the member acting now: the ``current_member`` setting, else the OS user."""
        return self.setting("current_member") or getpass.getuser()

    def role_of(self, member: str) -> str | None:
        rows = self.con.execute("SELECT role FROM members WHERE name = ?", [member]).fetchall()
        return rows[0][0] if rows else None

    def set_member(self, name: str, role: str) -> None:
        self.require_writable()
        if role not in ROLES:
            raise ProjectError(f"Invalid role {role!r} for member {name!r}: use one of {', '.join(ROLES)}.")
        self.con.execute("INSERT OR REPLACE INTO members VALUES (?, ?)", [name, role])
        checkpoint(self.con)

    def members(self) -> list[tuple[str, str]]:
        return self.con.execute("SELECT name, role FROM members ORDER BY name").fetchall()

    def require_writable(self) -> None:
        if self.read_only:
            raise ProjectError(
                f"{self.path} is open read-only because another process is writing to it. "
                "Close that process and open the project again to make changes."
            )


def check_setting(key: str, value) -> None:
    """Raise ProjectError unless ``set_setting`` may store ``value`` under ``key``."""
    if key in (GAP_SETTING, GAP_CHANGES_SETTING):
        raise ProjectError(
            f"set_setting cannot change {key}, because the sessions of the stored events must be re-keyed "
            "along with the gap. Call tui.store.session_gap.change_session_gap(project, minutes) instead."
        )
    if key == "timezone":
        check_timezone(value)
    if key in WHOLE_SETTING_MAXIMUMS:
        check_whole_setting(key, value)


def check_whole_setting(key: str, value) -> None:
    """Raise ProjectError unless ``value`` is a whole number from 1 to the setting's maximum (a bool is not)."""
    maximum = WHOLE_SETTING_MAXIMUMS[key]
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
        raise ProjectError(f"Invalid value {value!r} for the setting {key}: use a whole number from 1 to {maximum:,}.")


def check_timezone(name: str) -> None:
    """Raise ProjectError unless ``name`` is an IANA time zone."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ProjectError(
            f"Unknown time zone {name!r}: use an IANA name such as 'UTC' or 'Europe/Berlin'."
        ) from None


def create_project(path: str | Path) -> Project:
    """Create a new, empty project file at ``path`` and open it."""
    path = Path(path)
    if path.exists():
        raise ProjectError(f"{path} already exists: choose another file or open this one.")
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    _initialise(con)
    return Project(path=path, con=con)


def open_project(path: str | Path, create: bool = False) -> Project:
    """Open the project at ``path``, read-only from a snapshot when another process writes to it.

    A file of an older schema version is upgraded first (for a snapshot, the private copy is).
    """
    path = Path(path)
    if not path.exists():
        if create:
            return create_project(path)
        raise ProjectError(f"Project file {path} not found: check the path, or import events into it first.")

    try:
        con = duckdb.connect(str(path))
    except duckdb.IOException as error:
        if "lock" not in str(error).lower():
            raise ProjectError(f"Cannot open {path}: {error}") from None
        return _open_snapshot(path, error)
    except duckdb.Error as error:
        raise ProjectError(f"{path} is not a Loupe project file: {error}") from None

    _upgrade_if_older(con, path)
    _check_version(con, path)
    return Project(path=path, con=con)


def _initialise(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("BEGIN TRANSACTION")
    create_tables(con)
    for key, value in DEFAULT_SETTINGS.items():
        con.execute("INSERT OR IGNORE INTO settings VALUES (?, ?)", [key, json.dumps(value)])
    # The person who creates a project administers it.
    con.execute("INSERT OR IGNORE INTO members VALUES (?, 'admin')", [getpass.getuser()])
    con.execute("COMMIT")
    # A snapshot copy made while this process still has the new file open then contains the tables.
    checkpoint(con)


def _schema_version(con: duckdb.DuckDBPyConnection, path: Path) -> int | None:
    """Return the file's schema version; close ``con`` and raise ProjectError when it has none."""
    try:
        return con.execute("SELECT max(version) FROM schema_info").fetchall()[0][0]
    except duckdb.CatalogException:
        con.close()
        raise ProjectError(f"{path} is a DuckDB file but not a Loupe project (no schema_info table).") from None


def _upgrade_if_older(con: duckdb.DuckDBPyConnection, path: Path, name: str | None = None) -> None:
    """Upgrade the file open on ``con`` (writable) when its schema version is older and has upgrade steps.

    Messages name ``path``, the project file the user opened. The log names ``name`` (default ``path``).
    """
    version = _schema_version(con, path)
    if version is None or not can_upgrade(version):
        return
    try:
        upgrade(con, version, name or str(path))
    except duckdb.Error as error:
        con.close()
        raise ProjectError(
            f"Upgrading {path} from project schema version {version} to {SCHEMA_VERSION} failed, "
            f"so the file was left unchanged: {error}"
        ) from None


def _check_version(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    version = _schema_version(con, path)
    if version != SCHEMA_VERSION:
        con.close()
        raise ProjectError(
            f"{path} has project schema version {version}; this Loupe reads version {SCHEMA_VERSION}."
        )


def _open_snapshot(path: Path, error: duckdb.IOException) -> Project:
    """Open a read-only copy of a project that another process holds the write lock on.

    DuckDB lets no other process open a file, even read-only, while one process
    has it open for writing, so the copy is the only way to read it meanwhile.
    """
    # NOTE: the copy contains only what the writer had checkpointed. Loupe checkpoints after each
    # change to settings, members and saved objects (``checkpoint``). A change whose checkpoint
    # failed, or an import the writer has not checkpointed yet, is missing from the copy.
    holder = re.search(r"PID (\d+)", str(error))
    lock_owner = f"process {holder.group(1)}" if holder else "another process"
    snapshot_dir = tempfile.mkdtemp(prefix="loupe-snapshot-")
    copy = Path(snapshot_dir) / path.name
    shutil.copy2(path, copy)
    try:
        # The copy is private, so an older file is upgraded there and the original stays as it is.
        with duckdb.connect(str(copy)) as writable:
            _upgrade_if_older(writable, path, name=f"the snapshot copy of {path}")
        con = duckdb.connect(str(copy), read_only=True)
        _check_version(con, path)
    except ProjectError:
        shutil.rmtree(snapshot_dir, ignore_errors=True)
        raise
    log.info("opened read-only snapshot of %s (lock held by %s)", path, lock_owner)
    notice = (
        f"{path.name} is open for writing in {lock_owner}, so Loupe opened a read-only copy. "
        "Changes cannot be saved until that process closes the project."
    )
    return Project(path=path, con=con, read_only=True, notice=notice, _snapshot_dir=snapshot_dir)
