"""The app and the command line give a sessions point the chart's longest session, so its paths see whole sessions."""

from __future__ import annotations

import csv
import io
import json

from builders import build_project
from microscope_app import running
from test_sessions_point_span import chart, night_events
from tui.analytics.session_span import max_session_span_us
from tui.app.microscope.selection import current_point
from tui.cli import main
from tui.store.saved_charts import save_chart

# The night session runs from 23:50 on 1 March to 00:20 on 2 March: 30 minutes.
NIGHT_SPAN_US = 30 * 60 * 1_000_000


def night_project(tmp_path):
    with build_project(tmp_path, night_events(0)) as project:
        save_chart(project.con, "Night sessions", chart())
        path = project.path
    return path


async def test_app_point_carries_span(tmp_path):
    async with running(night_project(tmp_path)) as (app, pilot):
        point = current_point(app)
        assert app.definition.type == "sessions"
        assert point.session_span_us == NIGHT_SPAN_US
        assert max_session_span_us(app.project.cursor()) == NIGHT_SPAN_US


def test_cli_paths_follow_session_past_midnight(tmp_path, capsys):
    path = night_project(tmp_path)
    chart_path = tmp_path / "night.json"
    chart_path.write_text(json.dumps(chart()), encoding="utf-8")

    status = main(["paths", str(chart_path), "--project", str(path), "--point", "2024-03-01", "--format", "csv"])

    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert status == 0
    paths = {row["path"]: int(row["users"]) for row in rows}
    assert any(path.startswith("login > search > logout") for path in paths), paths
