"""Textual widgets changed for the chart builder's settings: a checkbox and a Select."""

from __future__ import annotations

from textual.message import Message
from textual.widgets import Checkbox, Select


class StateCheckbox(Checkbox):
    """A checkbox whose box shows X when on and stays blank when off, so the two differ without colour.

    Textual's Checkbox (8.2) shows X in both states, in different colours.
    """

    @property
    def BUTTON_INNER(self) -> str:  # noqa: N802 - the name Textual's ToggleButton reads
        return "X" if self.value else " "


class ReselectableSelect(Select):
    """A Select that posts ``Reselected`` when the user chooses the option it already shows.

    Textual's Select (8.2) posts Changed only for a new value, so choosing the
    same option again sends no message at all.
    """

    class Reselected(Message):
        """Posted when the option chosen in the menu is the Select's current value."""

        def __init__(self, select: ReselectableSelect, value: object):
            super().__init__()
            self.select = select
            self.value = value

        @property
        def control(self) -> ReselectableSelect:
            return self.select

    def on_select_overlay_update_selection(self, event) -> None:
        """Post ``Reselected`` for a choice of the current value, before Select's own handler closes the menu.

        Textual calls this handler before the one Select defines, because it
        calls a subclass's handlers first, and Select's handler leaves an
        unchanged value as it is.
        """
        # NOTE: ``_options`` is private to Textual's Select (8.2): a list of (prompt, value) in menu order.
        _, value = self._options[event.option_index]
        if value == self.value:
            self.post_message(self.Reselected(self, value))
