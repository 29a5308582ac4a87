"""Download users: CSV contents read back with the csv module, formula neutralising, the cap, overwrite and cancel."""

from __future__ import annotations

import csv
from datetime import datetime, timezone

import pytest

from builders import build_project
from tui.analytics.definition import parse_chart
from tui.analytics.export import DestinationExistsError, ExportCancelled, ExportError, export_notice, export_users
from tui.analytics.interruptible import QueryCancelled, run_interruptible
from tui.analytics.microscope.actor_set import events_actor_set
from tui.analytics.point import Point

CHART = {
    "type": "segmentation",
    "events": [{"event": "Purchase"}],
    "range": {"from": "2024-03-01", "to": "2024-03-02"},
}

# One user per awkward text value, so each row checks one case.
AWKWARD_NOTES = {
    "u-comma": "a,b",
    "u-quote": 'say "hi"',
    "u-newline": "line one\nline two",
    "u-equals": "=1+2",
    "u-plus": "+cmd",
    "u-minus": "-cmd",
    "u-at": "@SUM(A1)",
    "u-tab": "\tindented",
    "u-cr": "\rreturn",
    "u-plain": "plain",
}


def purchase(user, time="2024-03-01T09:00:00Z", device=None, **user_properties) -> dict:
    return {
        "event_type": "Purchase",
        "event_time": time,
        "user_id": user,
        "device_id": device,
        "user_properties": user_properties,
    }


def first_day(definition=CHART) -> Point:
    return Point(definition=parse_chart(definition), series=0, segment=None, bucket=0)


def read_rows(path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def read_records(path) -> dict[str, dict[str, str]]:
    """Return the CSV's rows keyed by the user_id column."""
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["user_id"]: row for row in csv.DictReader(handle)}


@pytest.fixture
def awkward_project(tmp_path):
    events = [purchase(user, note=note) for user, note in AWKWARD_NOTES.items()]
    project = build_project(tmp_path, events)
    yield project
    project.close()


def test_awkward_text_round_trips(awkward_project, tmp_path):
    out = tmp_path / "users.csv"

    export_users(awkward_project.cursor(), first_day(), awkward_project, out)

    notes = {user: row["note"] for user, row in read_records(out).items()}
    assert notes == {
        "u-comma": "a,b",
        "u-quote": 'say "hi"',
        "u-newline": "line one\nline two",
        "u-equals": "'=1+2",
        "u-plus": "'+cmd",
        "u-minus": "'-cmd",
        "u-at": "'@SUM(A1)",
        "u-tab": "'\tindented",
        "u-cr": "'\rreturn",
        "u-plain": "plain",
    }


def test_numbers_stay_numbers(tmp_path):
    project = build_project(tmp_path, [
        purchase("number", balance=-5, score=1.5, active=True),
        purchase("text", balance="-5", score="+1", active="yes"),
    ])
    out = tmp_path / "users.csv"

    export_users(project.cursor(), first_day(), project, out)

    records = read_records(out)
    assert records["number"]["balance"] == "-5"
    assert records["number"]["score"] == "1.5"
    assert records["number"]["active"] == "true"
    assert records["text"]["balance"] == "'-5"
    assert records["text"]["score"] == "'+1"
    assert records["text"]["active"] == "yes"


def test_columns_and_values(tmp_path):
    project = build_project(tmp_path, [
        purchase("alice", "2024-03-01T09:00:00Z", plan="free", country="DE"),
        purchase("alice", "2024-03-01T10:30:00Z", plan="pro"),
        purchase(None, "2024-03-01T11:00:00Z", device="phone-1", zodiac="leo"),
        {"event_type": "Open", "event_time": "2024-02-20T08:00:00Z", "user_id": "alice"},
    ])
    out = tmp_path / "users.csv"

    export_users(project.cursor(), first_day(), project, out)

    rows = read_rows(out)
    assert rows[0] == ["user_id", "first_seen", "last_seen", "events_in_point", "country", "plan", "zodiac"]
    assert rows[1] == ["alice", "2024-02-20T08:00:00+00:00", "2024-03-01T10:30:00+00:00", "2", "DE", "pro", ""]
    assert rows[2] == ["phone-1", "2024-03-01T11:00:00+00:00", "2024-03-01T11:00:00+00:00", "1", "", "", "leo"]
    assert len(rows) == 3


