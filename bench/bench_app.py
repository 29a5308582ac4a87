"""Benchmark the app: process start to first chart on the demo project, and queries run by cursor moves.

Start to first chart is measured from just before the parent starts a new
Python process to the moment the chart is on screen:

- headless: the child runs the real ``LoupeApp`` in ``App.run_test()`` and
  stops the clock when the chart query's result is shown and Textual has
  processed the refresh that draws it. The child also reports the CPU time
  its process used by then (all threads, interpreter start included), a
  figure that other work on the machine changes less than the wall clock;
- tmux: ``loupe PROJECT`` runs in a detached tmux session of
  ``SCREEN_SIZE`` on its own socket. The parent polls the pane every
  ``POLL_SECONDS`` until the start of the cursor's readout (the text the
  headless run reported) appears, so this figure is up to one poll late.

There are two floors, started and timed the same way. The bare app is a
Textual app that shows one line of text: Python plus Textual, with nothing
of Loupe. Bare Python prints one line and waits, so it measures starting an
interpreter in tmux plus the polling. There is no peer. Each figure is
from the run with the fastest start, out of ``--repeats`` runs after one
untimed run that warms the OS file cache. Loupe and its floors take turns,
headless and in tmux, so a burst of load elsewhere hits all of them.

The demo project is built by ``loupe demo --out`` in a temporary folder
(removed at the end), or in the bench work folder with ``--keep``. The
children's log and config files, and the bytecode they compile, go to the
work folder too, never to the user's own folders.

Cursor moves: in the headless app, 100 presses of ``left`` and ``right``
sweep between the first and last bucket. Each must move the cursor one bucket
(checked against the cursor and the readout) and start no chart query, so
``LoupeApp.queries_run`` must not change. Their time through Pilot is
compared with the same presses in the bare app, whose keys change one line.

Usage: ``python bench/bench_app.py [--repeats N] [--events N] [--keep] [--no-tmux] [--markdown]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import WORK_DIR, Result, report

log = logging.getLogger(__name__)

START_TARGET_SECONDS = 1.0
# Columns and rows of the headless screen and of the tmux pane. The readout must fit on one line.
SCREEN_SIZE = (100, 30)
POLL_SECONDS = 0.01
# The tmux runs look for this many leading characters of the readout's first line.
READOUT_PREFIX = 40
BARE_APP_TEXT = "bare textual app ready"
BARE_PYTHON_TEXT = "bare python ready"
TMUX_SOCKET = f"loupe-bench-{os.getpid()}"
CURSOR_MOVES = 100


# Child processes --------------------------------------------------------------


async def headless_loupe(project: Path, started: float) -> dict:
    """Open the real app headless, time it to the first chart, then move the cursor and count queries."""
    from tui.app.loupe_app import LoupeApp

    imported = time.time()
    app = LoupeApp(project)
    constructed = time.time()
    async with app.run_test(size=SCREEN_SIZE) as pilot:
        # A plain sleep polls without Pilot's wait for idle, which would add its own delay to each poll.
        while app.points is None:
            await asyncio.sleep(0.005)
        # One pause lets the refresh that draws the chart run.
        await pilot.pause()
        drawn = time.time()
        timings = {
            "imports": imported - started,
            "app_constructed": constructed - started,
            "start_to_chart": drawn - started,
            "cpu_to_chart": time.process_time(),
        }
        return timings | {"readout": _readout(app)} | await _move_cursor(app, pilot)


async def _move_cursor(app, pilot) -> dict:
    """Press ``CURSOR_MOVES`` keys that each move the cursor one bucket; return queries started and checks."""
    points = app.points
    queries_before = app.queries_run
    keys, expected = cursor_keys(points.bucket_index, len(points.bucket_starts), CURSOR_MOVES)
    indexes, readouts = [], []
    started = time.perf_counter()
    for key in keys:
        await pilot.press(key)
        indexes.append(points.bucket_index)
        readouts.append(_readout(app))
    seconds = time.perf_counter() - started

    return {
        "moves": len(keys),
        "move_seconds": seconds,
        "queries": app.queries_run - queries_before,
        # Every press moved the cursor where expected, and each bucket has its own readout.
        "cursor_followed": indexes == expected and len(set(readouts)) == len(set(indexes)),
        "buckets": len(points.bucket_starts),
    }


def cursor_keys(index: int, buckets: int, moves: int) -> tuple[list[str], list[int]]:
    """Return ``moves`` keys that sweep the cursor left and right between the ends, and the index after each."""
    keys, expected = [], []
    step = -1 if index > 0 else 1
    for _ in range(moves):
        if not 0 <= index + step < buckets:
            step = -step
        index = min(max(index + step, 0), buckets - 1)
        keys.append("left" if step < 0 else "right")
        expected.append(index)
    return keys, expected


def _readout(app) -> str:
    from textual.widgets import Static

    return str(app.screen.query_one("#readout", Static).content)


def make_bare_app():
    """Return the floor: a bare Textual app whose left and right keys change one line of text."""
    from textual.app import App
    from textual.binding import Binding
    from textual.widgets import Static

    class Bare(App):
        BINDINGS = [Binding("left", "move(-1)"), Binding("right", "move(1)")]
        position = 0

        def compose(self):
            yield Static(BARE_APP_TEXT, id="readout")

        def action_move(self, delta: int) -> None:
            self.position += delta
            self.query_one("#readout", Static).update(f"position {self.position}")

    return Bare()


async def headless_floor(started: float) -> dict:
    """Time the bare app like ``headless_loupe``: start to first paint, then ``CURSOR_MOVES`` key presses."""
    app = make_bare_app()
    imported = time.time()
    async with app.run_test(size=SCREEN_SIZE) as pilot:
        await pilot.pause()
        drawn = time.time()
        cpu = time.process_time()
        keys, _ = cursor_keys(CURSOR_MOVES, CURSOR_MOVES + 1, CURSOR_MOVES)
        moves_started = time.perf_counter()
        for key in keys:
            await pilot.press(key)
            _readout(app)
        move_seconds = time.perf_counter() - moves_started
    return {
        "imports": imported - started,
        "start_to_chart": drawn - started,
        "cpu_to_chart": cpu,
        "move_seconds": move_seconds,
    }


def bare_app_main() -> None:
    """Run the bare Textual app in a real terminal, for the tmux floor."""
    make_bare_app().run()


# Parent -----------------------------------------------------------------------


def run_child(*arguments: str) -> dict:
    """Start this script as a child process with ``arguments`` and return the JSON it prints."""
    started = time.time()
    completed = subprocess.run(
        [sys.executable, __file__, *arguments, "--started", repr(started)],
        capture_output=True, text=True, check=False, env=_child_environment(),
    )
    if completed.returncode != 0:
        raise SystemExit(f"child {' '.join(arguments)} failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def tmux_start_to_text(command: list[str], text: str, timeout: float = 30.0) -> float:
    """Run ``command`` in a new detached tmux session and return the seconds until ``text`` shows in its pane."""
    session = f"run-{time.monotonic_ns()}"
    tmux = ["tmux", "-L", TMUX_SOCKET]
    environment = _child_environment()
    started = time.perf_counter()
    subprocess.run(
        [*tmux, "new-session", "-d", "-s", session, "-x", str(SCREEN_SIZE[0]), "-y", str(SCREEN_SIZE[1]),
         *_tmux_environment(environment), *command],
        check=True, env=environment,
    )
    try:
        while time.perf_counter() - started < timeout:
            pane = subprocess.run([*tmux, "capture-pane", "-p", "-t", session],
                                  capture_output=True, text=True, check=False).stdout
            if text in pane:
                return time.perf_counter() - started
            time.sleep(POLL_SECONDS)
        raise SystemExit(f"{text!r} did not appear within {timeout:.0f} s in tmux; the pane showed:\n{pane}")
    finally:
        subprocess.run([*tmux, "kill-session", "-t", session], check=False, capture_output=True)


# Variables every child gets from ``_child_environment``, passed to each tmux session explicitly.
CHILD_VARIABLES = ("XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "PYTHONPYCACHEPREFIX")


def _tmux_environment(environment: dict) -> list[str]:
    # A session started by an already running tmux server takes the server's
    # environment, so the children's variables are passed explicitly.
    pairs = [f"{name}={environment[name]}" for name in CHILD_VARIABLES]
    return [part for pair in pairs for part in ("-e", pair)]


def _child_environment() -> dict:
    """Return the environment of every child: log and config files in the work folder, bytecode cached.

    Compiled bytecode goes to a cache in the work folder, so the timed runs
    start the way an installed package does. A shell with
    ``PYTHONDONTWRITEBYTECODE`` set would otherwise make every run compile
    Loupe's modules again.
    """
    home = WORK_DIR / "app-home"
    environment = dict(os.environ)
    for name in ("XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME"):
        environment[name] = str(home / name.lower())
    environment["PYTHONPYCACHEPREFIX"] = str(WORK_DIR / "bytecode")
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    environment.pop("NO_COLOR", None)
    return environment


def build_demo(folder: Path, n_events: int | None, keep: bool) -> Path:
    """Build the demo project in ``folder`` with ``loupe demo --out``, or reuse the one there when ``keep``."""
    from tui.store.demo import DEFAULT_EVENTS

    n_events = n_events or DEFAULT_EVENTS
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"demo-{n_events}.duckdb"
    if keep and path.exists():
        log.info("reusing %s", path)
        return path
    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)
    started = time.perf_counter()
    subprocess.run([_loupe_command(), "demo", "--out", str(path), "--events", str(n_events)],
                   check=True, env=_child_environment(), stdout=subprocess.DEVNULL)
    log.info("built the demo project (%d events) in %.1f s", n_events, time.perf_counter() - started)
    return path


def _loupe_command() -> str:
    # The ``loupe`` script that pip installed beside this interpreter, as a user runs it.
    return str(Path(sys.executable).with_name("loupe"))


def best_children(repeats: int, children: dict[str, tuple[str, ...]]) -> dict[str, dict]:
    """Run each child once untimed, then ``repeats`` rounds taking turns, and return each child's fastest run."""
    for arguments in children.values():
        run_child(*arguments)
    runs = {name: [] for name in children}
    for _ in range(repeats):
        for name, arguments in children.items():
            runs[name].append(run_child(*arguments))
    return {name: min(found, key=lambda run: run["start_to_chart"]) for name, found in runs.items()}


