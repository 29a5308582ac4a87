"""The work the chart worker does on its cursor: pick the chart to open, and run a chart.

These functions run on a worker thread and touch no widget; the app shows
their ``ChartResult`` when it arrives.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

import pandas as pd

from tui.analytics.definition import ChartDefinition, DefinitionError, parse_chart
from tui.app.chart_markers import Marker, load_markers
from tui.app.default_chart import default_chart
from tui.analytics.catalog import event_days
from tui.analytics.session_span import max_session_span_us
from tui.store.saved_charts import list_charts, load_chart

log = logging.getLogger(__name__)

EMPTY_FRAME = pd.DataFrame(
    columns=["series", "series_name", "segment", "bucket_start", "bucket_end", "value"]
)
# The chart types the home screen can draw, each with its query's module and function. A query's
# module is imported when a chart of its type first runs, so opening the app loads only one of them.
CHART_QUERIES = {
    "segmentation": ("tui.analytics.segmentation", "segmentation"),
    "funnel": ("tui.analytics.funnel", "funnel"),
    "sessions": ("tui.analytics.sessions", "sessions_chart"),
    "retention": ("tui.analytics.retention", "retention"),
}
DRAWN_TYPES = tuple(CHART_QUERIES)
# Chart types that draw annotations and releases: the time charts, and funnels on their conversion over time.
# A funnel's markers are loaded with its bars, which do not draw them, so T shows them without another query.
MARKED_TYPES = ("segmentation", "sessions", "funnel")


@dataclass(frozen=True)
class ChartResult:
    """A chart and its data points; ``definition`` is None for a project with no events.

    ``frame`` has the columns of the chart type's query: rows per series,
    segment and bucket for ``segmentation`` and ``sessions_chart``, rows per
    step for ``funnel``, or rows per cohort and period for ``retention``.
    """

    definition: ChartDefinition | None
    name: str | None
    frame: pd.DataFrame
    # Something the user should know that did not stop the chart, e.g. an unreadable saved chart.
    warning: str | None = None
    # The last day with events, in the project time zone; set only by ``open_start_chart``.
    last_day: date | None = None
    # Annotations and releases on the chart's days.
    markers: tuple[Marker, ...] = ()
    # A sessions chart's longest session in the project, in microseconds, which its points' queries reuse.
    session_span_us: int | None = None


def run_chart(cursor, definition: ChartDefinition, name: str | None, settings: dict) -> ChartResult:
    """Query the data points of ``definition`` (saved as ``name``, or unsaved)."""
    frame = chart_query(definition.type)(cursor, definition, settings)
    markers = load_markers(cursor, definition, name) if definition.type in MARKED_TYPES else ()
    span = max_session_span_us(cursor) if definition.type == "sessions" else None
    warning = None
    if definition.measure_property is not None:
        # Imported here, like the chart queries, so charts without a property measure never load it.
        from tui.analytics.measure_values import non_numeric_note

        warning = non_numeric_note(cursor, definition, settings)
    return ChartResult(definition, name, frame, warning, markers=markers, session_span_us=span)


def chart_query(chart_type: str) -> Callable:
    """Return the query function that computes charts of ``chart_type``, importing its module if needed."""
    if chart_type not in CHART_QUERIES:
        raise DefinitionError(
            f"type: the app cannot draw {chart_type!r} charts; use one of {', '.join(DRAWN_TYPES)}."
        )
    module_name, function_name = CHART_QUERIES[chart_type]
    return getattr(importlib.import_module(module_name), function_name)


def run_saved_chart(cursor, name: str, settings: dict) -> ChartResult:
    """Load the saved chart ``name`` and query its data points."""
    saved = load_chart(cursor, name)
    return run_chart(cursor, parse_chart(saved.definition), saved.name, settings)


def open_start_chart(cursor, settings: dict) -> ChartResult:
    """Run the most recently saved chart the app can draw, else a default chart.

    A saved chart that is invalid, or names something the project lacks (such
    as a deleted cohort), gives way to the default chart with a warning.
    """
    days = event_days(cursor, settings["timezone"])
    last_day = days[1] if days else None
    warning = None
    for saved in list_charts(cursor):
        if saved.definition.get("type") not in DRAWN_TYPES:
            continue
        try:
            result = run_chart(cursor, parse_chart(saved.definition), saved.name, settings)
        except DefinitionError as error:
            log.warning("saved chart %r cannot be drawn: %s", saved.name, error)
            warning = f"Saved chart {saved.name!r} cannot be drawn ({error}), so a default chart is shown."
            break
        return replace(result, last_day=last_day)

    definition = default_chart(cursor, last_day)
    if definition is None:
        return ChartResult(None, None, EMPTY_FRAME, warning, last_day)
    result = run_chart(cursor, definition, None, settings)
    return replace(result, warning=warning, last_day=last_day)
