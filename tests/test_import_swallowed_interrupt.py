"""A Ctrl-C that DuckDB swallows still cancels an import at its next step, up to the commit."""

from __future__ import annotations

import json
import os
import signal

import pytest

from builders import file_state
from tui.cli.interrupts import InterruptGuard
from tui.store.importing import import_files
from tui.store.project import create_project, open_project

EVENTS = [
    {"event_type": "Open", "event_time": "2024-03-01T10:00:00Z", "user_id": "ann"},
    {"event_type": "Buy", "event_time": "2024-03-01T10:05:00Z", "user_id": "ann"},
]


def write_source(path):
    path.write_text("".join(json.dumps(event) + "\n" for event in EVENTS), encoding="utf-8")
    return path


def test_guard_raises_a_swallowed_interrupt():
    with InterruptGuard() as guard:
        guard.check()

        # What DuckDB's client does when the statement ends first: the KeyboardInterrupt is lost.
        try:
            os.kill(os.getpid(), signal.SIGINT)
        except KeyboardInterrupt:
            pass

        assert guard.pressed
        with pytest.raises(KeyboardInterrupt):
            guard.check()


def test_guard_restores_the_handler():
    before = signal.getsignal(signal.SIGINT)

    with InterruptGuard():
        assert signal.getsignal(signal.SIGINT) is not before

    assert signal.getsignal(signal.SIGINT) is before


def count_progress_calls(tmp_path, source) -> int:
    calls = []
    with create_project(tmp_path / "count.duckdb") as project:
        import_files(project, [source], progress=lambda done, total: calls.append(done))
    return len(calls)


def test_interrupt_at_any_step_leaves_the_project(tmp_path):
    source = write_source(tmp_path / "events.jsonl")
    path = tmp_path / "p.duckdb"
    create_project(path).close()
    before = file_state(path)
    # The last call comes after every statement of the write but the commit.
    total_calls = count_progress_calls(tmp_path, source)

    for interrupted_call in range(1, total_calls + 1):
        calls = []

        def progress(done, total):
            calls.append(done)
            if len(calls) == interrupted_call:
                raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            with open_project(path) as project:
                import_files(project, [source], progress=progress)

        assert len(calls) == interrupted_call
        assert file_state(path) == before
