"""``loupe --version`` prints the version of the installed package."""

import importlib.metadata

import pytest

from tui.cli import main


def test_version_option_prints_package_version(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["--version"])

    assert stopped.value.code == 0
    assert capsys.readouterr().out == f"loupe {importlib.metadata.version('loupe')}\n"
