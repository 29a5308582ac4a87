"""The point-details dialog: which chart, series, segment and bucket a point is, and its value."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Footer, Static

from tui.analytics.definition import ChartDefinition
from tui.app.chart_points import Point
from tui.app.describe import describe_chart, series_label
from tui.app.formatting import format_bucket, format_value
from tui.text import printable
from tui.app.modal import LoupeModal


def point_table(point: Point, definition: ChartDefinition, chart_name: str | None, zone: str) -> Table:
    """Return the facts of ``point`` as a two-column table of plain text."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    rows = (
        ("Chart", describe_chart(definition, chart_name)),
        ("Series", series_label(definition, point.series, point.series_name)),
        ("Segment", printable(point.segment) if point.segment is not None else "(no group-by)"),
        ("Bucket", format_bucket(point.bucket_start, point.bucket_end, zone)),
        ("Value", format_value(point.value, definition.measure)),
    )
    for label, value in rows:
        table.add_row(label, Text(value))
    return table


class PointDetailsScreen(LoupeModal):
    """The dialog about the selected data point, until the microscope replaces it."""

    def __init__(self, point: Point, definition: ChartDefinition, chart_name: str | None, zone: str):
        super().__init__()
        self.point = point
        self.table = point_table(point, definition, chart_name, zone)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text("Data point", style="bold"), classes="dialog-title")
            yield Static(self.table, id="point-table")
        yield Footer()
