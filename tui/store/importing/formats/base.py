"""The parts every format module shares: its options, its result, and SQL helpers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

# Loupe's fields that ``--map FIELD=SOURCE`` may name.
MAPPABLE_FIELDS = ("event_type", "event_time", "client_time", "user_id", "device_id", "session_id", "insert_id")


@dataclass(frozen=True)
class FileJob:
    """One source file to stage and how."""

    path: object  # pathlib.Path
    file_index: int
    mapping: dict[str, str] = field(default_factory=dict)
    label: str = ""  # how messages name the file; a zip member is named archive!member
    source_timezone: str = "UTC"  # the zone of times written without an offset

    @property
    def name(self) -> str:
        return self.label or str(self.path)


@dataclass
class StagedFile:
    """The report of a format about one staged file.

    ``field_names`` maps Loupe field names to the source's names, for
    rejection messages; ``time_fields`` names which source fields gave
    ``event_time`` and ``client_time``.
    """

    skipped: int = 0
    field_names: dict[str, str] = field(default_factory=dict)
    time_fields: str = ""


def json_path(key: str) -> str:
    """Return the JSONPath of a top-level ``key``, quoted so dots and dollars in it stay literal."""
    return "$." + json.dumps(key)


def describe_time_fields(event_time: str, client_time: str | None) -> str:
    """Return the summary text naming the source fields of ``event_time`` and ``client_time``."""
    if client_time is None:
        return f"event_time from {event_time!r}; no device time, so client_time = event_time"
    return (
        f"event_time (server time, decides buckets) from {event_time!r}; "
        f"client_time (device time, orders each user's events) from {client_time!r}"
    )


def removal_patch(keys) -> str:
    """Return a JSON merge patch (RFC 7396) that deletes ``keys`` from an object."""
    return json.dumps({key: None for key in keys})
