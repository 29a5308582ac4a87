"""The command line stops quietly when the reader of its output goes away."""

import json
import subprocess
import sys

from builders import build_project


def test_closed_pipe_exits_without_traceback(tmp_path):
    project = build_project(tmp_path, [{"event_type": "Open", "event_time": "2024-01-01T10:00:00Z", "user_id": "u1"}])
    project.close()
    chart = tmp_path / "chart.json"
    # An hourly chart over a year prints about 700 kB, more than a pipe buffers.
    chart.write_text(json.dumps({
        "type": "segmentation", "events": [{"event": "Open"}], "measure": "uniques",
        "interval": "hour", "range": {"from": "2024-01-01", "to": "2024-12-31"},
    }))

    command = [sys.executable, "-m", "tui", "chart", str(chart), "--project", str(project.path), "--format", "csv"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path)
    first_line = process.stdout.readline()
    process.stdout.close()
    stderr = process.stderr.read().decode()
    process.wait(timeout=60)

    assert first_line.startswith(b"series,segment")
    assert process.returncode == 141
    assert "Traceback" not in stderr
