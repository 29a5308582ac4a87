"""Print DataFrames for scripts and people: ``table``, ``csv`` or ``json`` on stdout."""

from __future__ import annotations

import sys

import pandas as pd

from tui.text import printable

FORMATS = ("table", "csv", "json")


def add_format_argument(parser) -> None:
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="output format (default: table on a terminal, csv otherwise)",
    )


def print_frame(frame: pd.DataFrame, output_format: str | None, stream=None) -> None:
    """Write ``frame`` to ``stream`` (stdout by default) in the chosen format."""
    stream = stream or sys.stdout
    on_terminal = stream.isatty()
    output_format = output_format or ("table" if on_terminal else "csv")
    if on_terminal:
        # Values come from event data: escape control characters so they cannot drive the terminal.
        frame = frame.map(lambda value: printable(value) if isinstance(value, str) else value)
    if output_format == "csv":
        frame.to_csv(stream, index=False)
    elif output_format == "json":
        stream.write(frame.to_json(orient="records", date_format="iso", force_ascii=False))
        stream.write("\n")
    else:
        # Missing values print as blanks, as in the CSV, rather than None or NaN.
        printed = frame.astype(object).where(frame.notna(), "")
        stream.write(printed.to_string(index=False) if len(frame) else "(no rows)")
        stream.write("\n")

