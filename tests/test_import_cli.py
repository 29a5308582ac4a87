"""``loupe import`` on the command line: summary on stdout, one-line errors, exit codes."""

import json

from tui.cli import main


def test_import_prints_summary(tmp_path, capsys, shared_data):
    project = tmp_path / "new" / "p.duckdb"
    source = shared_data / "amplitude-export-airbyte" / "events_only.jsonl"
    assert main(["import", str(source), "--project", str(project)]) == 0
    output = capsys.readouterr()
    lines = output.out.splitlines()
    assert "read: 8" in lines
    assert "imported: 8" in lines
    assert "duplicates: 0" in lines
    assert "users: 2" in lines
    assert "time span: 2023-08-24T07:00:00+00:00 .. 2023-08-25T07:00:00+00:00" in lines
    assert any(line.startswith("time fields: ") and "client_event_time" in line for line in lines)
    assert output.err == ""
    assert project.exists()


def test_import_lists_rejections(tmp_path, capsys):
    source = tmp_path / "e.jsonl"
    good = {"event_type": "A", "event_time": "2024-03-01T10:00:00Z", "user_id": "u"}
    lines = [json.dumps(good)] + [json.dumps(good | {"event_time": f"bad{n}"}) for n in range(25)]
    source.write_text("\n".join(lines) + "\n")
    code = main(["import", str(source), "--project", str(tmp_path / "p.duckdb")])
    assert code == 0
    out = capsys.readouterr().out
    assert "rejected: 25" in out.splitlines()
    assert f"  rejected {source}:2 event_time 'bad0': unparseable timestamp" in out.splitlines()
    assert "  ... and 5 more rejected rows" in out.splitlines()


def test_import_map_and_timezone(tmp_path, capsys):
    source = tmp_path / "e.csv"
    source.write_text("what,when,who\nOpen,2024-07-01 12:00:00,u1\n")
    code = main([
        "import", str(source), "--project", str(tmp_path / "p.duckdb"), "--map", "event_type=what",
        "--map", "event_time=when", "--map", "user_id=who", "--source-timezone", "America/New_York",
    ])
    assert code == 0
    assert "time span: 2024-07-01T16:00:00+00:00 .. 2024-07-01T16:00:00+00:00" in capsys.readouterr().out


def test_import_failure_is_one_line(tmp_path, capsys):
    source = tmp_path / "e.csv"
    source.write_text("a,b\n1,2\n")
    project = tmp_path / "p.duckdb"
    code = main(["import", str(source), "--project", str(project), "--map", "event_type=nope"])
    assert code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("loupe import: --map event_type=nope:")
    assert not project.exists()


def test_import_bad_map_syntax(tmp_path, capsys):
    source = tmp_path / "e.csv"
    source.write_text("a,b\n1,2\n")
    assert main(["import", str(source), "--project", str(tmp_path / "p.duckdb"), "--map", "event_type"]) == 2
    assert "write FIELD=SOURCE" in capsys.readouterr().err
