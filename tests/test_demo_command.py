"""``loupe demo``: builds a project of the requested size and never overwrites one unasked."""

from tui.cli import main
from tui.store.project import open_project


def test_demo_command_builds_project(tmp_path, capsys):
    out = tmp_path / "demo.duckdb"
    assert main(["demo", "--events", "20000", "--out", str(out)]) == 0

    printed = capsys.readouterr().out
    assert f"project: {out}" in printed
    assert "duplicates:" in printed
    with open_project(out) as project:
        events = project.con.execute("SELECT count(*) FROM events").fetchone()[0]
        users = project.con.execute("SELECT count(*) FROM users").fetchone()[0]
    assert f"imported: {events}" in printed
    assert 18_000 <= events <= 22_000
    assert printed.splitlines()[0] == f"Wrote {events:,} events of {users:,} users to {out}."


def test_demo_command_explains_event_count(tmp_path, capsys):
    out = tmp_path / "demo.duckdb"
    assert main(["demo", "--events", "20000", "--out", str(out), "--seed", "7"]) == 0

    lines = capsys.readouterr().out.splitlines()
    summary = dict(line.split(": ", 1) for line in lines[2:7])
    duplicates = int(summary["duplicates"])
    assert duplicates > 0
    assert int(summary["read"]) == int(summary["imported"]) + duplicates
    assert lines[1].startswith("That is about --events 20,000, because each user's sessions are drawn at random;")
    assert f"the generator also sent {duplicates:,} events twice" in lines[1]


def test_demo_command_refuses_overwrite(tmp_path, capsys):
    out = tmp_path / "demo.duckdb"
    out.write_text("someone's project")
    assert main(["demo", "--events", "2000", "--out", str(out)]) == 2

    message = capsys.readouterr().err
    assert "already exists" in message
    assert "--force" in message
    assert out.read_text() == "someone's project"


def test_demo_command_force_replaces(tmp_path):
    out = tmp_path / "demo.duckdb"
    out.write_text("old")
    assert main(["demo", "--events", "2000", "--out", str(out), "--seed", "3", "--force"]) == 0
    with open_project(out) as project:
        assert project.con.execute("SELECT count(*) FROM events").fetchone()[0] > 1_000


def test_demo_command_rejects_tiny_size(tmp_path, capsys):
    assert main(["demo", "--events", "10", "--out", str(tmp_path / "demo.duckdb")]) == 2
    assert "--events 10" in capsys.readouterr().err
    assert not (tmp_path / "demo.duckdb").exists()
