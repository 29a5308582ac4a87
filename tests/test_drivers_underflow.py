"""Drivers whose p-values are below the smallest float, from a real project through the CLI and the app.

1,200 users sign up and the first 600 buy. Help is done in between by the
last 600 users, all of whom drop off: the table ``[[0, 600], [600, 0]]``
has p = 2 / C(1200, 600), about 5.04401e-360. Chat is done by the last 590
of them: ``[[0, 600], [590, 10]]``, with p about 9.20674e-339. Both p-values are
0.0 as floats. Over 2 tests, Help ranks first, so q(Help) = 2p, about
1.00880e-359, and q(Chat) = p(Chat).
"""

from __future__ import annotations

import csv
import io
import json
import math
from decimal import Decimal

import pytest

from builders import build_project
from funnel_app import make_shop
from microscope_app import running
from test_app_funnel_drivers import driver_rows, open_drivers
from test_drivers import chart, run, support_events
from test_drivers_cli import FUNNEL, run_drivers
from test_fisher_log import exact_log10, exact_p, split_log10_p
from tui.analytics.fisher import scientific_text

POPULATION = 1200
DONE_BY = {"Help": 600, "Chat": 590}
HELP_LOG10_P = split_log10_p(600)
CHAT_LOG10_P = exact_log10(exact_p(0, 600, 590, 10))
HELP_LOG10_Q = HELP_LOG10_P + math.log10(2)


def split_events() -> list[dict]:
    return support_events(POPULATION, DONE_BY, converted=600)


@pytest.fixture
def split_path(tmp_path) -> str:
    with build_project(tmp_path, split_events()) as project:
        return str(project.path)


def test_frame_keeps_log10_p_and_q(tmp_path):
    with build_project(tmp_path, split_events()) as project:
        result = run(project, chart())

    frame = result.frame.set_index("event")
    assert (result.population, result.converted) == (1200, 600)
    assert frame.loc["Help", "log10_p_value"] == pytest.approx(HELP_LOG10_P, abs=1e-11)
    assert frame.loc["Chat", "log10_p_value"] == pytest.approx(CHAT_LOG10_P, abs=1e-11)
    assert frame.loc["Help", "log10_q_value"] == pytest.approx(HELP_LOG10_Q, abs=1e-11)
    assert frame.loc["Chat", "log10_q_value"] == pytest.approx(CHAT_LOG10_P, abs=1e-11)
    assert list(frame["p_value"]) == [0.0, 0.0]


def test_csv_writes_exponents(tmp_path, split_path, capsys):
    status = run_drivers(tmp_path, split_path, "--step", "2", "--format", "csv")

    rows = {row["event"]: row for row in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    assert status == 0
    assert list(rows["Help"]) == ["event", "converted_users", "dropped_users", "phi", "odds_ratio", "p_value", "q_value"]
    assert rows["Help"]["p_value"] == "5.04401e-360"
    assert rows["Help"]["q_value"] == "1.0088e-359"
    assert rows["Chat"]["p_value"] == scientific_text(CHAT_LOG10_P, 6)
    assert rows["Chat"]["q_value"] == scientific_text(CHAT_LOG10_P, 6)
    assert rows["Chat"]["p_value"].endswith("e-339")


def test_json_writes_exponent_numbers(tmp_path, split_path, capsys):
    status = run_drivers(tmp_path, split_path, "--step", "2", "--format", "json")

    output = capsys.readouterr().out
    # Decimal keeps the exponent that a float would lose, and proves the values are JSON numbers, not strings.
    rows = {row["event"]: row for row in json.loads(output, parse_float=Decimal)}
    assert status == 0
    assert rows["Help"]["p_value"] == Decimal("5.04401e-360")
    assert rows["Help"]["q_value"] == Decimal("1.0088e-359")
    assert rows["Chat"]["p_value"] == Decimal(scientific_text(CHAT_LOG10_P, 6))
    assert rows["Help"]["phi"] == Decimal("-1.0")
    assert "log10_p_value" not in rows["Help"]
    # A float parser still reads the file, with the tiny values as 0.0.
    assert [row["p_value"] for row in json.loads(output)] == [0.0, 0.0]


def test_table_writes_three_digits(tmp_path, split_path, capsys):
    status = run_drivers(tmp_path, split_path, "--step", "2", "--format", "table")

    header, *lines = capsys.readouterr().out.splitlines()
    assert status == 0
    assert header.split()[-2:] == ["p_value", "q_value"]
    values = {line.split()[0]: line.split()[-2:] for line in lines}
    assert values["Help"] == ["5.04e-360", "1.01e-359"]
    assert values["Chat"] == [scientific_text(CHAT_LOG10_P, 3, trailing_zeros=True)] * 2


def test_table_keeps_float_text(tmp_path, capsys):
    # 80 users, the last 40 ask for help and drop off: p = 2 / C(80, 40), about 1.9e-23, is far above
    # LOG_SPACE_BELOW, so the table writes the float itself with 3 significant digits.
    with build_project(tmp_path, support_events(80, {"Help": 40}, converted=40)) as project:
        path = str(project.path)
    status = run_drivers(tmp_path, path, "--step", "2", "--format", "table")

    header, line = capsys.readouterr().out.splitlines()
    expected = 2 / math.comb(80, 40)
    assert status == 0
    assert line.split()[-2:] == [f"{expected:#.3g}"] * 2


async def test_app_shows_exponents(tmp_path):
    async with running(make_shop(tmp_path, FUNNEL, split_events())) as (app, pilot):
        screen = await open_drivers(app, pilot, "l", "k")
        rows = {row[0]: row for row in driver_rows(screen)}

        # A trailing zero stays, so both columns show 2 significant digits.
        assert rows["Help"][-2:] == ("5.0e-360", "1.0e-359")
        assert rows["Chat"][-2:] == (scientific_text(CHAT_LOG10_P, 2, trailing_zeros=True),) * 2
        assert rows["Chat"][-1].endswith("e-339")


async def test_app_small_p_two_digits(tmp_path):
    # p = 2 / C(80, 40), about 1.86e-23: the app writes a float below 0.001 with 2 significant digits.
    async with running(make_shop(tmp_path, FUNNEL, support_events(80, {"Help": 40}, converted=40))) as (app, pilot):
        screen = await open_drivers(app, pilot, "l", "k")

        assert driver_rows(screen)[0][-2:] == ("1.9e-23", "1.9e-23")
