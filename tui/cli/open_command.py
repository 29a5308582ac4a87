"""``loupe [PROJECT]``: open the app on a project, or on the demo project built on first run."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from tui.cli import CommandError

log = logging.getLogger(__name__)

STAGE_NAMES = {"generate": "Generating demo events", "import": "Importing demo events"}


def add_arguments(parser) -> None:
    parser.add_argument(
        "project",
        nargs="?",
        type=Path,
        help="project file to open (default: the demo project, built on first run)",
    )


def run(args) -> int:
    """Open the app on ``args.project`` (or the demo project) and return its exit status."""
    path = args.project if args.project is not None else demo_project()
    if not path.exists():
        raise CommandError(
            f"Project file {path} not found: check the path, or create it with "
            f"`loupe import FILE --project {path}`."
        )
    if path.is_dir():
        raise CommandError(f"{path} is a folder: give the path of a project file (.duckdb).")

    # Textual loads only when the app opens, so scripted commands start fast.
    from tui.app.loupe_app import LoupeApp

    app = LoupeApp(path)
    app.run()
    return app.return_code or 0


def demo_project() -> Path:
    """Return the demo project's path in the data folder, building it first (with a progress line) if it is missing."""
    from tui.store.demo import ensure_demo_project

    progress = ProgressLine(sys.stderr)
    path = ensure_demo_project(progress=progress)
    progress.finish()
    return path


class ProgressLine:
    """Writes the demo build's progress to ``stream`` on one line that updates in place."""

    def __init__(self, stream):
        self.stream = stream
        self.started = False
        self.last_text = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.started:
            self.stream.write("Building the demo project (first run only)…\n")
            self.started = True
        percent = 100 * done // total if total else 100
        text = f"{STAGE_NAMES.get(stage, stage)}: {percent}%"
        # Rewriting an unchanged line costs a terminal write per block for nothing.
        if text != self.last_text:
            self.stream.write(f"\r{text}   ")
            self.stream.flush()
            self.last_text = text

    def finish(self) -> None:
        if self.started:
            self.stream.write("\n")
            self.stream.flush()
