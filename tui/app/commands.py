"""Loupe's entries in the command palette: every action the current screen has a key for."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tui.app.keys import KeyEntry, key_entries


class LoupeCommands(Provider):
    """The palette's source of Loupe actions: those of the screen it was opened on, with their keys."""

    def _entries(self) -> list[KeyEntry]:
        return [entry for entry in key_entries(self.screen) if entry.loupe]

    def _command(self, entry: KeyEntry):
        return partial(self.app.run_action, entry.action, entry.node)

    async def discover(self) -> Hits:
        for entry in self._entries():
            yield DiscoveryHit(entry.description, self._command(entry), help=" / ".join(entry.keys))

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
