"""Loupe's entries in the command palette: every action the current screen has a key for, and the screens it opens."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tui.app.keys import KeyEntry, key_entries


def open_pathfinder(app) -> None:
    # Imported on first use: the Pathfinder pulls in the analytics and pandas.
    from tui.app.pathfinder_screen import PathfinderScreen, push_pathfinder

    if not isinstance(app.screen, PathfinderScreen):
        push_pathfinder(app)


@dataclass(frozen=True)
class ScreenCommand:
    """A palette entry that opens a screen from anywhere in the app: its name, what it shows, and the opener."""

    name: str
    help: str
    open: Callable[[object], None]


SCREEN_COMMANDS = (
    ScreenCommand("Pathfinder", "Top event paths after a start event or before an end event", open_pathfinder),
)


class LoupeCommands(Provider):
    """The palette's source of Loupe actions: those of the screen it was opened on, with their keys."""

    def _entries(self) -> list[KeyEntry]:
        return [entry for entry in key_entries(self.screen) if entry.loupe]

    def _command(self, entry: KeyEntry):
        return partial(self.app.run_action, entry.action, entry.node)

    async def discover(self) -> Hits:
        for entry in self._entries():
            yield DiscoveryHit(entry.description, self._command(entry), help=" / ".join(entry.keys))
        for command in SCREEN_COMMANDS:
            yield DiscoveryHit(command.name, partial(command.open, self.app), help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for entry in self._entries():
            score = matcher.match(entry.description)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(entry.description),
                    self._command(entry),
                    help=" / ".join(entry.keys),
                )
        for command in SCREEN_COMMANDS:
            score = matcher.match(command.name)
            if score > 0:
                yield Hit(score, matcher.highlight(command.name), partial(command.open, self.app), help=command.help)
