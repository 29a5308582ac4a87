"""The home screen's chart history: the charts shown before each change, so Backspace can return to them.

A change is a zoom, a filter to a series, an excluded series, a chart applied
from the builder or a saved chart opened. Running the same chart again (r)
is not a change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tui.analytics.definition import ChartDefinition
from tui.app.formatting import shorten
from tui.text import printable

# Charts kept for Back; the oldest is forgotten first. Each keeps its aggregated points, not events.
MAX_CHARTS = 50


# The change of a chart applied from the builder. Zoom, filter and exclude start from a point on the chart instead.
BUILDER_EDIT = "edited in the builder"


@dataclass(frozen=True)
class ChartOrigin:
    """The provenance of an unsaved chart: the ``change`` that made it and the saved chart it started from, if any."""

    change: str
    base_name: str | None
    # The name typed in the builder for this chart or one it was made from, which Save offers until it is saved.
    name: str | None = None

    def text(self, base_cells: int | None = None, name_cells: int | None = None) -> str:
        """Return the title's note, such as ``Unsaved, zoomed in from “Signups”``.

        A typed name other than the base's comes first and takes the place of
        the change: ``“Signups by plan” (unsaved, from “Signups”)``. The base
        name is cut to ``base_cells`` and the typed name to ``name_cells`` cells.
        """
        base = quoted(self.base_name, base_cells) if self.base_name else "an unsaved chart"
        if self.name and self.name != self.base_name:
            return f"{quoted(self.name, name_cells)} (unsaved, from {base})"
        return f"Unsaved, {self.change} from {base}"


def quoted(name: str, cells: int | None = None) -> str:
    """Return ``name`` as printable text in curly quotes, cut to ``cells`` cells (quotes not counted)."""
    text = printable(name)
    return f"“{text if cells is None else shorten(text, cells)}”"


def derived_origin(
    change: str, chart_name: str | None, origin: ChartOrigin | None, name: str | None = None
) -> ChartOrigin:
    """Return the origin of a chart made by ``change`` from the current chart (saved as ``chart_name``, or derived).

    ``name`` is the name typed for the new chart in the builder, if any. A
    change made outside the builder (zoom, filter, exclude) keeps the name
    typed for the chart it changes, so Save still offers it. A builder edit
    takes the name as typed, and an empty Name field drops it.
    """
    if chart_name:
        return ChartOrigin(change, chart_name, name)
    if name is None and change != BUILDER_EDIT and origin is not None:
        name = origin.name
    return ChartOrigin(change, origin.base_name if origin else None, name)


@dataclass(frozen=True)
class ShownChart:
    """A chart as the home screen showed it: its query result and its cursor model, whose cursor stays where it was."""

    definition: ChartDefinition
    name: str | None
    points: Any
    markers: tuple
    session_span_us: int | None
    origin: ChartOrigin | None

    def same_chart(self, definition: ChartDefinition, name: str | None) -> bool:
        return self.definition == definition and self.name == name


class ChartHistory:
    """The charts to go back to, the most recent last."""

    def __init__(self, limit: int = MAX_CHARTS):
        self.limit = limit
        self._charts: list[ShownChart] = []

    def __len__(self) -> int:
        return len(self._charts)

    def __iter__(self):
        return iter(self._charts)

    def __reversed__(self):
        return reversed(self._charts)

    def push(self, chart: ShownChart) -> None:
        self._charts.append(chart)
        del self._charts[: -self.limit]

    def pop(self) -> ShownChart | None:
        """Remove and return the chart shown before the last change, or None when there is none."""
        return self._charts.pop() if self._charts else None
