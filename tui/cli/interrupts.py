"""Remember Ctrl-C, so long work can still stop at its next step when DuckDB swallowed it.

Under load, one run of ``loupe import`` got SIGINT in the middle of the
import and still finished with exit status 0, as if no key was pressed.
The likely cause (not confirmed in DuckDB's source): DuckDB's Python client
(2.0.1) handles Ctrl-C during a statement by interrupting the statement, and
a statement that ends first returns normally with Python's KeyboardInterrupt
already consumed. This guard records every SIGINT, so the callback that long
work calls between its steps (an import's progress) raises it there.
"""

from __future__ import annotations

import signal
from types import FrameType


class InterruptGuard:
    """While used as a context manager, SIGINT sets ``pressed`` and raises KeyboardInterrupt as usual."""

    def __init__(self) -> None:
        self.pressed = False
        self._previous = None

    def __enter__(self) -> InterruptGuard:
        self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc) -> None:
        signal.signal(signal.SIGINT, self._previous)

    def check(self) -> None:
        """Raise KeyboardInterrupt when SIGINT came since the guard was entered, even if something swallowed it."""
        if self.pressed:
            raise KeyboardInterrupt

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.pressed = True
        raise KeyboardInterrupt
