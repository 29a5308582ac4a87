"""The microscope's actions on a point: their keys and labels, and the screens of those built elsewhere.

Some actions open screens that live in their own modules (paths, cohorts,
downloads, annotations, releases). They are looked up when used, so the menu
can show "not available yet" for one that is missing instead of failing.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Action:
    """One microscope action: its name, key and label, and the module and class of its screen if built elsewhere."""

    name: str
    key: str
    label: str
    module: str | None = None
    class_name: str | None = None


ACTIONS = {
    action.name: action
    for action in (
        Action("users", "u", "View users"),
        Action("groups", "o", "View groups", "tui.app.microscope.groups_screen", "GroupsScreen"),
        Action("streams", "s", "View user streams"),
        Action("paths", "p", "Show user paths", "tui.app.microscope.paths_screen", "PathsScreen"),
        Action("drivers", "v", "Explore conversion drivers", "tui.app.microscope.drivers_screen", "DriversScreen"),
        Action("cohort", "c", "Create cohort", "tui.app.microscope.cohort_dialog", "CohortDialog"),
        Action("download", "d", "Download users", "tui.app.microscope.download_dialog", "DownloadDialog"),
        Action(
            "download_groups", "O", "Download groups", "tui.app.microscope.download_dialog", "GroupsDownloadDialog"
        ),
        Action("annotation", "a", "Add annotation", "tui.app.microscope.annotation_dialog", "AnnotationDialog"),
        Action("release", "r", "Create release", "tui.app.microscope.release_dialog", "ReleaseDialog"),
        Action("zoom", "z", "Zoom in"),
        Action("filter", "f", "Filter to series"),
        Action("exclude", "x", "Exclude series"),
        Action("compare", "C", "Compare with marked point"),
    )
}

# The app methods that carry out the chart actions, and those that return why one does not apply (None if it does).
# Each is called with the point.
CHART_METHODS = {"zoom": "zoom_in", "filter": "filter_to_series", "exclude": "exclude_series"}
CHART_REASONS = {"zoom": "zoom_reason", "filter": "filter_reason", "exclude": "exclude_reason"}


# The chart types of the actions that apply only to some, with the reason the others get. Zoom and
# annotations check the chart type themselves, together with their other conditions. The menu shows
# a reason after the action's label on one line, so each stays short enough for an 80-column terminal.
CHART_TYPE_LIMITS = {
    "streams": (("segmentation",), "only event segmentation charts have them"),
    "drivers": (("funnel",), "only funnel charts have them"),
}


# The actions on the groups of a point, which only charts counted by a group type have.
GROUP_ACTIONS = ("groups", "download_groups")


def chart_type_reason(action: Action, chart_type: str) -> str | None:
    """Return why ``action`` does not apply to a chart of ``chart_type``, or None when it does.

    Filter to series and Exclude series apply to every chart type. ``chart_changes`` raises ChartChangeError
    when a chart has no line to keep or drop.
    """
    limit = CHART_TYPE_LIMITS.get(action.name)
    if limit is None or chart_type in limit[0]:
        return None
    return f"{action.label}: {limit[1]}"


def screen_class(action: Action) -> type | None:
    """Return the screen class of ``action`` from its module, or None when that module or class does not exist yet."""
    if action.module is None:
        return None
    try:
        module = importlib.import_module(action.module)
    except ModuleNotFoundError as error:
        if error.name != action.module:
            raise
        return None
    return getattr(module, action.class_name, None)


def not_available(action: Action) -> str:
    return f"{action.label}: not available yet"