def test_times_in_chart_timezone(tmp_path):
    project = build_project(tmp_path, [
        purchase("alice", "2024-03-01T09:00:00Z"),
        purchase("alice", "2024-03-01T10:00:00.250Z"),
    ], timezone="Asia/Kolkata")
    out = tmp_path / "users.csv"

    export_users(project.cursor(), first_day(), project, out)

    assert read_records(out)["alice"]["first_seen"] == "2024-03-01T14:30:00+05:30"
    assert read_records(out)["alice"]["last_seen"] == "2024-03-01T15:30:00.250000+05:30"

    export_users(project.cursor(), first_day({**CHART, "timezone": "Europe/Berlin"}), project, out, overwrite=True)

    assert read_records(out)["alice"]["first_seen"] == "2024-03-01T10:00:00+01:00"


def test_latest_property_wins(tmp_path):
    project = build_project(tmp_path, [
        purchase("alice", "2024-03-01T09:00:00Z", plan="free"),
        {"event_type": "Open", "event_time": "2024-03-05T09:00:00Z", "user_id": "alice",
         "user_properties": {"plan": "enterprise"}},
    ])
    out = tmp_path / "users.csv"

    export_users(project.cursor(), first_day(), project, out)

    # The Open event is outside the point, but its plan is the latest one.
    assert read_records(out)["alice"]["plan"] == "enterprise"


def test_header_and_user_id_neutralised(tmp_path):
    project = build_project(tmp_path, [purchase("=HYPERLINK(1)", **{"=key": "v", "plain key": "w"})])
    out = tmp_path / "users.csv"

    export_users(project.cursor(), first_day(), project, out)

    rows = read_rows(out)
    assert rows[0][4:] == ["'=key", "plain key"]
    assert rows[1][0] == "'=HYPERLINK(1)"


def test_cap_cuts_list(awkward_project, tmp_path):
    out = tmp_path / "users.csv"

    result = export_users(awkward_project.cursor(), first_day(), awkward_project, out, cap=3)

    assert result.rows == 3
    assert result.total == 10
    assert result.capped is True
    # Rows are in user id order, so the first three ids are kept.
    assert [row[0] for row in read_rows(out)[1:]] == ["u-at", "u-comma", "u-cr"]
    assert export_notice(result) == (
        "Values are each user's latest user properties, not the values at event time. "
        "The list was cut at 3 of 10 users (export cap; raise it with loupe settings --export-cap)."
    )


def test_cap_from_project_setting(awkward_project, tmp_path):
    awkward_project.set_setting("export_user_cap", 4)

    result = export_users(awkward_project.cursor(), first_day(), awkward_project, tmp_path / "users.csv")

    assert (result.rows, result.total, result.capped) == (4, 10, True)


def test_uncapped_notice(awkward_project, tmp_path):
    result = export_users(awkward_project.cursor(), first_day(), awkward_project, tmp_path / "users.csv", cap=10)

    assert (result.rows, result.total, result.capped) == (10, 10, False)
    assert export_notice(result) == "Values are each user's latest user properties, not the values at event time."


def test_existing_file_kept(awkward_project, tmp_path):
    out = tmp_path / "users.csv"
    out.write_text("keep me\n", encoding="utf-8")

    with pytest.raises(DestinationExistsError, match="users.csv already exists"):
        export_users(awkward_project.cursor(), first_day(), awkward_project, out)

    assert out.read_text(encoding="utf-8") == "keep me\n"
    assert sorted(path.name for path in tmp_path.iterdir() if "users" in path.name) == ["users.csv"]


def test_overwrite_with_consent(awkward_project, tmp_path):
    out = tmp_path / "users.csv"
    out.write_text("old\n", encoding="utf-8")

    result = export_users(awkward_project.cursor(), first_day(), awkward_project, out, overwrite=True)

    assert result.rows == 10
    assert read_rows(out)[0][0] == "user_id"


