"""The ``--project`` option of the scripted commands, its default, and the check a command makes before writing."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tui.cli import ProjectInUseError
from tui.store.project import Project

DEFAULT_HELP = "default: the demo project that plain 'loupe' opens"


def add_project_argument(parser, help_text: str = "project file (.duckdb)", default=None) -> None:
    """Add ``--project``. Left out, it is None, and ``fill_default_project`` puts the demo project there."""
    parser.add_argument("--project", type=Path, default=default, help=f"{help_text} ({DEFAULT_HELP})")


def fill_default_project(name: str, args: argparse.Namespace) -> None:
    """Set a left-out ``--project`` to the demo project that ``loupe`` alone opens, and name it on stderr."""
    # A command without the option (loupe demo) has no ``project`` attribute, and loupe import requires it.
    if getattr(args, "project", "") is not None:
        return

    # The open command loads Textual only when the app starts, so importing it here stays cheap.
    from tui.cli.open_command import demo_project

    args.project = demo_project()
    print(f"loupe {name}: no --project given, so using the demo project {args.project}", file=sys.stderr)


def require_writable(project: Project) -> None:
    """Raise ProjectInUseError when ``project`` is a read-only snapshot because another process writes to the file."""
    if project.read_only:
        raise ProjectInUseError(
            f"{project.path} cannot be changed now, because another process has it open for writing. "
            f"Close the Loupe app (or the other process) using {project.path} and run the command again."
        )
