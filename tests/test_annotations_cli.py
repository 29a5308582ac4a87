"""``loupe annotations``: listing, adding and deleting annotations and releases from the command line."""

from __future__ import annotations

import csv
import io

import pytest

from tui.cli import main
from tui.store.project import create_project, open_project


@pytest.fixture
def project_path(tmp_path):
    path = tmp_path / "p.duckdb"
    with create_project(path) as project:
        project.set_member("ada", "admin")
        project.set_member("vera", "viewer")
        project.set_setting("current_member", "ada")
    return path


def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_add_and_list(project_path, capsys):
    project = str(project_path)

    assert main(["annotations", "add", "2024-03-05", "Launch", "--details", "TV", "--project", project]) == 0
    assert main([
        "annotations", "release", "3.2.0", "New checkout", "--day", "2024-03-01", "--last-day", "2024-03-03",
        "--platform", "iOS", "--platform", "Web", "--project", project,
    ]) == 0
    capsys.readouterr()

    assert main(["annotations", "--project", project, "--format", "csv"]) == 0

    listed = rows(capsys.readouterr().out)
    assert [(row["kind"], row["day"], row["last_day"], row["label"], row["details"], row["platforms"])
            for row in listed] == [
        ("release", "2024-03-01", "2024-03-03", "3.2.0 New checkout", "", "iOS, Web"),
        ("annotation", "2024-03-05", "2024-03-05", "Launch", "TV", ""),
    ]


def test_list_action_after_options(project_path, capsys):
    main(["annotations", "add", "2024-03-05", "Launch", "--project", str(project_path)])
    capsys.readouterr()

    assert main(["annotations", "--format", "csv", "--project", str(project_path), "list"]) == 0

    assert [row["label"] for row in rows(capsys.readouterr().out)] == ["Launch"]


def test_viewer_refused(project_path, capsys):
    with open_project(project_path) as project:
        project.set_setting("current_member", "vera")

    status = main(["annotations", "add", "2024-03-05", "Launch", "--project", str(project_path)])

    assert status == 2
    assert "Add annotation: needs manager or admin; vera is viewer" in capsys.readouterr().err


def test_delete_by_id(project_path, capsys):
    main(["annotations", "add", "2024-03-05", "Launch", "--project", str(project_path)])
    main(["annotations", "--project", str(project_path), "--format", "csv"])
    annotation_id = rows(capsys.readouterr().out)[0]["id"]

    assert main(["annotations", "delete", annotation_id, "--project", str(project_path)]) == 0
    assert main(["annotations", "delete", annotation_id, "--project", str(project_path)]) == 2
    assert f"No annotation or release has id {annotation_id}" in capsys.readouterr().err
