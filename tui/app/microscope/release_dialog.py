"""Create release: a product change (version, title, description, days, platforms) drawn as a marker on time charts."""

from __future__ import annotations

from typing import Any


from tui.analytics.point import Point
from tui.app.microscope.annotation_dialog import point_day
from tui.app.microscope.form_dialog import Field, FormDialog
from tui.store.annotations import Release, add_release, can_add_release
from tui.store.project import Project
from tui.text import printable


def release_days(release: Release) -> str:
    """Return the days of ``release``: ``2024-03-05``, or ``2024-03-05 to 2024-03-07`` for several."""
    if release.last_day == release.first_day:
        return str(release.first_day)
    return f"{release.first_day} to {release.last_day}"


def split_platforms(text: str) -> list[str]:
    """Return the platforms of a comma-separated list, without blanks: ``iOS, Web`` gives ``["iOS", "Web"]``."""
    return [platform.strip() for platform in text.split(",") if platform.strip()]


class ReleaseDialog(FormDialog):
    """The dialog that adds a release, by default on ``point``'s day; returns the Release."""

    title_text = "Create release"
    submit_label = "Create"

    def __init__(self, project: Project, point: Point, settings: Any):
        super().__init__(project, point, settings)
        self.point = point

    def fields(self) -> list[Field]:
        return [
            Field("release-version", "Version", "e.g. 2.0.0"),
            Field("release-title", "Title", "e.g. New checkout"),
            Field("release-description", "About", "optional description"),
            Field("release-first-day", "From", "YYYY-MM-DD", point_day(self.point, self.settings).isoformat()),
            Field("release-last-day", "To", "YYYY-MM-DD, empty for one day"),
            Field("release-platforms", "Platform", "optional, a comma-separated list: iOS, Android, Web"),
        ]

    def check_permission(self, project: Project) -> tuple[bool, str]:
        return can_add_release(project)

    def save(self, project: Project, values: dict[str, str]) -> Release:
        return add_release(
            project,
            values["release-version"],
            values["release-title"],
            values["release-description"] or None,
            values["release-first-day"],
            values["release-last-day"] or None,
            split_platforms(values["release-platforms"]),
        )

    def saved(self, release: Release) -> None:
        self.app.notify(
            f"Created release {printable(release.version)} '{printable(release.title)}' on {release_days(release)}.",
            title="Release created",
            markup=False,
        )
        self.app.reload_markers()
        self.dismiss(release)
