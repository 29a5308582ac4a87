"""A reader in another process finds what the process that has a project file open saved in it.

A reader started while another process has the file open reads a snapshot
copy of the file without its write-ahead log, so every write path
checkpoints after it commits.
"""

import csv
import io
import json
import logging
import subprocess
import sys
import textwrap

import pytest

from builders import build_project
from ecom_app import VIEWS_BY_PLATFORM, messages, run_menu_action, with_chart
from microscope_app import ecom, ecom_template, press, running
from tui.app.microscope.annotation_dialog import AnnotationDialog
from tui.store.annotations import add_annotation, add_release, delete_annotation, list_annotations
from tui.store.cohorts import delete_cohort, save_cohort
from tui.store.saved_charts import delete_chart, load_chart, save_chart

__all__ = ["ecom", "ecom_template"]

CHART = {"type": "segmentation", "events": [{"event": "Open"}], "measure": "uniques", "interval": "day",
         "range": {"from": "2024-03-01", "to": "2024-03-02"}}
EVERY_ACTOR = ("SELECT actor_id FROM actors", [])

# Runs in the reader process: prints, as JSON, what a new reader finds in the project.
READ_SAVED_OBJECTS = textwrap.dedent("""
    import json, sys
    from tui.store.annotations import list_annotations, list_releases
    from tui.store.cohorts import list_cohorts
    from tui.store.project import open_project
    from tui.store.saved_charts import list_charts

    with open_project(sys.argv[1]) as project:
        print(json.dumps({
            "read_only": project.read_only,
            "charts": sorted(chart.name for chart in list_charts(project.con)),
            "cohorts": {cohort.name: cohort.size for cohort in list_cohorts(project)},
            "annotations": [note.label for note in list_annotations(project)],
            "releases": [release.version for release in list_releases(project)],
            "timezone": project.timezone,
            "members": dict(project.members()),
        }))
""")


def read_in_other_process(path) -> dict:
    """Return what a new process finds in the project at ``path``."""
    result = subprocess.run(
        [sys.executable, "-c", READ_SAVED_OBJECTS, str(path)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def run_loupe(*arguments: str) -> subprocess.CompletedProcess:
    """Run the ``loupe`` command line in another process and return its outcome."""
    return subprocess.run(
        [sys.executable, "-m", "tui", *arguments], capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def held(tmp_path):
    """Yield a project with two users and an admin acting, kept open for writing by this process."""
    project = build_project(tmp_path, [
        {"event_type": "Open", "event_time": "2024-03-01T10:00:00Z", "user_id": "u1"},
        {"event_type": "Open", "event_time": "2024-03-01T11:00:00Z", "user_id": "u2"},
    ])
    project.set_member("ada", "admin")
    project.set_setting("current_member", "ada")
    yield project
    project.close()


def test_reader_sees_every_saved_kind(held):
    save_chart(held.con, "Opens", CHART, created_by="ada")
    save_cohort(held, "Openers", EVERY_ACTOR, definition=None)
    add_annotation(held, "Launch", "2024-03-01")
    add_release(held, "1.2.0", "Faster start", None, "2024-03-02")
    held.set_setting("timezone", "Europe/Berlin")
    held.set_member("mel", "member")

    seen = read_in_other_process(held.path)

    assert seen["read_only"] is True
    assert seen["charts"] == ["Opens"]
    assert seen["cohorts"] == {"Openers": 2}
    assert seen["annotations"] == ["Launch"]
    assert seen["releases"] == ["1.2.0"]
    assert seen["timezone"] == "Europe/Berlin"
    assert seen["members"]["mel"] == "member"
    assert seen["members"]["ada"] == "admin"


def test_reader_sees_deletions(held):
    save_chart(held.con, "Opens", CHART)
    save_cohort(held, "Openers", EVERY_ACTOR, definition=None)
    note = add_annotation(held, "Launch", "2024-03-01")
    assert read_in_other_process(held.path)["annotations"] == ["Launch"]

    delete_chart(held.con, "Opens")
    delete_cohort(held, "Openers")
    delete_annotation(held, note.annotation_id)

    seen = read_in_other_process(held.path)

    assert seen["charts"] == []
    assert seen["cohorts"] == {}
    assert seen["annotations"] == []


def test_cli_lists_cohort_and_annotation(held):
    save_cohort(held, "Openers", EVERY_ACTOR, definition=None)
    add_annotation(held, "Launch", "2024-03-01", details="press release")
    path = str(held.path)

    listed = run_loupe("cohort", "list", "--project", path, "--format", "csv")
    shown = run_loupe("cohort", "show", "Openers", "--project", path, "--format", "csv")
    notes = run_loupe("annotations", "list", "--project", path, "--format", "csv")

    assert listed.returncode == 0, listed.stderr
    assert [(row["name"], row["size"]) for row in csv.DictReader(io.StringIO(listed.stdout))] == [("Openers", "2")]
    assert shown.returncode == 0, shown.stderr
    assert sorted(row["user_id"] for row in csv.DictReader(io.StringIO(shown.stdout))) == ["u1", "u2"]
    assert notes.returncode == 0, notes.stderr
    rows = list(csv.DictReader(io.StringIO(notes.stdout)))
    assert [(row["kind"], row["label"], row["details"]) for row in rows] == [("annotation", "Launch", "press release")]


def test_failed_checkpoint_is_logged(held, caplog):
    # An update in an open transaction on another cursor, as an import makes, makes DuckDB refuse checkpoints.
    importer = held.cursor()
    importer.execute("BEGIN TRANSACTION")
    importer.execute("INSERT INTO members VALUES ('ivan', 'viewer')")
    importer.execute("UPDATE settings SET value = '\"Asia/Tokyo\"' WHERE key = 'timezone'")

    with caplog.at_level(logging.WARNING, logger="tui.store.saved_objects"):
        save_chart(held.con, "Opens", CHART)
        save_cohort(held, "Openers", EVERY_ACTOR, definition=None)

    assert load_chart(held.con, "Opens").definition == CHART
    warnings = [record.getMessage() for record in caplog.records]
    assert len(warnings) == 2
    assert all("checkpoint after a committed write failed" in warning for warning in warnings)
    assert read_in_other_process(held.path)["charts"] == []

    importer.execute("COMMIT")
    importer.close()
    add_annotation(held, "Launch", "2024-03-01")
    seen = read_in_other_process(held.path)
    assert seen["charts"] == ["Opens"]
    assert seen["cohorts"] == {"Openers": 2}
    assert seen["members"]["ivan"] == "viewer"
    assert seen["timezone"] == "Asia/Tokyo"


async def test_cli_sees_annotation_added_in_app(ecom):
    async with running(with_chart(ecom, VIEWS_BY_PLATFORM)) as (app, pilot):
        await run_menu_action(app, pilot, "a", AnnotationDialog)
        await press(app, pilot, *"Spring sale", "enter")
        assert "Added annotation 'Spring sale' on 2024-03-16." in messages(app)
        assert [note.label for note in list_annotations(app.project)] == ["Spring sale"]

        listed = run_loupe("annotations", "list", "--project", str(ecom), "--format", "json")

    assert listed.returncode == 0, listed.stderr
    assert [(row["label"], row["day"]) for row in json.loads(listed.stdout)] == [("Spring sale", "2024-03-16")]
