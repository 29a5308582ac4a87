"""Print DataFrames for scripts and people: ``table``, ``csv`` or ``json`` on stdout."""

from __future__ import annotations

import sys

import numpy as np
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
        csv_booleans(frame).to_csv(stream, index=False)
    elif output_format == "json":
        stream.write(frame.to_json(orient="records", date_format="iso", force_ascii=False))
        stream.write("\n")
    else:
        # Missing values print as blanks and booleans as true and false, as in the CSV.
        printed = csv_booleans(frame).astype(object).where(frame.notna(), "")
        stream.write(printed.to_string(index=False) if len(frame) else "(no rows)")
        stream.write("\n")


def csv_booleans(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with its booleans as ``true`` and ``false``, as the JSON output and the users CSV write them."""
    # pandas would write True and False. NaN and the other values of an object column stay as they are.
    columns = {
        name: frame[name].map(_boolean_text)
        for name in frame.columns
        if frame[name].dtype == bool or frame[name].dtype == object
    }
    return frame.assign(**columns) if columns else frame


def _boolean_text(value):
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    return value


def count_text(count: int, plural: str) -> str:
    """Return ``count`` with the plural noun ``plural``, its final ``s`` dropped for 1: ``1 user``, ``2 users``."""
    return f"{count} {plural.removesuffix('s') if count == 1 else plural}"
