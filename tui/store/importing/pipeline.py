"""``import_files``: stage and check every file, then write the rows in one transaction.

Staging uses temporary tables on the import's own cursor, which live in
memory (spilling to DuckDB's temporary folder), so a file that fails to read
leaves the project file untouched. The write phase is one transaction; any
exception, KeyboardInterrupt included, rolls it back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from tui.store.importing.detect import MAPPABLE_FORMATS, detect_format, stage_function
from tui.store.importing.formats.base import MAPPABLE_FIELDS, FileJob
from tui.store.importing.memory import capped_memory
from tui.store.importing.sources import unpacked_zip
from tui.store.importing.staging import count_staged, create_staging, fetch_rejections
from tui.store.importing.summary import ImportFailed, ImportSummary
from tui.store.importing.timestamps import check_source_timezone
from tui.store.importing.writing import write_events
from tui.store.project import Project
from tui.store.statements import is_interrupt

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


def import_files(
    project: Project,
    files: list[Path],
    format: str | None = None,
    mapping: dict[str, str] | None = None,
    source_timezone: str = "UTC",
    progress: Progress | None = None,
) -> ImportSummary:
    """Import event files into ``project`` and return the summary.

    ``format`` is one of ``detect.FORMATS`` or None to detect each file's
    format; ``mapping`` maps Loupe fields to source columns (generic formats
    only). ``progress(done, total)`` is called from this thread: ``total`` is
    the input size in bytes, ``done`` the bytes of the files staged so far,
    and during the write phase it is called with ``done == total`` after each
    step and before the commit; a KeyboardInterrupt raised there cancels the
    import. Raises ImportFailed, with the project unchanged, when a file cannot
    be imported at all.
    """
    files = [Path(file) for file in files]
    mapping = dict(mapping or {})
    _check_arguments(project, files, format, mapping, source_timezone)
    started_at = datetime.now(timezone.utc)
    report = progress or (lambda done, total: None)
    total = sum(file.stat().st_size for file in files)

    summary = ImportSummary(files=[str(file) for file in files])
    cur = project.cursor()
    try:
        cur.execute("SET TimeZone = 'UTC'")
        with capped_memory(cur):
            staged = _stage_files(cur, files, format, mapping, source_timezone, summary, report, total)
            summary.format = ",".join(dict.fromkeys(staged.formats))
            _count_rejections(cur, summary, staged)
            _write(cur, project, summary, started_at, lambda: report(total, total))
    except RuntimeError as error:
        if is_interrupt(error):
            raise KeyboardInterrupt from error
        raise
    finally:
        cur.close()
    log.info(
        "imported %s: %d read, %d imported, %d duplicates, %d rejected",
        summary.files, summary.read, summary.imported, summary.duplicates, summary.rejected_count,
    )
    return summary


def _check_arguments(project: Project, files: list[Path], format: str | None, mapping: dict, source_timezone: str) -> None:
    if project.read_only:
        raise ImportFailed(f"{project.path} is open read-only because another process is writing to it; close that process first.")
    if not files:
        raise ImportFailed("No files to import: name at least one file.")
    for file in files:
        if not file.is_file():
            raise ImportFailed(f"{file} not found: check the path.")
    if format is not None:
        stage_function(format)
    if mapping and format is not None and format not in MAPPABLE_FORMATS:
        raise ImportFailed(
            f"--map applies to the generic formats ({', '.join(MAPPABLE_FORMATS)}), not to {format}: "
            f"use --format csv, jsonl or parquet with --map."
        )
    for field in mapping:
        if field not in MAPPABLE_FIELDS:
            raise ImportFailed(f"--map {field}=...: unknown field {field!r}; use one of {', '.join(MAPPABLE_FIELDS)}.")
    check_source_timezone(source_timezone)


@dataclass
class StagedFiles:
    """The facts staging learnt about each data file, indexed like ``staged.file_index``."""

    formats: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    field_names: list[dict[str, str]] = field(default_factory=list)


def _stage_files(
    cur, files, format, mapping, source_timezone: str, summary: ImportSummary, report: Progress, total: int
) -> StagedFiles:
    """Stage and check every file into ``staged``, reporting progress after each."""
    create_staging(cur)
    staged = StagedFiles()
    done = 0
    for file in files:
        file_format = format or detect_format(file, generic_only=bool(mapping))
        staged.formats.append(file_format)
        with ExitStack() as stack:
            parts = stack.enter_context(unpacked_zip(file)) if file.name.lower().endswith(".zip") else [file]
            for part in parts:
                _stage_one(cur, file, part, file_format, mapping, source_timezone, summary, staged)
        done += file.stat().st_size
        report(done, total)
    return staged


def _stage_one(
    cur, file: Path, part: Path, file_format: str, mapping: dict, source_timezone: str, summary: ImportSummary,
    staged: StagedFiles,
) -> None:
    """Stage one data file; ``part`` differs from ``file`` for a member of a zip archive."""
    label = str(file) if part == file else f"{file}!{part.name.split('-', 1)[1]}"
    job = FileJob(path=part, file_index=len(staged.labels), mapping=mapping, label=label,
                  source_timezone=source_timezone)
    result = stage_function(file_format)(cur, job)
    staged.labels.append(label)
    staged.field_names.append(result.field_names)
    summary.skipped += result.skipped
    if result.time_fields and result.time_fields not in summary.time_fields:
        summary.time_fields = "; ".join(filter(None, [summary.time_fields, result.time_fields]))


def _count_rejections(cur, summary: ImportSummary, staged: StagedFiles) -> None:
    records, _, summary.rejected_count = count_staged(cur)
    summary.rejected = fetch_rejections(cur, staged.labels, staged.field_names, summary.MAX_KEPT_REJECTIONS)
    # Skipped records are staged too, so ``records`` already counts them.
    summary.read = records


def _write(cur, project: Project, summary: ImportSummary, started_at: datetime, step_done: Callable[[], None]) -> None:
    gap_minutes = project.setting("session_gap_minutes")
    cur.execute("BEGIN TRANSACTION")
    try:
        write_events(cur, summary, gap_minutes, started_at, step_done)
        # Once more just before the commit, so a caller can still cancel after the last statements.
        step_done()
        cur.execute("COMMIT")
    except BaseException:
        cur.execute("ROLLBACK")
        log.warning("import of %s rolled back", summary.files)
        raise
