"""``loupe drivers CHART.json --project P --step K [--segment VALUE] [--point WHEN]``: print a funnel step's drivers.

With ``--point`` the step's population is the users (or groups) whose counted
conversion started in that bucket, a point of ``loupe chart --over-time``.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pandas as pd

from tui.analytics.catalog import event_types
from tui.analytics.definition import DefinitionError, load_chart_file
from tui.analytics.drivers import DriverResult, point_drivers
from tui.analytics.fisher import LOG_SPACE_BELOW, scientific_text
from tui.analytics.point import point_label
from tui.cli import CommandError
from tui.cli.output import add_format_argument, print_frame
from tui.text import printable
from tui.cli.point_options import point_from_args, positive_int
from tui.cli.project_option import add_project_argument
from tui.store.project import open_project

OUTPUT_COLUMNS = ["event", "converted_users", "dropped_users", "phi", "odds_ratio", "p_value", "q_value"]
PROPERTY_COLUMNS = ["property", "value"]
P_VALUE_COLUMNS = ["p_value", "q_value"]
# The column with the log10 of each p-value column, exact where the float underflows.
LOG10_COLUMNS = {"p_value": "log10_p_value", "q_value": "log10_q_value"}
# Significant digits of a p- or q-value below LOG_SPACE_BELOW in CSV and JSON. The log-space sum is within a
# relative 1e-10 of exact sums in tests/test_fisher_log.py, and was within 1e-9 of 2 / C(1000000, 500000).
EXACT_DIGITS = 6


def add_arguments(parser) -> None:
    parser.add_argument("chart", type=Path, metavar="CHART.json", help="funnel chart definition file (JSON)")
    add_project_argument(parser, "project file to read events from")
    parser.add_argument(
        "--step", required=True, type=positive_int, metavar="K",
        help="the funnel step (1-based, 2 or later) whose converted and dropped users are compared",
    )
    parser.add_argument(
        "--property", action="append", default=[], metavar="EVENT.PROP", dest="properties",
        help="also test each value of property PROP on event EVENT (repeatable); "
             "PROP may be user.NAME for a user property",
    )
    parser.add_argument(
        "--segment", default=None, metavar="VALUE",
        help="the segment of a funnel with a group-by whose users are compared",
    )
    parser.add_argument(
        "--point", default=None, metavar="WHEN",
        help="compare only the users (or groups) whose counted conversion started in this bucket, a bucket "
             "start as 'loupe chart --over-time' prints it (a date such as 2024-03-05, or a timestamp)",
    )
    # ``point_from_args`` reads these options of other commands; a driver table covers both parts of a step.
    parser.set_defaults(series=0, dropped=False, period=None)
    add_format_argument(parser)


def run(args) -> int:
    definition = _load_funnel(args.chart)
    _check_step(args.step, len(definition.steps))
    with open_project(args.project) as project:
        point = point_from_args(args, definition, project)
        cursor = project.cursor()
        try:
            properties = _split_properties(args.properties, cursor)
            result = point_drivers(cursor, point, project, properties)
        except DefinitionError as error:
            raise CommandError(f"{args.chart}: {error}") from None
        finally:
            cursor.close()
        entry = point_label(point, project).bucket_text() if point.over_time else None

    print(summary_line(result, args.step, entry), file=sys.stderr)
    for event, name in result.unlisted_properties():
        # Event and property names come from the data, so control characters are escaped.
        print(printable(result.unlisted_text(event, name)), file=sys.stderr)
    print_drivers(driver_rows(result.frame, bool(properties)), args.format)
    return 0


def print_drivers(frame: pd.DataFrame, output_format: str | None) -> None:
    """Print the driver rows like ``print_frame``, but with p- and q-values of any size readable in every format.

    pandas (3.1) writes JSON numbers with at most 10 decimals and shows floats
    in a text table with 6, so a p-value of 3.2e-12 would read 0.0 there. The
    JSON is written with Python's ``json`` module instead, whose numbers keep
    every digit (``3.2e-12``), and the table shows 3 significant digits,
    trailing zeros included (``3.00e-12``). CSV already writes each float in full.

    ``frame`` has the log10 columns of the drivers frame too. A p- or q-value
    below ``LOG_SPACE_BELOW`` (1e-250), which a float holds with fewer digits
    or as 0.0, is written from its log10 instead: with 3 significant digits in
    the table and ``EXACT_DIGITS`` in CSV and JSON, still as a number
    (``3.20433e-412``), which float parsers read as 0.0 below about 5e-324.
    """
    output_format = output_format or ("table" if sys.stdout.isatty() else "csv")
    digits = 3 if output_format == "table" else EXACT_DIGITS
    # Object columns, because pandas would turn a column of only NumberText into plain strings.
    texts = {
        name: pd.Series([
            _p_value_text(value, log10_value, digits, output_format)
            for value, log10_value in zip(frame[name], frame[LOG10_COLUMNS[name]])
        ], index=frame.index, dtype=object)
        for name in P_VALUE_COLUMNS
    }
    printed = frame.assign(**texts).drop(columns=list(LOG10_COLUMNS.values()))
    if output_format == "json":
        print(json_records(printed))
    else:
        print_frame(printed, output_format)


def _p_value_text(value: float, log10_value: float, digits: int, output_format: str):
    """Return how one p- or q-value is printed: text in the table, a ``NumberText`` or the float in CSV and JSON."""
    table = output_format == "table"
    if value < LOG_SPACE_BELOW:
        # Only the table keeps trailing zeros, because in CSV and JSON the text is a number, where they add nothing.
        return NumberText(scientific_text(log10_value, digits, trailing_zeros=table))
    return p_value_text(value) if table else value


def p_value_text(value: float) -> str:
    """Return a p- or q-value with 3 significant digits, in scientific notation below 0.0001: ``3.20e-12``.

    Trailing zeros stay (``0.0500``, ``3.00e-12``), so every value of the column shows 3 digits.
    """
    return f"{value:#.3g}"


class NumberText(str):
    """A number as decimal text, for values a float cannot hold: ``json_records`` writes it without quotes."""


def json_records(frame: pd.DataFrame) -> str:
    """Return ``frame`` as a JSON list of row objects, NaN as null, floats as Python writes them, NumberText bare."""
    # ``to_dict`` turns NumPy scalars into Python ints and floats, which ``json`` can write.
    records = [
        "{" + ",".join(f"{_json_text(name)}:{_json_text(value)}" for name, value in row.items()) + "}"
        for row in frame.to_dict("records")
    ]
    return "[" + ",".join(records) + "]"


def _json_text(value) -> str:
    if isinstance(value, NumberText):
        return str(value)
    if isinstance(value, float) and math.isnan(value):
        return "null"
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def summary_line(result: DriverResult, step: int, entry: str | None = None) -> str:
    """Return the header line printed on stderr: the parts compared, the window, the support rule and any skew.

    ``entry`` is the bucket ``[start, end) ZONE`` in which the population entered the funnel, for ``--point``.
    """
    noun = "groups" if result.counts_groups else "users"
    entered = f", entered in {entry}" if entry is not None else ""
    line = (
        f"step {step}{entered}: population {result.population}, converted {result.converted}, "
        f"dropped {result.dropped}; window {result.window}; a driver needs {result.min_support} or more {noun} "
        f"who did it and {result.min_support} or more who did not"
    )
    if result.counts_groups:
        line += "; converted_users and dropped_users count groups"
    if result.skewed:
        line += "; warning: one group is over ten times the size of the other, so the comparison is weak"
    return line


def driver_rows(frame: pd.DataFrame, with_properties: bool) -> pd.DataFrame:
    """Return the printed columns of a drivers frame, then ``property`` and ``value`` if properties were requested.

    The log10 columns come last, for ``print_drivers``, which drops them.
    """
    return frame[OUTPUT_COLUMNS + (PROPERTY_COLUMNS if with_properties else []) + list(LOG10_COLUMNS.values())]


def _load_funnel(path: Path):
    try:
        definition = load_chart_file(path)
    except DefinitionError as error:
        raise CommandError(str(error)) from None
    if definition.type != "funnel":
        raise CommandError(f"{path}: drivers compare the steps of a funnel, and this is a {definition.type} chart.")
    return definition


def _check_step(step: int, step_count: int) -> None:
    if step == 1:
        raise CommandError(
            f"--step: step 1 has no drivers, because no step comes before it. Pick a step from 2 to {step_count}."
        )
    if step > step_count:
        raise CommandError(f"--step: no step {step}. This funnel has steps 1 to {step_count}, so pick one from 2 on.")


def _split_properties(texts: list[str], cursor) -> tuple[tuple[str, str], ...]:
    if not texts:
        return ()
    names = event_types(cursor)["event_type"].tolist()
    return tuple(_split_property(text, names) for text in texts)


def _split_property(text: str, event_types: list[str]) -> tuple[str, str]:
    """Split ``EVENT.PROP`` at the end of the longest event type it starts with, since both may contain dots."""
    events = [name for name in event_types if text.startswith(name + ".") and len(text) > len(name) + 1]
    if not events:
        raise CommandError(
            f"--property: {text!r} does not start with an event type of this project followed by '.'. "
            "Write EVENT.PROP, for example 'Purchase.plan'."
        )
    event = max(events, key=len)
    return event, text[len(event) + 1:]
