"""``loupe demo``: build a demo project of any size, for trying Loupe out or measuring it."""

from __future__ import annotations

import sys
from pathlib import Path

from tui.cli import CommandError
from tui.paths import demo_project_path
from tui.store.demo import DEFAULT_EVENTS, DEFAULT_SEED, MIN_EVENTS, build_demo_project_with_summary
from tui.store.importing import ImportFailed, ImportSummary


def add_arguments(parser) -> None:
    parser.add_argument(
        "--events", type=int, default=DEFAULT_EVENTS, metavar="N",
        help=f"about how many events to generate (default {DEFAULT_EVENTS:,}; at least {MIN_EVENTS:,})",
    )
    parser.add_argument(
        "--out", type=Path, default=None, metavar="FILE",
        help="project file to write (default: the demo project that plain 'loupe' opens)",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument("--force", action="store_true", help="replace FILE if it exists")


def run(args) -> int:
    out = args.out if args.out is not None else demo_project_path()
    if args.events < MIN_EVENTS:
        raise CommandError(f"--events {args.events}: use at least {MIN_EVENTS}.")
    if out.exists() and not args.force:
        raise CommandError(f"{out} already exists: choose another --out file, or add --force to replace it.")

    progress = TerminalProgress() if sys.stderr.isatty() else None
    try:
        _, summary = build_demo_project_with_summary(out, args.events, args.seed, progress)
    except ImportFailed as error:
        raise CommandError(f"importing the generated events failed: {error}") from None
    finally:
        if progress:
            progress.finish()
    _print_summary(out, summary, args.events)
    return 0


class TerminalProgress:
    """Progress on one rewritten line of stderr, redrawn only when the percentage changes."""

    def __init__(self) -> None:
        self.blocks_done = {"generate": 0, "import": 0}
        self.shown_text = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.blocks_done[stage] = done
        # Each block is generated, then imported: two equal halves of the work.
        percent = 100 * sum(self.blocks_done.values()) // (2 * total) if total else 100
        text = f"Building the demo project: {percent}%"
        if text != self.shown_text:
            sys.stderr.write("\r" + text)
            sys.stderr.flush()
            self.shown_text = text

    def finish(self) -> None:
        if self.shown_text:
            sys.stderr.write("\n")


def _print_summary(out: Path, summary: ImportSummary, requested_events: int) -> None:
    first = summary.first_time.isoformat() if summary.first_time else "-"
    last = summary.last_time.isoformat() if summary.last_time else "-"
    lines = [
        f"Wrote {summary.imported:,} events of {summary.users:,} users to {out}.",
        _size_note(summary, requested_events),
        f"project: {out}",
        f"read: {summary.read}",
        f"imported: {summary.imported}",
        f"duplicates: {summary.duplicates}",
        f"rejected: {summary.rejected_count}",
        f"users: {summary.users}",
        f"time span: {first} to {last}",
    ]
    lines += [f"  rejected {rejection.describe()}" for rejection in summary.rejected[:20]]
    print("\n".join(lines))


def _size_note(summary: ImportSummary, requested_events: int) -> str:
    """Return one line on why the number of events written differs from ``--events``."""
    note = f"That is about --events {requested_events:,}, because each user's sessions are drawn at random"
    if summary.duplicates:
        # The generator sends a few events twice with one insert_id, and the import keeps one copy.
        note += (
            f"; the generator also sent {summary.duplicates:,} events twice, as a retried upload does, "
            "and the second copies were dropped as duplicates"
        )
    return note + "."
