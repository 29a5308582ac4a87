"""Saved charts in the project file: save, replace, list, load, delete, and bad names."""

import pytest

from tui.store.project import create_project, open_project
from tui.store.saved_charts import (
    MAX_NAME_LENGTH,
    SavedChartError,
    delete_chart,
    latest_chart,
    list_charts,
    load_chart,
    save_chart,
)

PURCHASES = {
    "type": "segmentation",
    "events": [{"event": "Purchase", "where": [{"property": "plan", "op": "in", "value": ["pro", "team"]}]}],
    "measure": "sum:revenue",
    "interval": "week",
    "range": {"from": "2024-03-01", "to": "2024-03-31"},
    "group_by": "country",
}


@pytest.fixture
def project(tmp_path):
    with create_project(tmp_path / "p.duckdb") as project:
        yield project


def test_saved_definition_loads_equal(tmp_path):
    path = tmp_path / "p.duckdb"
    with create_project(path) as project:
        save_chart(project.con, "Revenue [b]weekly[/b]", PURCHASES, created_by="ana")

    with open_project(path) as project:
        chart = load_chart(project.con, "Revenue [b]weekly[/b]")
    assert chart.definition == PURCHASES
    assert chart.created_by == "ana"
    assert chart.created_at == chart.updated_at


def test_save_same_name_replaces(project):
    first = save_chart(project.con, "Purchases", PURCHASES, created_by="ana")
    changed = dict(PURCHASES, measure="totals")
    second = save_chart(project.con, "Purchases", changed, created_by="bo")

    assert [chart.name for chart in list_charts(project.con)] == ["Purchases"]
    assert second.definition["measure"] == "totals"
    # The creator and creation time stay those of the first save.
    assert second.created_by == "ana"
    assert second.created_at == first.created_at
    assert second.updated_at > first.updated_at


def test_list_and_latest_newest_first(project):
    for name in ("b", "a", "c"):
        save_chart(project.con, name, PURCHASES)
    save_chart(project.con, "b", PURCHASES)

    assert [chart.name for chart in list_charts(project.con)] == ["b", "c", "a"]
    assert latest_chart(project.con).name == "b"


def test_latest_none_when_nothing_saved(project):
    assert latest_chart(project.con) is None
    assert list_charts(project.con) == []


def test_delete_removes_chart(project):
    save_chart(project.con, "a", PURCHASES)
    save_chart(project.con, "b", PURCHASES)
    delete_chart(project.con, "a")
    assert [chart.name for chart in list_charts(project.con)] == ["b"]


def test_missing_chart_named_in_error(project):
    with pytest.raises(SavedChartError, match="'nope'"):
        load_chart(project.con, "nope")
    with pytest.raises(SavedChartError, match="'nope'"):
        delete_chart(project.con, "nope")


def test_name_trimmed(project):
    saved = save_chart(project.con, "  Purchases \t", PURCHASES)
    assert saved.name == "Purchases"


@pytest.mark.parametrize("name", ["", "   ", "x" * (MAX_NAME_LENGTH + 1)])
def test_bad_name_rejected(project, name):
    with pytest.raises(SavedChartError):
        save_chart(project.con, name, PURCHASES)
    assert list_charts(project.con) == []
