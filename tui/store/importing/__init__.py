"""Import event files into a project (``loupe import``).

Every format turns its files into one staging table of normalised columns;
one shared write phase then deduplicates, resolves actors, appends to
``events`` and refreshes ``users``, ``groups``, ``event_groups`` and
session keys, all in one transaction. See ``docs/import.md``.
"""

from tui.store.importing.pipeline import import_files
from tui.store.importing.summary import ImportFailed, ImportSummary, Rejection

__all__ = ["ImportFailed", "ImportSummary", "Rejection", "import_files"]
