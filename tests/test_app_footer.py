"""SteadyFooter: the keys it shows, a rebuild skipped when they stay the same, and one done when they change."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Input
from textual.widgets._footer import FooterKey

from tui.app.footer import SteadyFooter


class KeysApp(App):
    """One screen with two shown keys, the second disabled while ``copy_enabled`` is false, and an input."""

    BINDINGS = [
        Binding("f2", "export", "Export", id="test.export"),
        Binding("f3", "copy", "Copy", id="test.copy"),
    ]

    def __init__(self):
        super().__init__()
        self.copy_enabled = True

    def compose(self) -> ComposeResult:
        yield Input()
        yield SteadyFooter()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "copy" and not self.copy_enabled:
            return None
        return True

    def action_export(self) -> None:
        pass

    def action_copy(self) -> None:
        pass


def footer_keys(app: App) -> dict[str, FooterKey]:
    return {key.description: key for key in app.query(FooterKey)}


async def test_footer_shows_keys():
    app = KeysApp()
    async with app.run_test() as pilot:
        await pilot.pause()

        keys = footer_keys(app)

        assert "Export" in keys
        assert "Copy" in keys
        assert not keys["Copy"].has_class("-disabled")


async def test_footer_keeps_widgets_when_keys_same():
    app = KeysApp()
    async with app.run_test() as pilot:
        await pilot.pause()
        before = footer_keys(app)

        app.screen.refresh_bindings()
        await pilot.pause()
        app.screen.refresh_bindings()
        await pilot.pause()

        after = footer_keys(app)
        assert after.keys() == before.keys()
        assert all(after[name] is before[name] for name in before)


async def test_footer_rebuilds_when_key_disabled():
    app = KeysApp()
    async with app.run_test() as pilot:
        await pilot.pause()
        before = footer_keys(app)

        app.copy_enabled = False
        app.screen.refresh_bindings()
        await pilot.pause()

        after = footer_keys(app)
        assert after["Copy"].has_class("-disabled")
        assert after["Export"] is not before["Export"]
