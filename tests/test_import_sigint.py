"""Ctrl-C during a running import statement: the CLI reports that nothing changed and leaves no project behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time


def write_events(path, count: int) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for number in range(count):
            event = {"event": "Open", "time": f"2024-03-01T10:{number // 60 % 60:02d}:{number % 60:02d}Z",
                     "user": f"user-{number % 5000}", **{f"key_{key}": f"value {number} {key}" for key in range(30)}}
            handle.write(json.dumps(event) + "\n")


def test_sigint_during_statement_removes_new_project(tmp_path):
    source = tmp_path / "events.jsonl"
    write_events(source, 200_000)
    project = tmp_path / "new.duckdb"
    command = [sys.executable, "-m", "tui", "import", str(source), "--project", str(project), "--format", "jsonl",
               "--map", "event_type=event", "--map", "event_time=time", "--map", "user_id=user"]
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)

    # Staging 200,000 lines of 33 keys takes seconds, so after the project file appears a statement is running.
    deadline = time.monotonic() + 60
    while not project.exists() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    time.sleep(0.5)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)

    assert process.returncode == 130, stderr
    assert stderr.strip().endswith("Cancelled; nothing was changed.")
    assert "Traceback" not in stderr
    assert stdout == ""
    assert not project.exists()
