"""The keys that work on a screen, grouped by what they do, for the help screen and the command palette."""

from __future__ import annotations

from dataclasses import dataclass

from textual.dom import DOMNode
from textual.screen import Screen


@dataclass
class KeyEntry:
    """One action and every key bound to it on a screen."""

    keys: list[str]
    description: str
    action: str
    node: DOMNode
    # True for Loupe's own bindings (they all have an id), False for Textual's built-in ones.
    loupe: bool


def key_entries(screen: Screen) -> list[KeyEntry]:
    """Return every described binding active on ``screen``, keys of one action together.

    Loupe's own bindings come first. System bindings (such as ctrl+c) and
    bindings without a description are left out.
    """
    entries: dict[tuple, KeyEntry] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        if binding.system or not binding.description:
            continue
        description = binding.tooltip or binding.description
        identity = (id(active.node), binding.action)
        key = screen.app.get_key_display(binding)
        if identity in entries:
            if key not in entries[identity].keys:
                entries[identity].keys.append(key)
            continue
        entries[identity] = KeyEntry([key], description, binding.action, active.node, binding.id is not None)
    return sorted(entries.values(), key=lambda entry: not entry.loupe)
