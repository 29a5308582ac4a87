"""Every module of Loupe imports on its own, first, so no import cycle depends on which module loads first."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import tui

# Runs in a fresh interpreter: the libraries stay loaded, and Loupe's own modules are dropped before
# each import, so each module is the first of Loupe's to load, as when a command starts with it.
SCRIPT = """
import importlib, sys, traceback
failed = []
for name in sys.argv[1:]:
    for loaded in [key for key in sys.modules if key == "tui" or key.startswith("tui.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception:
        failed.append(name + ": " + traceback.format_exc().strip().splitlines()[-1])
print("\\n".join(failed))
"""


def module_names() -> list[str]:
    root = Path(tui.__file__).parent
    names = []
    for path in sorted(root.rglob("*.py")):
        if path.name == "__main__.py":
            # Importing it runs the command line.
            continue
        parts = path.relative_to(root.parent).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def test_each_module_imports_first():
    names = module_names()
    assert "tui.analytics.export" in names
    assert "tui.cli.export_command" in names

    result = subprocess.run([sys.executable, "-c", SCRIPT, *names], capture_output=True, text=True, timeout=300)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
