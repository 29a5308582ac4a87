"""Add annotation: a label (and optional details) on a day of the chart, drawn as a marker on the time axis.

Only managers and admins annotate, and only event segmentation and user
sessions charts and a funnel's conversion over time take annotations. The
dialog shows the reason and disables saving for anyone else.
"""

from __future__ import annotations

from datetime import date
from typing import Any


from tui.analytics.point import Point, point_label
from tui.app.microscope.form_dialog import Field, FormDialog
from tui.store.annotations import Annotation, add_annotation, can_annotate
from tui.store.project import Project
from tui.text import printable


def point_day(point: Point, settings: Any) -> date:
    """Return the day ``point``'s bucket starts on, in the chart's time zone (a funnel's: its range's first day)."""
    return point_label(point, settings).bucket_start.date()


# The reason a funnel's steps take no annotation, though its conversion over time does.
FUNNEL_STEPS_REASON = (
    "Add annotation: a funnel's steps have no time axis. Its conversion over time (T on the chart) takes annotations."
)


def can_annotate_point(project, point: Point) -> tuple[bool, str]:
    """Return whether the current member may annotate ``point``'s chart, and why not.

    A funnel's conversion over time has a time axis, where the chart draws
    annotations, so it takes them like an event segmentation chart.
    """
    if point.definition.type == "funnel" and not point.over_time:
        return False, FUNNEL_STEPS_REASON
    return can_annotate(project, None if point.over_time else point.definition.type)


class AnnotationDialog(FormDialog):
    """The dialog that adds an annotation on ``point``'s day (editable); returns the Annotation."""

    title_text = "Add annotation"
    submit_label = "Add"

    def __init__(self, project: Project, point: Point, settings: Any):
        super().__init__(project, point, settings)
        self.point = point

    def fields(self) -> list[Field]:
        return [
            Field("annotation-label", "Label", "what happened, e.g. Spring campaign"),
            Field("annotation-details", "Details", "optional"),
            Field("annotation-day", "Date", "YYYY-MM-DD", point_day(self.point, self.settings).isoformat()),
        ]

    def check_permission(self, project: Project) -> tuple[bool, str]:
        return can_annotate_point(project, self.point)

    def save(self, project: Project, values: dict[str, str]) -> Annotation:
        return add_annotation(
            project,
            values["annotation-label"],
            values["annotation-day"],
            details=values["annotation-details"] or None,
            chart_type=None if self.point.over_time else self.point.definition.type,
        )

    def saved(self, annotation: Annotation) -> None:
        self.app.notify(
            f"Added annotation '{printable(annotation.label)}' on {annotation.day}.", title="Annotation added", markup=False
        )
        self.app.reload_markers()
        self.dismiss(annotation)
