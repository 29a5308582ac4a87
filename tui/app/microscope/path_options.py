"""The keys that change a path report: depth, events per step, and whether repeats collapse.

The microscope's user paths and the Pathfinder screen take the same options.
Textual merges ``BINDINGS`` only along a widget's own class line, so a screen
lists ``PATH_OPTION_BINDINGS`` in its ``BINDINGS`` and mixes in ``PathOptions``
for the actions.
"""

from __future__ import annotations

from textual.binding import Binding

from tui.analytics.microscope.paths import DEFAULT_DEPTH, DEFAULT_TOP

MAX_DEPTH = 10
MAX_TOP = 20

PATH_OPTION_BINDINGS = [
    Binding("plus,equals_sign", "change_depth(1)", "Deeper", id="paths.deeper", tooltip="Show one more step"),
    Binding("minus", "change_depth(-1)", "Shallower", id="paths.shallower", tooltip="Show one step fewer"),
    Binding("right_square_bracket", "change_top(1)", "More per step", id="paths.more",
            tooltip="Show one more event per step before Other"),
    Binding("left_square_bracket", "change_top(-1)", "Fewer per step", id="paths.fewer",
            tooltip="Show one event fewer per step before Other"),
    Binding("r", "toggle_repeats", "Repeats", id="paths.repeats",
            tooltip="Collapse or keep consecutive repeats of one event"),
]


class PathOptions:
    """Depth, events per step and repeats of a screen's path report, where each change calls ``run_report``."""

    depth: int = DEFAULT_DEPTH
    top: int = DEFAULT_TOP
    keep_repeats: bool = False

    def run_report(self) -> None:
        raise NotImplementedError

    def path_options(self) -> dict:
        """Return the options as keyword arguments of the path queries."""
        return {"depth": self.depth, "top": self.top, "keep_repeats": self.keep_repeats}

    def options_text(self) -> str:
        """Return the options with their keys, for the line above the tree."""
        repeats = "repeats kept" if self.keep_repeats else "repeats collapsed"
        return f"Depth {self.depth} (+ -) · top {self.top} ([ ]) · {repeats} (r)"

    def action_change_depth(self, delta: int) -> None:
        depth = min(max(self.depth + delta, 1), MAX_DEPTH)
        if depth != self.depth:
            self.depth = depth
            self.run_report()

    def action_change_top(self, delta: int) -> None:
        top = min(max(self.top + delta, 1), MAX_TOP)
        if top != self.top:
            self.top = top
            self.run_report()

    def action_toggle_repeats(self) -> None:
        self.keep_repeats = not self.keep_repeats
        self.run_report()
