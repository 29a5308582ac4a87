"""Logging to a file in the user's state folder, never to the terminal the app draws on."""

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

from tui.paths import state_dir


def setup_logging(level: int = logging.INFO) -> Path:
    """Send every ``logging`` record to ``loupe.log`` in the state folder and return its path."""
    log_file = state_dir() / "loupe.log"
    handler = RotatingFileHandler(log_file, maxBytes=5_000_000, backupCount=2, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    return log_file
