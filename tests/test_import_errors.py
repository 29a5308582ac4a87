"""Bad input: rejected rows name file, line and field; fatal errors leave the project file unchanged."""

import gzip
import json
from pathlib import Path

import pytest

from builders import build_project, file_state
from tui.store.importing import ImportFailed, import_files

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import"

GOOD_EVENT = {"event_type": "Open", "event_time": "2024-03-01T10:00:00Z", "user_id": "alice"}


@pytest.fixture
def project(tmp_path):
    project = build_project(tmp_path, [GOOD_EVENT])
    yield project
    project.close()


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def assert_fails_unchanged(project, files, match: str, **options) -> ImportFailed:
    before = file_state(project.path)
    events = project.con.execute("SELECT count(*) FROM events").fetchone()[0]
    with pytest.raises(ImportFailed, match=match) as failure:
        import_files(project, files, **options)
    assert file_state(project.path) == before
    assert project.con.execute("SELECT count(*) FROM events").fetchone()[0] == events
    return failure.value


def test_line_not_object_rejected(project, tmp_path):
    source = write_lines(tmp_path / "e.jsonl", [
        json.dumps(GOOD_EVENT | {"event_type": "A"}), "[1, 2]", "{not json", json.dumps(GOOD_EVENT | {"event_type": "B"})
    ])
    summary = import_files(project, [source])
    assert summary.imported == 2
    assert [(r.line, r.field, r.reason) for r in summary.rejected] == [
        (2, "line", "not a JSON object"),
        (3, "line", "invalid JSON"),
    ]
    assert summary.rejected[0].describe() == f"{source}:2 line '[1, 2]': not a JSON object"


def test_unparseable_timestamp_rejected(project, tmp_path):
    source = write_lines(tmp_path / "e.jsonl", [
        json.dumps(GOOD_EVENT | {"event_type": "B"}),
        json.dumps(GOOD_EVENT | {"event_time": "yesterday"}),
        json.dumps(GOOD_EVENT | {"event_time": None}),
        json.dumps(GOOD_EVENT | {"event_type": ""}),
    ])
    summary = import_files(project, [source])
    assert summary.imported == 1
    assert [(r.line, r.field, r.value, r.reason) for r in summary.rejected] == [
        (2, "event_time", "yesterday", "unparseable timestamp"),
        (3, "event_time", None, "missing event time"),
        (4, "event_type", "", "missing event type"),
    ]


def test_amplitude_rejection_names_source_field(project, tmp_path):
    line = {"event_type": "Open", "event_time": "2024-03-01 10:00:00", "client_event_time": "soon",
            "device_id": "d", "$insert_id": "x"}
    source = write_lines(tmp_path / "amp.jsonl", [json.dumps(line)])
    summary = import_files(project, [source], format="amplitude")
    assert [(r.field, r.value) for r in summary.rejected] == [("client_event_time", "soon")]


def test_truncated_gzip_fails(project, tmp_path):
    lines = "".join(json.dumps(GOOD_EVENT | {"insert_id": str(n)}) + "\n" for n in range(2000))
    packed = gzip.compress(lines.encode())
    source = tmp_path / "cut.jsonl.gz"
    source.write_bytes(packed[: len(packed) // 2])
    failure = assert_fails_unchanged(project, [source], match="cut.jsonl.gz")
    assert "complete" in str(failure)


def test_csv_without_event_column_fails(project, tmp_path):
    source = tmp_path / "e.csv"
    source.write_text("when,user\n2024-03-01 10:00:00,alice\n")
    failure = assert_fails_unchanged(project, [source], match="no event_type column")
    assert "e.csv" in str(failure)
    assert "--map event_type=COLUMN" in str(failure)


def test_map_to_missing_column_fails(project, tmp_path):
    source = tmp_path / "e.csv"
    source.write_text("event,timestamp,user_id\nOpen,2024-03-01 10:00:00,alice\n")
    failure = assert_fails_unchanged(project, [source], match="no column 'ts'", mapping={"event_time": "ts"})
    assert "'event', 'timestamp', 'user_id'" in str(failure)


def test_unknown_format_fails(project, tmp_path):
    source = write_lines(tmp_path / "e.jsonl", [json.dumps(GOOD_EVENT)])
    assert_fails_unchanged(project, [source], match="Unknown format 'segment'", format="segment")


def test_unknown_extension_fails(project, tmp_path):
    source = write_lines(tmp_path / "e.log", [json.dumps(GOOD_EVENT)])
    assert_fails_unchanged(project, [source], match="Cannot tell the format")


def test_bad_file_among_good_fails_whole(project, tmp_path):
    good = write_lines(tmp_path / "good.jsonl", [json.dumps(GOOD_EVENT | {"event_type": "New"})])
    bad = tmp_path / "bad.csv"
    bad.write_text("when,user\n2024-03-01,alice\n")
    assert_fails_unchanged(project, [good, bad], match="bad.csv")


@pytest.mark.parametrize("interrupt_at", [1, 2, 4, 6])
def test_interrupt_leaves_project_unchanged(project, tmp_path, interrupt_at):
    lines = [json.dumps(GOOD_EVENT | {"user_id": f"u{n}", "groups": {"org": "o"}}) for n in range(50)]
    source = write_lines(tmp_path / "e.jsonl", lines)
    calls = []

    def progress(done, total):
        calls.append((done, total))
        if len(calls) == interrupt_at:
            raise KeyboardInterrupt

    before = file_state(project.path)
    tables = ("events", "actors", "devices", "users", "groups", "event_groups", "imports")
    counts = {table: project.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in tables}
    with pytest.raises(KeyboardInterrupt):
        import_files(project, [source], progress=progress)
    assert file_state(project.path) == before
    for table in tables:
        assert project.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == counts[table], table

    # The same import then succeeds.
    assert import_files(project, [source]).imported == 50


def test_posthog_csv_bad_properties_rejected(project):
    summary = import_files(project, [FIXTURES / "posthog_sample.csv"])
    assert summary.imported == 2
    assert [(r.line, r.field, r.reason) for r in summary.rejected] == [(4, "properties", "not a JSON object")]
