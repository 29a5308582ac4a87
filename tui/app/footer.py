"""The key bar at the bottom of a screen, rebuilt only when the keys it shows change."""

from __future__ import annotations

from typing import Any

from textual.widgets import Footer


class SteadyFooter(Footer):
    """Textual's Footer, skipping a rebuild that would show the same keys again.

    Textual (8.2) rebuilds the footer, removing and mounting one widget per
    key, after every focus change and screen switch, even when the keys stay
    the same. A screen that opens makes three or four such changes at once.
    For the user table of ``bench/bench_microscope.py`` (10M events, 2 cores)
    those rebuilds took longer together than the table's two queries.
    """

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # What the last rebuild showed; None before the first one.
        self._keys_composed: tuple | None = None

    async def recompose(self) -> None:
        keys = self._keys_shown()
        if keys is not None and keys == self._keys_composed and self.children:
            return
        self._keys_composed = keys
        await super().recompose()

    def _keys_shown(self) -> tuple | None:
        """Return what ``compose`` reads: each active binding, whether it is enabled, its tooltip and key label."""
        if not self._bindings_ready or not self.is_attached:
            return None
        return tuple(
            (binding, enabled, tooltip, self.app.get_key_display(binding))
            for _, binding, enabled, tooltip in self.screen.active_bindings.values()
        )
