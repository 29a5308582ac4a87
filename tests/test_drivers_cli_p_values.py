"""``loupe drivers`` prints p- and q-values far below 0.001 as numbers, in every output format."""

from __future__ import annotations

import csv
import io
import json

import pytest
from scipy.stats import fisher_exact

from builders import build_project
from test_drivers import support_events
from test_drivers_cli import run_drivers

# 80 users sign up: the first 40 buy, and the last 40 ask for help in between and drop off.
HELP_TABLE = [[0, 40], [40, 0]]


@pytest.fixture
def separated_path(tmp_path) -> str:
    with build_project(tmp_path, support_events(80, {"Help": 40}, converted=40)) as project:
        return str(project.path)


def expected_p() -> float:
    """Return the two-sided Fisher p-value of the help table from SciPy: 2 / C(80, 40), about 1.9e-23."""
    return fisher_exact(HELP_TABLE)[1]


def test_tiny_p_value_in_csv(tmp_path, separated_path, capsys):
    status = run_drivers(tmp_path, separated_path, "--step", "2", "--format", "csv")

    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert status == 0
    assert [row["event"] for row in rows] == ["Help"]
    assert float(rows[0]["p_value"]) == pytest.approx(expected_p(), rel=1e-9)
    # One driver tested, so the correction leaves p as it is.
    assert float(rows[0]["q_value"]) == pytest.approx(expected_p(), rel=1e-9)


def test_tiny_p_value_in_json(tmp_path, separated_path, capsys):
    status = run_drivers(tmp_path, separated_path, "--step", "2", "--format", "json")

    rows = json.loads(capsys.readouterr().out)
    assert status == 0
    assert rows[0]["p_value"] == pytest.approx(expected_p(), rel=1e-9)
    assert rows[0]["q_value"] == pytest.approx(expected_p(), rel=1e-9)
    assert rows[0]["converted_users"] == 0
    assert rows[0]["dropped_users"] == 40
    assert rows[0]["phi"] == pytest.approx(-1.0)


def test_tiny_p_value_in_table(tmp_path, separated_path, capsys):
    status = run_drivers(tmp_path, separated_path, "--step", "2", "--format", "table")

    header, row = capsys.readouterr().out.splitlines()
    assert status == 0
    assert header.split()[-2:] == ["p_value", "q_value"]
    assert row.split()[-2:] == [f"{expected_p():.3g}"] * 2
    assert "e-23" in row


def test_json_writes_nan_as_null(tmp_path, capsys):
    # No user buys, so the converted margin is 0 and phi is undefined.
    with build_project(tmp_path, support_events(10, {"Help": 5}, converted=0)) as project:
        path = str(project.path)
    status = run_drivers(tmp_path, path, "--step", "2", "--format", "json")

    rows = json.loads(capsys.readouterr().out)
    assert status == 0
    assert [row["event"] for row in rows] == ["Help"]
    assert rows[0]["phi"] is None
    assert rows[0]["p_value"] == 1.0
