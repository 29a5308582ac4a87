"""JSON object texts for whole columns at once, built with Arrow string kernels.

Rows are grouped by *shape* (which keys their object has), each shape is
joined without nulls, and the rows are put back in their order. Joining with
nulls skipped is avoided on purpose: in pyarrow 26.0.1,
``binary_join_element_wise(..., null_handling="skip")`` drops rows whose
inputs are all null, returning a shorter column.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

Fields = Sequence[tuple[str, pa.Array]]


def by_shape(shape: np.ndarray, n_shapes: int, build: Callable[[int, np.ndarray], pa.Array | None]) -> pa.Array:
    """Build one text per row: ``build(code, rows)`` gives the texts of the rows of each shape, or None for nulls."""
    order = np.argsort(shape, kind="stable")
    bounds = np.searchsorted(shape[order], np.arange(n_shapes + 1))
    pieces = [pa.array([], pa.string())]
    for code in range(n_shapes):
        rows = order[bounds[code] : bounds[code + 1]]
        if len(rows):
            texts = build(code, rows)
            pieces.append(pa.nulls(len(rows), pa.string()) if texts is None else texts)

    inverse = np.empty(len(order), dtype=np.int64)
    inverse[order] = np.arange(len(order))
    return pa.concat_arrays(pieces).take(pa.array(inverse))


def json_objects(fields: Fields, n_rows: int) -> pa.Array:
    """Join JSON-encoded values under their keys, one object text per row."""
    if not fields:
        return pa.array(["{}"] * n_rows, pa.string())
    parts: list = []
    for position, (key, values) in enumerate(fields):
        parts.append(("{" if position == 0 else ",") + json.dumps(key) + ":")
        parts.append(values)
    parts.append("}")
    return pc.binary_join_element_wise(*parts, "")


def encoded(vocabulary: Sequence[str], index: np.ndarray) -> pa.Array:
    """Return the JSON strings of ``vocabulary[index]``."""
    texts = pa.array([json.dumps(word, ensure_ascii=False) for word in vocabulary], pa.string())
    return texts.take(pa.array(np.asarray(index, dtype=np.int64)))


def encoded_numbers(values: np.ndarray) -> pa.Array:
    """Return the JSON numbers of ``values`` (finite numbers only)."""
    return pc.cast(pa.array(values), pa.string())
