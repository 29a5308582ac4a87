"""The options that shape a path report, shared by ``loupe paths`` and ``loupe pathfinder``."""

from __future__ import annotations

from tui.analytics.microscope.paths import DEFAULT_DEPTH, DEFAULT_TOP
from tui.cli.point_options import positive_int


def add_path_arguments(parser, depth_help: str) -> None:
    """Add ``--depth``, ``--top`` and ``--keep-repeats``, with ``depth_help`` naming where the counted steps start."""
    parser.add_argument(
        "--depth", type=positive_int, default=DEFAULT_DEPTH, metavar="N",
        help=f"{depth_help} (default: {DEFAULT_DEPTH})",
    )
    parser.add_argument(
        "--top", type=positive_int, default=DEFAULT_TOP, metavar="N",
        help=f"events shown per step before the rest merge into Other (default: {DEFAULT_TOP})",
    )
    parser.add_argument(
        "--keep-repeats", action="store_true", help="keep consecutive repeats of one event as separate steps"
    )