def test_missing_folder(awkward_project, tmp_path):
    with pytest.raises(ExportError, match="not found: create it"):
        export_users(awkward_project.cursor(), first_day(), awkward_project, tmp_path / "nowhere" / "users.csv")


def test_cancelled_leaves_nothing(awkward_project, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    calls = []

    def cancel_after_start() -> bool:
        calls.append(True)
        # The first check is before COPY starts; the second is while or after it runs.
        return len(calls) >= 2

    with pytest.raises(ExportCancelled):
        export_users(awkward_project.cursor(), first_day(), awkward_project, folder / "users.csv", cancel=cancel_after_start)

    assert list(folder.iterdir()) == []
    assert len(calls) >= 2


def test_cancel_before_start(awkward_project, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()

    with pytest.raises(ExportCancelled):
        export_users(awkward_project.cursor(), first_day(), awkward_project, folder / "users.csv", cancel=lambda: True)

    assert list(folder.iterdir()) == []


def test_interrupt_stops_running_statement(awkward_project):
    session = awkward_project.cursor()
    checks = []

    def cancel() -> bool:
        checks.append(True)
        return len(checks) >= 3

    # Without the interrupt this statement would run for hours.
    with pytest.raises(QueryCancelled):
        run_interruptible(session, lambda: session.execute("SELECT count(*) FROM range(1000000000000)"), cancel)

    assert session.execute("SELECT 42").fetchall() == [(42,)]


def test_progress_reaches_total(awkward_project, tmp_path):
    reports = []

    export_users(
        awkward_project.cursor(), first_day(), awkward_project, tmp_path / "users.csv",
        progress=lambda done, total: reports.append((done, total)),
    )

    assert reports[-1] == (10, 10)
    assert all(0 <= done <= total == 10 for done, total in reports)


def test_empty_point_writes_header(awkward_project, tmp_path):
    out = tmp_path / "users.csv"
    second_day = Point(definition=parse_chart(CHART), series=0, segment=None, bucket=1)

    result = export_users(awkward_project.cursor(), second_day, awkward_project, out)

    assert (result.rows, result.total, result.capped) == (0, 0, False)
    assert read_rows(out) == [["user_id", "first_seen", "last_seen", "events_in_point"]]


def test_actor_set_target(awkward_project, tmp_path):
    events = ("SELECT * EXCLUDE (dedupe_key) FROM events WHERE user_id IN ('u-plus', 'u-at')", [])
    start, end = datetime(2024, 3, 1, tzinfo=timezone.utc), datetime(2024, 3, 2, tzinfo=timezone.utc)
    out = tmp_path / "users.csv"

    result = export_users(awkward_project.cursor(), events_actor_set("two", events, start, end), awkward_project, out)

    assert result.rows == 2
    assert [row[0] for row in read_rows(out)[1:]] == ["u-at", "u-plus"]


def test_file_appearing_meanwhile_kept(awkward_project, tmp_path):
    out = tmp_path / "users.csv"

    def create_rival(done: int, total: int) -> None:
        # The last report comes after COPY and before the rename: another program writes the file then.
        if done == total:
            out.write_text("rival\n", encoding="utf-8")

    with pytest.raises(DestinationExistsError):
        export_users(awkward_project.cursor(), first_day(), awkward_project, out, progress=create_rival)

    assert out.read_text(encoding="utf-8") == "rival\n"
    assert [path.name for path in tmp_path.iterdir() if path.name.endswith(".part")] == []


def test_failing_callback_stops_statement(awkward_project):
    session = awkward_project.cursor()

    def broken_progress(done: int, total: int) -> None:
        raise RuntimeError("progress display closed")

    with pytest.raises(RuntimeError, match="progress display closed"):
        run_interruptible(
            session, lambda: session.execute("SELECT count(*) FROM range(1000000000000)"), progress=broken_progress
        )

    assert session.execute("SELECT 42").fetchall() == [(42,)]