def best_tmux(repeats: int, commands: dict[str, tuple[list[str], str]]) -> dict[str, float]:
    """Time each ``(command, text)`` in tmux over ``repeats`` rounds taking turns, after one untimed round.

    Returns each command's fastest seconds until its text showed.
    """
    best = {name: float("inf") for name in commands}
    # A session that stays open keeps the tmux server running, so no run pays for starting it.
    subprocess.run(["tmux", "-L", TMUX_SOCKET, "new-session", "-d", "-s", "holder"], check=True,
                   env=_child_environment())
    try:
        for round_number in range(repeats + 1):
            for name, (command, text) in commands.items():
                seconds = tmux_start_to_text(command, text)
                if round_number > 0:
                    best[name] = min(best[name], seconds)
    finally:
        subprocess.run(["tmux", "-L", TMUX_SOCKET, "kill-server"], check=False, capture_output=True)
    return best


def tmux_commands(project: Path, readout: str) -> dict[str, tuple[list[str], str]]:
    """Return the tmux runs: each command and the text that shows it has drawn what it is timed to."""
    bare_python = f"import sys; print({BARE_PYTHON_TEXT!r}, flush=True); sys.stdin.read()"
    return {
        "loupe": ([_loupe_command(), str(project)], readout.splitlines()[0][:READOUT_PREFIX]),
        "bare app": ([sys.executable, __file__, "--child-bare-app"], BARE_APP_TEXT),
        "bare python": ([sys.executable, "-c", bare_python], BARE_PYTHON_TEXT),
    }


