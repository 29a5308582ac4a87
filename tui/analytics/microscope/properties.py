"""Properties as columns: JSON objects (event or user properties) spread into one column per name."""

from __future__ import annotations

import pandas as pd

from tui.analytics.filters import Fragment, json_pointer


def property_columns_sql(json_column: str, names: list[str]) -> Fragment:
    """Return ``, value AS property_0, ...``: the text value of each named property, NULL when unset."""
    columns = "".join(f", json_extract_string({json_column}, ?) AS property_{index}" for index in range(len(names)))
    return columns, [json_pointer(name) for name in names]


def property_names_sql(json_column: str, relation: Fragment) -> Fragment:
    """Return SQL listing the property names of ``json_column`` in ``relation``, most often set first."""
    sql, params = relation
    names = (
        f"SELECT name FROM (SELECT unnest(json_keys({json_column})) AS name FROM ({sql})) "
        "GROUP BY name ORDER BY count(*) DESC, name"
    )
    return names, list(params)


def name_property_columns(frame: pd.DataFrame, names: list[str], prefix: str) -> pd.DataFrame:
    """Rename ``property_0``... to the property names; a name equal to another column gets ``prefix``."""
    fixed_columns = {column for column in frame.columns if not column.startswith("property_")}
    labels = {}
    for index, name in enumerate(names):
        labels[f"property_{index}"] = prefix + name if name in fixed_columns else name
    return frame.rename(columns=labels)
