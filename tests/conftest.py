"""Shared test set-up: per-test user folders and the location of the public data files."""

from pathlib import Path

import pytest

# The public event files sit beside the repository, in ../shared/data; tests read them in place.
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(autouse=True)
def isolated_user_folders(tmp_path_factory, monkeypatch):
    """Point the data and state folders at a temporary place, so no test touches the real ones."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    return home


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"public data folder {SHARED_DATA} not found: tests expect ../shared/data beside the repository")
    return SHARED_DATA
