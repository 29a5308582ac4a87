"""Annotations and releases: roles, chart types, dates, listing, deletion and the markers a chart draws."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from locking import write_lock_held

from tui.store.annotations import (
    AnnotationError,
    add_annotation,
    add_release,
    can_add_release,
    can_annotate,
    delete_annotation,
    delete_release,
    list_annotations,
    list_releases,
    markers_in_range,
)
from tui.store.project import ProjectError, create_project, open_project


@pytest.fixture
def project(tmp_path):
    project = create_project(tmp_path / "p.duckdb")
    project.set_member("ada", "admin")
    project.set_member("mona", "manager")
    project.set_member("mel", "member")
    project.set_member("vera", "viewer")
    project.set_setting("current_member", "ada")
    yield project
    project.close()


def act_as(project, name: str) -> None:
    project.set_setting("current_member", name)


def test_viewer_cannot_annotate(project):
    act_as(project, "vera")

    with pytest.raises(PermissionError) as raised:
        add_annotation(project, "Launch", "2024-03-05")

    assert str(raised.value).startswith("Add annotation: needs manager or admin; vera is viewer.")
    assert list_annotations(project) == []


def test_member_cannot_annotate(project):
    act_as(project, "mel")

    assert can_annotate(project) == (
        False,
        "Add annotation: needs manager or admin; mel is member. "
        "An admin can change that with loupe settings --member mel=ROLE.",
    )


def test_stranger_cannot_annotate(project):
    act_as(project, "zed")

    allowed, reason = can_annotate(project)

    assert allowed is False
    assert "zed is not a member of this project" in reason


def test_admin_annotates(project):
    note = add_annotation(project, "  Launch  ", date(2024, 3, 5), details="TV campaign", chart_type="segmentation")

    assert can_annotate(project) == (True, "")
    assert (note.label, note.day, note.details, note.created_by) == ("Launch", date(2024, 3, 5), "TV campaign", "ada")
    assert list_annotations(project) == [note]


def test_manager_annotates_sessions_chart(project):
    act_as(project, "mona")

    note = add_annotation(project, "Outage", "2024-03-06", chart_type="sessions", chart_name="Sessions per day")

    assert note.chart_name == "Sessions per day"
    assert note.created_by == "mona"


def test_funnel_not_annotated(project):
    assert can_annotate(project, "funnel") == (
        False,
        "Add annotation: only event segmentation and user sessions charts take annotations, not funnel charts.",
    )
    with pytest.raises(AnnotationError, match="not retention charts"):
        add_annotation(project, "Launch", "2024-03-05", chart_type="retention")


def test_bad_day_named(project):
    with pytest.raises(AnnotationError, match=r"day '5 March' is not a date: write it as YYYY-MM-DD"):
        add_annotation(project, "Launch", "5 March")


def test_empty_label_rejected(project):
    with pytest.raises(AnnotationError, match="Annotation label is empty"):
        add_annotation(project, "  ", "2024-03-05")


def test_delete_annotation_roles(project):
    note = add_annotation(project, "Launch", "2024-03-05")
    act_as(project, "mel")

    with pytest.raises(PermissionError, match="Delete annotation: needs manager or admin; mel is member"):
        delete_annotation(project, note.annotation_id)

    act_as(project, "mona")
    delete_annotation(project, note.annotation_id)
    assert list_annotations(project) == []


def test_delete_missing_annotation(project):
    with pytest.raises(AnnotationError, match="No annotation has id 999"):
        delete_annotation(project, 999)


def test_member_creates_release(project):
    act_as(project, "mel")

    release = add_release(project, "3.2.0", "New checkout", "One-page checkout", "2024-03-04", "2024-03-06", ["iOS", "Android"])

    assert can_add_release(project) == (True, "")
    assert (release.version, release.title, release.description) == ("3.2.0", "New checkout", "One-page checkout")
    assert (release.first_day, release.last_day) == (date(2024, 3, 4), date(2024, 3, 6))
    assert release.platforms == ("iOS", "Android")
    assert release.created_by == "mel"
    assert list_releases(project) == [release]


def test_one_day_release(project):
    release = add_release(project, "3.2.1", "Fix", None, datetime(2024, 3, 9, 15, 0))

    assert release.first_day == release.last_day == date(2024, 3, 9)
    assert release.platforms == ()


def test_viewer_cannot_release(project):
    act_as(project, "vera")

    with pytest.raises(PermissionError, match="Create release: needs member or higher; vera is viewer"):
        add_release(project, "3.2.0", "New checkout", None, "2024-03-04")
    assert can_add_release(project)[0] is False


def test_release_days_in_order(project):
    with pytest.raises(AnnotationError, match="last day 2024-03-01 is before first day 2024-03-04"):
        add_release(project, "3.2.0", "New checkout", None, "2024-03-04", "2024-03-01")


def test_delete_release_needs_manager(project):
    release = add_release(project, "3.2.0", "New checkout", None, "2024-03-04")
    act_as(project, "mel")

    with pytest.raises(PermissionError, match="Delete release: needs manager or admin"):
        delete_release(project, release.release_id)

    act_as(project, "ada")
    delete_release(project, release.release_id)
    assert list_releases(project) == []


def test_markers_in_range(project):
    add_annotation(project, "Before", "2024-02-28")
    add_annotation(project, "Launch", "2024-03-05")
    add_annotation(project, "Other chart only", "2024-03-05", chart_name="Revenue")
    add_annotation(project, "This chart only", "2024-03-06", chart_name="Signups")
    add_release(project, "3.1.0", "Spans the start", None, "2024-02-27", "2024-03-01")
    add_release(project, "3.2.0", "Inside", None, "2024-03-07")
    add_release(project, "4.0.0", "After", None, "2024-04-01")

    markers = markers_in_range(project, date(2024, 3, 1), "2024-03-31", chart_name="Signups")

    assert list(markers.columns) == ["kind", "day", "last_day", "label"]
    rows = [(kind, day.isoformat(), last.isoformat(), label) for kind, day, last, label in markers.itertuples(index=False)]
    assert rows == [
        ("release", "2024-02-27", "2024-03-01", "3.1.0 Spans the start"),
        ("annotation", "2024-03-05", "2024-03-05", "Launch"),
        ("annotation", "2024-03-06", "2024-03-06", "This chart only"),
        ("release", "2024-03-07", "2024-03-07", "3.2.0 Inside"),
    ]


def test_markers_without_chart_name(project):
    add_annotation(project, "Launch", "2024-03-05")
    add_annotation(project, "Revenue only", "2024-03-05", chart_name="Revenue")

    markers = markers_in_range(project.cursor(), "2024-03-01", "2024-03-31")

    assert markers["label"].tolist() == ["Launch"]


def test_read_only_project_cannot_annotate(project, tmp_path):
    path = project.path
    project.close()
    with write_lock_held(path) as holder_pid:
        with open_project(path) as snapshot:
            allowed, reason = can_annotate(snapshot)
            assert allowed is False
            assert reason.startswith("Add annotation: p.duckdb is open for writing")
            assert can_add_release(snapshot)[0] is False
            with pytest.raises(ProjectError, match="read-only"):
                add_annotation(snapshot, "Launch", "2024-03-05")