def measure(project: Path, repeats: int, use_tmux: bool) -> list[Result]:
    """Run every app measure and return the table rows."""
    size = f"demo, {_event_count(project):,} events"
    headless = best_children(repeats, {"loupe": ("--child-loupe", str(project)), "floor": ("--child-floor",)})
    loupe, floor = headless["loupe"], headless["floor"]
    log.info("headless Loupe run: %s", {key: value for key, value in loupe.items() if key != "readout"})
    log.info("headless floor run: %s", floor)
    target = f"<= {START_TARGET_SECONDS:.1f} s"
    results = [
        Result("start to first chart, headless", size, loupe["start_to_chart"], floor["start_to_chart"],
               target=target, passed=loupe["start_to_chart"] <= START_TARGET_SECONDS),
        Result("CPU time to first chart, headless", size, loupe["cpu_to_chart"], floor["cpu_to_chart"]),
    ]

    if use_tmux and shutil.which("tmux"):
        tmux = best_tmux(repeats, tmux_commands(project, loupe["readout"]))
        log.info("tmux runs (%d x %d cells): %s", *SCREEN_SIZE, tmux)
        passed = tmux["loupe"] <= START_TARGET_SECONDS
        results.append(Result("start to first chart in tmux, floor: bare app", size, tmux["loupe"],
                              tmux["bare app"], target=target, passed=passed))
        results.append(Result("start to first chart in tmux, floor: bare Python", size, tmux["loupe"],
                              tmux["bare python"], target=target, passed=passed))
    elif use_tmux:
        log.warning("tmux not found; the tmux measure is left out.")

    results.append(Result(
        f"chart queries during {loupe['moves']} cursor moves", f"{loupe['buckets']} buckets",
        loupe["queries"], kind="count", target="0",
        passed=loupe["queries"] == 0 and loupe["cursor_followed"],
    ))
    results.append(Result(f"{loupe['moves']} cursor moves through Pilot", f"{loupe['buckets']} buckets",
                          loupe["move_seconds"], floor["move_seconds"]))
    if not loupe["cursor_followed"]:
        log.error("the cursor did not move as expected after a key press, so the cursor rows fail.")
    return results


