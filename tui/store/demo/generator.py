"""The demo's events, generated block by block so any size fits in bounded memory."""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa

from tui.store.demo import product
from tui.store.demo.block import generate_block
from tui.store.demo.users import actor_count, make_users

MIN_EVENTS = 1_000


def generate_events(n_events: int, seed: int = 7) -> Iterator[pa.Table]:
    """Yield about ``n_events`` demo events as Arrow tables, one per block of actors.

    The same ``n_events`` and ``seed`` give the same rows on every machine. Each
    table contains every event of its actors, sorted by time; the total lands within
    a few percent of ``n_events`` because session counts are drawn at random.
    """
    if n_events < MIN_EVENTS:
        raise ValueError(f"Invalid number of demo events {n_events}: use at least {MIN_EVENTS}.")
    users = make_users(n_events, seed)
    for block_index, start in enumerate(range(0, len(users), product.USERS_PER_BLOCK)):
        yield generate_block(users.block(start, start + product.USERS_PER_BLOCK), seed, block_index)


def block_count(n_events: int) -> int:
    """Return how many tables ``generate_events(n_events)`` yields."""
    return -(-actor_count(n_events) // product.USERS_PER_BLOCK)
