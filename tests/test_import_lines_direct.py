"""Generic, Mixpanel and PostHog JSON lines read straight from the file: bad lines rejected by number, order kept."""

from __future__ import annotations

import gzip
import json

import pytest

from tui.store.importing import ImportFailed, import_files
from tui.store.project import create_project

# One good event per format, at minute ``minute`` of 2024-03-01 10:00 UTC, for user ``user``.
GOOD_LINES = {
    "jsonl": lambda minute, user: {
        "event_type": "Open", "event_time": f"2024-03-01T10:{minute:02d}:00Z", "user_id": user, "plan": "pro",
    },
    "mixpanel": lambda minute, user: {
        "event": "Open", "properties": {"time": 1709287200 + 60 * minute, "distinct_id": user, "plan": "pro"},
    },
    "posthog": lambda minute, user: {
        "event": "Open", "timestamp": f"2024-03-01T10:{minute:02d}:00Z", "distinct_id": user,
        "properties": {"plan": "pro"},
    },
}

FORMATS = sorted(GOOD_LINES)


def mixed_lines(file_format: str) -> list[str]:
    good = GOOD_LINES[file_format]
    return [
        json.dumps(good(0, "ana")),
        "",
        "   ",
        "{not json",
        "[1, 2]",
        '"text"',
        "  " + json.dumps(good(1, "bo")),
        json.dumps(good(2, "Zoë ☕")),
    ]


def import_text(tmp_path, file_format: str, text: str, gzipped: bool = False):
    source = tmp_path / ("events.jsonl.gz" if gzipped else "events.jsonl")
    if gzipped:
        with gzip.open(source, "wt", encoding="utf-8") as handle:
            handle.write(text)
    else:
        source.write_text(text, encoding="utf-8")
    project = create_project(tmp_path / "p.duckdb")
    try:
        summary = import_files(project, [source], format=file_format)
        events = project.con.execute("SELECT user_id, seq, event_properties FROM events ORDER BY seq").fetchall()
    finally:
        project.close()
    return summary, events


@pytest.mark.parametrize("gzipped", [False, True])
@pytest.mark.parametrize("file_format", FORMATS)
def test_bad_lines_rejected_by_number(tmp_path, file_format, gzipped):
    summary, _ = import_text(tmp_path, file_format, "\n".join(mixed_lines(file_format)) + "\n", gzipped)

    assert summary.imported == 3
    assert summary.rejected_count == 3
    rejections = [(rejection.line, rejection.field, rejection.reason) for rejection in summary.rejected]
    assert rejections == [
        (4, "line", "invalid JSON"),
        (5, "line", "not a JSON object"),
        (6, "line", "not a JSON object"),
    ]
    assert summary.rejected[0].value == "{not json"


@pytest.mark.parametrize("file_format", FORMATS)
def test_good_lines_keep_file_order(tmp_path, file_format):
    _, events = import_text(tmp_path, file_format, "\n".join(mixed_lines(file_format)) + "\n")

    assert [user for user, _, _ in events] == ["ana", "bo", "Zoë ☕"]
    # Staged once in file order, so seq is the staged row + 1, and the bad lines 4 to 6 take rows 1 to 3.
    assert [seq for _, seq, _ in events] == [1, 5, 6]
    assert all(json.loads(properties)["plan"] == "pro" for _, _, properties in events)


@pytest.mark.parametrize("file_format", FORMATS)
def test_truncated_gzip_names_file(tmp_path, file_format):
    whole = gzip.compress(("\n".join(json.dumps(GOOD_LINES[file_format](0, "ana")) for _ in range(2000)) + "\n").encode())
    source = tmp_path / "cut.jsonl.gz"
    source.write_bytes(whole[: len(whole) // 2])
    project = create_project(tmp_path / "p.duckdb")
    try:
        with pytest.raises(ImportFailed) as failure:
            import_files(project, [source], format=file_format)
        assert project.con.execute("SELECT count(*) FROM events").fetchone()[0] == 0
    finally:
        project.close()

    assert "cut.jsonl.gz" in str(failure.value)
