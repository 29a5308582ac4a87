"""``loupe import FILE... --project P``: import event files and print the summary."""

from __future__ import annotations

import sys
from pathlib import Path

from tui.cli import CommandError
from tui.cli.interrupts import InterruptGuard
from tui.cli.project_option import require_writable
from tui.store.importing import ImportFailed, ImportSummary, import_files
from tui.store.importing.detect import FORMATS
from tui.store.importing.formats.base import MAPPABLE_FIELDS
from tui.store.project import open_project

# Rejections printed one by one; the rest are counted.
MAX_PRINTED_REJECTIONS = 20


def add_arguments(parser) -> None:
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="event files to import")
    parser.add_argument("--project", required=True, type=Path, help="project file (created if missing)")
    parser.add_argument("--format", choices=list(FORMATS), help="source format (default: detected from each file)")
    parser.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=SOURCE",
        help=f"read Loupe field FIELD ({', '.join(MAPPABLE_FIELDS)}) from source column SOURCE; repeatable",
    )
    parser.add_argument(
        "--source-timezone",
        default="UTC",
        metavar="TZ",
        help="IANA time zone of timestamps written without an offset (default: UTC)",
    )


def run(args) -> int:
    mapping = parse_mapping(args.map)
    bar = ProgressBar(sys.stderr) if sys.stderr.isatty() else None
    created = not args.project.exists()
    with open_project(args.project, create=True) as project, InterruptGuard() as guard:
        require_writable(project)

        def progress(done: int, total: int) -> None:
            # Called between the import's steps, where a Ctrl-C that DuckDB swallowed still cancels.
            guard.check()
            if bar:
                bar(done, total)

        try:
            summary = import_files(
                project, args.files, format=args.format, mapping=mapping,
                source_timezone=args.source_timezone, progress=progress,
            )
        except (ImportFailed, KeyboardInterrupt) as error:
            failure = error
        else:
            failure = None
        finally:
            if bar:
                bar.finish()
    if failure is not None:
        # A project made only for this import would be left empty; remove it.
        if created:
            args.project.unlink(missing_ok=True)
        if isinstance(failure, KeyboardInterrupt):
            raise failure
        raise CommandError(str(failure))
    sys.stdout.write(format_summary(summary))
    return 0


def parse_mapping(items: list[str]) -> dict[str, str]:
    """Turn ``FIELD=SOURCE`` arguments into a dict, raising CommandError for a malformed one."""
    mapping = {}
    for item in items:
        field, separator, source = item.partition("=")
        if not separator or not field or not source:
            raise CommandError(f"--map {item!r} is invalid: write FIELD=SOURCE, for example --map event_type=event.")
        mapping[field.strip()] = source
    return mapping


def format_summary(summary: ImportSummary) -> str:
    """Return the summary as the lines ``loupe import`` prints."""
    span = "-"
    if summary.first_time is not None:
        span = f"{summary.first_time.isoformat()} .. {summary.last_time.isoformat()}"
    lines = [
        f"files: {', '.join(summary.files)}",
        f"format: {summary.format}",
        f"read: {summary.read}",
        f"imported: {summary.imported}",
        f"duplicates: {summary.duplicates}",
        f"rejected: {summary.rejected_count}",
    ]
    if summary.skipped:
        lines.append(f"skipped (not events): {summary.skipped}")
    lines += [f"users: {summary.users}", f"time span: {span}", f"time fields: {summary.time_fields}"]
    for rejection in summary.rejected[:MAX_PRINTED_REJECTIONS]:
        lines.append(f"  rejected {rejection.describe()}")
    if summary.rejected_count > MAX_PRINTED_REJECTIONS:
        lines.append(f"  ... and {summary.rejected_count - MAX_PRINTED_REJECTIONS} more rejected rows")
    return "\n".join(lines) + "\n"


class ProgressBar:
    """A one-line progress bar on a terminal stream, redrawn only when the whole percentage changes."""

    WIDTH = 30

    def __init__(self, stream, label: str = "importing") -> None:
        self.stream = stream
        self.label = label
        self.percent = -1

    def __call__(self, done: int, total: int) -> None:
        percent = 100 if total <= 0 else min(100, done * 100 // total)
        if percent == self.percent:
            return
        self.percent = percent
        filled = self.WIDTH * percent // 100
        self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (self.WIDTH - filled)}] {percent:3d}%")
        self.stream.flush()

    def finish(self) -> None:
        if self.percent >= 0:
            self.stream.write("\n")
            self.stream.flush()