def _event_count(project: Path) -> int:
    import duckdb

    con = duckdb.connect(str(project), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM events").fetchone()[0]
    finally:
        con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per measure; the best counts (default 3)")
    parser.add_argument("--events", type=int, help="demo project size (default: the demo's own default)")
    parser.add_argument("--keep", action="store_true", help="reuse the demo project an earlier run built")
    parser.add_argument("--no-tmux", action="store_true", help="leave out the wall-clock run in tmux")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("--child-loupe", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-floor", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-bare-app", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--started", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child_loupe:
        print(json.dumps(asyncio.run(headless_loupe(args.child_loupe, args.started))))
        return
    if args.child_floor:
        print(json.dumps(asyncio.run(headless_floor(args.started))))
        return
    if args.child_bare_app:
        bare_app_main()
        return

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    with tempfile.TemporaryDirectory(prefix="loupe-bench-app-") as scratch:
        project = build_demo(WORK_DIR if args.keep else Path(scratch), args.events, args.keep)
        results = measure(project, args.repeats, use_tmux=not args.no_tmux)
    log.info("1-minute load average after the run: %.2f", os.getloadavg()[0])
    report(f"App (best of {args.repeats} after one warm-up; ratios are Loupe's time over the floor's)",
           results, args.markdown)


if __name__ == "__main__":
    main()
