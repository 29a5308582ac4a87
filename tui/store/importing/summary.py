"""What an import reports: the summary, one rejected row, and the fatal error."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


class ImportFailed(Exception):
    """A whole import failed and nothing was written; the message names the file, line or field and the fix."""


@dataclass(frozen=True)
class Rejection:
    """One source row that was not imported, and why."""

    file: str
    line: int
    field: str
    value: str | None
    reason: str

    def describe(self) -> str:
        """Return ``file:line field value: reason``, the form the command line prints."""
        value = "(missing)" if self.value is None else repr(_shorten(self.value))
        return f"{self.file}:{self.line} {self.field} {value}: {self.reason}"


@dataclass
class ImportSummary:
    """Counts and facts about one finished import.

    ``read`` counts source events: ``imported + duplicates + rejected_count +
    skipped``. ``rejected`` keeps the first ``MAX_KEPT_REJECTIONS`` rejections
    and ``rejected_count`` counts all of them. ``users`` counts the distinct
    actors of the imported events.
    """

    MAX_KEPT_REJECTIONS = 10_000

    files: list[str] = field(default_factory=list)
    format: str = ""
    read: int = 0
    imported: int = 0
    duplicates: int = 0
    skipped: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    rejected_count: int = 0
    users: int = 0
    first_time: datetime | None = None
    last_time: datetime | None = None
    time_fields: str = ""
    import_id: int | None = None

    def to_json(self) -> dict:
        """Return the summary as JSON-ready values, as stored in the ``imports`` table."""
        return {
            "files": self.files,
            "format": self.format,
            "read": self.read,
            "imported": self.imported,
            "duplicates": self.duplicates,
            "skipped": self.skipped,
            "rejected": self.rejected_count,
            "users": self.users,
            "first_time": self.first_time.isoformat() if self.first_time else None,
            "last_time": self.last_time.isoformat() if self.last_time else None,
            "time_fields": self.time_fields,
        }


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
