"""The demo project: a generated, believable product's events, imported through Loupe's own importer.

It lives in the package, not in ``fixtures/``, because the installed ``loupe``
command builds it on first run.
"""

from tui.store.demo.build import (
    DEFAULT_EVENTS,
    DEFAULT_SEED,
    build_demo_project,
    build_demo_project_with_summary,
    ensure_demo_project,
)
from tui.store.demo.generator import MIN_EVENTS, generate_events

__all__ = [
    "DEFAULT_EVENTS",
    "DEFAULT_SEED",
    "MIN_EVENTS",
    "build_demo_project",
    "build_demo_project_with_summary",
    "ensure_demo_project",
    "generate_events",
]
