"""The built demo project: imported through the real importer, with markers, charts and resolved identities."""

import json
from datetime import date

import pytest

from tui.analytics.definition import parse_chart
from tui.paths import demo_project_path
from tui.store.demo import build_demo_project, build_demo_project_with_summary, ensure_demo_project
from tui.store.project import open_project
from tui.store.saved_charts import list_charts


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A 20,000-event demo project and its import summary, built once for this module."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    path, summary = build_demo_project_with_summary(path, n_events=20_000, seed=7)
    project = open_project(path)
    yield project, summary
    project.close()


def _scalar(project, sql, parameters=()):
    return project.con.execute(sql, list(parameters)).fetchone()[0]


def test_summary_counts_retries_as_duplicates(demo):
    project, summary = demo
    assert summary.rejected_count == 0
    assert summary.duplicates > 0
    assert summary.imported == _scalar(project, "SELECT count(*) FROM events")
    assert 18_000 <= summary.imported <= 22_000


def test_releases_and_annotation_recorded(demo):
    project, _ = demo
    rows = project.con.execute(
        "SELECT version, first_day, last_day, platforms FROM releases ORDER BY first_day"
    ).fetchall()
    assert [row[0] for row in rows] == ["1.9.0", "2.0.0", "2.0.1"]
    assert rows[1][1] == date(2026, 10, 13)
    assert rows[1][2] == date(2026, 10, 13)
    assert rows[1][3] == ["Web", "iOS", "Android"]

    label, day = project.con.execute("SELECT label, day FROM annotations").fetchone()
    assert label == "Email campaign"
    assert day == date(2026, 11, 2)


def test_saved_charts_are_valid_definitions(demo):
    project, _ = demo
    charts = list_charts(project.con)
    assert {chart.name for chart in charts} == {"Onboarding steps", "Daily active users by platform", "Weekly revenue"}
    for chart in charts:
        assert parse_chart(chart.definition).to_json() == chart.definition


def test_fake_user_ids_not_kept(demo):
    project, _ = demo
    assert _scalar(project, "SELECT count(*) FROM events WHERE user_id IN ('null', '')") == 0


def test_anonymous_visits_resolve_to_user(demo):
    project, _ = demo
    devices = project.con.execute(
        """
        SELECT device_id, count(DISTINCT actor_id), bool_or(user_id IS NULL), bool_or(user_id IS NOT NULL)
        FROM events WHERE device_id IS NOT NULL GROUP BY device_id
        """
    ).fetchall()
    identified_later = [row for row in devices if row[2] and row[3]]
    assert len(identified_later) > 50
    assert all(row[1] == 1 for row in identified_later)

    device = identified_later[0][0]
    owner = _scalar(
        project,
        "SELECT u.user_id FROM events e JOIN users u USING (actor_id) WHERE e.device_id = ? AND e.user_id IS NULL LIMIT 1",
        [device],
    )
    assert owner is not None and owner.startswith("u")


def test_users_table_shows_latest_plan(demo):
    project, _ = demo
    upgraded = project.con.execute(
        """
        SELECT actor_id,
               arg_max(user_properties ->> 'plan', seq) AS last_sent,
               arg_min(user_properties ->> 'plan', seq) AS first_sent
        FROM events WHERE user_properties ->> 'plan' IS NOT NULL
        GROUP BY actor_id HAVING count(DISTINCT user_properties ->> 'plan') > 1
        """
    ).fetchall()
    assert len(upgraded) > 5
    for actor_id, last_sent, first_sent in upgraded:
        assert first_sent == "free"
        stored = _scalar(project, "SELECT properties ->> 'plan' FROM users WHERE actor_id = ?", [actor_id])
        assert stored == last_sent


def test_accounts_have_several_members(demo):
    project, _ = demo
    sizes = [
        row[1]
        for row in project.con.execute(
            """
            SELECT g.group_name, count(DISTINCT e.actor_id)
            FROM event_groups eg JOIN groups g USING (group_id) JOIN events e USING (seq)
            WHERE g.group_type = 'account' GROUP BY g.group_name
            """
        ).fetchall()
    ]
    assert len(sizes) > 20
    assert sum(size >= 3 for size in sizes) > 5


def test_rebuild_replaces_file(tmp_path):
    path = tmp_path / "demo.duckdb"
    path.write_text("not a project")
    build_demo_project(path, n_events=2_000, seed=1)
    with open_project(path) as project:
        assert _scalar(project, "SELECT count(*) FROM events") > 1_000
    assert sorted(item.name for item in tmp_path.iterdir()) == ["demo.duckdb"]


def test_failed_build_leaves_nothing(tmp_path):
    path = tmp_path / "demo.duckdb"
    path.write_text("earlier file")
    with pytest.raises(ValueError, match="at least"):
        build_demo_project(path, n_events=10)
    assert path.read_text() == "earlier file"
    assert sorted(item.name for item in tmp_path.iterdir()) == ["demo.duckdb"]


def test_ensure_builds_default_demo_once():
    stages = []
    path = ensure_demo_project(progress=lambda stage, done, total: stages.append(stage))
    assert path == demo_project_path()
    assert stages[0] == "generate"
    assert stages[-1] == "import"

    with open_project(path) as project:
        events, actors, days = project.con.execute(
            "SELECT count(*), count(DISTINCT actor_id), count(DISTINCT CAST(event_time AT TIME ZONE 'UTC' AS DATE)) FROM events"
        ).fetchone()
        summary = json.loads(_scalar(project, "SELECT summary FROM imports"))
    assert 270_000 <= events <= 330_000
    assert 4_500 <= actors <= 5_500
    assert days == 90
    assert summary["users"] == actors

    modified = path.stat().st_mtime_ns
    assert ensure_demo_project(progress=lambda *args: stages.append("again")) == path
    assert path.stat().st_mtime_ns == modified
    assert "again" not in stages
