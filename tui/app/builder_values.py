"""Values typed or chosen in the chart builder's settings, stored in its draft."""

from __future__ import annotations

from tui.analytics.definition import WINDOW_UNITS, parse_window


def set_option(draft: dict, key: str, value, default) -> bool:
    """Set ``key`` to ``value`` unless it has it already (absent means ``default``), and return True if it changed."""
    if draft.get(key, default) == value:
        return False
    draft[key] = value
    return True


def set_typed_option(draft: dict, key: str, text: str, convert=str) -> None:
    """Store ``text`` typed for ``key``: empty removes the key (its default applies), else ``convert(text)``.

    Text that ``convert`` rejects is stored as typed, so ``parse_chart``
    names the key and the fix on apply.
    """
    text = text.strip()
    if not text:
        draft.pop(key, None)
        return
    try:
        draft[key] = convert(text)
    except ValueError:
        draft[key] = text


def length_edges(text: str) -> list[int | float]:
    """Return session length bucket edges in seconds from text such as ``10, 1m, 5m``.

    A plain number is seconds, and a unit is one of the funnel window units.
    Raises ValueError (DefinitionError for a bad unit) on other text.
    """
    edges = []
    for part in (part.strip() for part in text.split(",")):
        try:
            seconds = float(part)
        except ValueError:
            seconds = parse_window(part, "length_buckets")
        edges.append(int(seconds) if float(seconds).is_integer() else seconds)
    return edges


def format_seconds(seconds: int | float) -> str:
    """Return ``seconds`` in the largest window unit that divides it, such as ``5m`` for 300."""
    for unit, size in sorted(WINDOW_UNITS.items(), key=lambda item: -item[1]):
        if seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds}s"
