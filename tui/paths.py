"""Per-user folders: where the demo project and the log file live."""

from pathlib import Path

import platformdirs

APP_NAME = "loupe"


def data_dir() -> Path:
    path = Path(platformdirs.user_data_dir(APP_NAME))
    path.mkdir(parents=True, exist_ok=True)
    return path


def state_dir() -> Path:
    path = Path(platformdirs.user_state_dir(APP_NAME))
    path.mkdir(parents=True, exist_ok=True)
    return path


def demo_project_path() -> Path:
    return data_dir() / "demo.duckdb"
