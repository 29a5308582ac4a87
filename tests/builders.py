"""Build small test projects from event dicts, through the real JSON-lines import."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tui.store.importing import import_files
from tui.store.project import Project, create_project, open_project


def build_project(tmp_path: Path, events: list[dict], timezone: str = "UTC", name: str = "p.duckdb") -> Project:
    """Write ``events`` as a JSON-lines file, import it into a new project and return the open project.

    Each dict uses the generic JSON-lines keys: ``event_type``, ``event_time``
    (ISO text or epoch seconds/ms; text without an offset is UTC),
    ``user_id``, ``device_id``, ``session_id``, ``insert_id``,
    ``event_properties``, ``user_properties``, ``groups``, ``client_time``,
    ``platform``, ``os``, ``country``, ``city``, ``app_version``; any other
    key becomes an event property. ``timezone`` is the project's time zone
    for day boundaries. Calling it again with the same ``name`` adds to the
    existing project.
    """
    path = tmp_path / name
    source = tmp_path / f"{Path(name).stem}-events-{_count_files(tmp_path, name)}.jsonl"
    with open(source, "w", encoding="utf-8") as handle:
        for event in events:
            handle.write(json.dumps(event, default=str) + "\n")

    project = open_project(path) if path.exists() else create_project(path)
    if project.timezone != timezone:
        project.set_setting("timezone", timezone)
    import_files(project, [source], format="jsonl")
    return project


def _count_files(tmp_path: Path, name: str) -> int:
    return len(list(tmp_path.glob(f"{Path(name).stem}-events-*.jsonl")))


def file_state(path: Path) -> dict[str, str]:
    """Hash the project file and its write-ahead log, if any, to check that a failed write changed neither."""
    state = {}
    for candidate in (path, path.with_name(path.name + ".wal")):
        if candidate.exists():
            state[candidate.name] = hashlib.sha256(candidate.read_bytes()).hexdigest()
    return state
