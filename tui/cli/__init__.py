"""The ``loupe`` command: opens the app, or runs one scripted command."""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import logging
import os
import sys

from tui.logs import setup_logging
from tui.store.project import ProjectError

log = logging.getLogger(__name__)


class CommandError(Exception):
    """A failure the user can fix. ``loupe`` prints its message without a traceback and exits with ``exit_status``."""

    # argparse exits with 2 on a usage error, and every failure uses it too unless a subclass sets another.
    exit_status = 2


class ProjectInUseError(CommandError):
    """A command that writes found its project open for writing in another process, usually the app."""

    # A status of its own, so a script can tell "close the app and retry" from a wrong option.
    exit_status = 3


# Subcommand name -> module in this package with ``add_arguments(parser)`` and ``run(args) -> int``.
COMMANDS = {
    "import": ("tui.cli.import_command", "import event files into a project"),
    "chart": ("tui.cli.chart_command", "print a chart's data points"),
    "demo": ("tui.cli.demo_command", "generate a demo project"),
    "settings": ("tui.cli.settings_command", "show or change project settings"),
    "users": ("tui.cli.users_command", "print the users of a chart's data point"),
    "stream": ("tui.cli.stream_command", "print one user's events around a data point"),
    "paths": ("tui.cli.paths_command", "print the top event paths of a data point's users"),
    "cohort": ("tui.cli.cohort_command", "create, list, show or delete cohorts"),
    "export": ("tui.cli.export_command", "write a data point's users or groups to a CSV file"),
    "annotations": ("tui.cli.annotations_command", "list, add or delete annotations and releases"),
    "drivers": ("tui.cli.drivers_command", "print the conversion drivers of a funnel step"),
    "pathfinder": ("tui.cli.pathfinder_command", "print the top event paths after a start or before an end event"),
}


def main(argv: list[str] | None = None) -> int:
    """Run ``loupe`` with ``argv`` and return the exit status."""
    argv = sys.argv[1:] if argv is None else argv
    setup_logging()
    if argv and argv[0] in COMMANDS:
        return _run_command(argv[0], argv[1:])
    return _run_command("open", argv)


def _run_command(name: str, argv: list[str]) -> int:
    if name == "open":
        module_name, summary = "tui.cli.open_command", "open the app on a project"
    else:
        module_name, summary = COMMANDS[name]
    module = importlib.import_module(module_name)
    parser = argparse.ArgumentParser(prog=f"loupe {name}" if name != "open" else "loupe", description=summary)
    if name == "open":
        parser.epilog = "commands: " + ", ".join(f"{key} ({text})" for key, (_, text) in COMMANDS.items())
        parser.add_argument("--version", action="version", version=f"loupe {installed_version()}")
    module.add_arguments(parser)
    # Messages printed on stderr while a command runs start with ``loupe NAME:``, as its errors do.
    parser.set_defaults(command=name)
    args = parser.parse_args(argv)
    try:
        if name != "open":
            # Imported here because the module imports this one's errors.
            from tui.cli.project_option import fill_default_project

            fill_default_project(name, args)
        return module.run(args)
    except BrokenPipeError:
        # The reader (e.g. ``head``) closed the pipe early: stop quietly, as Unix tools do.
        _silence_stdout()
        return 141
    except KeyboardInterrupt:
        print("Cancelled; nothing was changed.", file=sys.stderr)
        return 130
    except CommandError as error:
        print(f"loupe {name}: {error}", file=sys.stderr)
        return error.exit_status
    except ProjectError as error:
        print(f"loupe {name}: {error}", file=sys.stderr)
        return CommandError.exit_status


def installed_version() -> str:
    """Return Loupe's version from the installed package's metadata."""
    try:
        return importlib.metadata.version("loupe")
    except importlib.metadata.PackageNotFoundError:
        # Run from a source tree without ``pip install``, so no metadata exists.
        return "(unknown: the loupe package is not installed)"


def _silence_stdout() -> None:
    """Point stdout at /dev/null so Python's final flush of a closed pipe raises nothing."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
