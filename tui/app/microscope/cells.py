"""Table cells from query results: times in the chart's zone, durations, properties, all as literal text."""

from __future__ import annotations

import json
import math
from datetime import datetime
from typing import Any

import pandas as pd
from rich.text import Text

from tui.app.formatting import format_number
from tui.text import printable

SECONDS_PATTERN = "%Y-%m-%d %H:%M:%S"
TIME_CELLS = 19


def is_missing(value: Any) -> bool:
    """Return True for None, NaN and NaT: the values pandas gives for SQL NULL."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def data_text(value: Any) -> Text:
    """Return a value from the data as literal text, control characters escaped; NULL is empty."""
    if is_missing(value):
        return Text("")
    return Text(printable(value))


def format_moment(moment: datetime, zone: str) -> str:
    """Return ``moment`` as ``YYYY-MM-DD HH:MM:SS`` in ``zone``; empty for NULL."""
    if is_missing(moment):
        return ""
    return pd.Timestamp(moment).tz_convert(zone).strftime(SECONDS_PATTERN)


def time_text(moment: datetime, zone: str) -> Text:
    return Text(format_moment(moment, zone))


def count_text(count: Any) -> Text:
    """Return a count with thousands separators, for a right-aligned column."""
    return Text("" if is_missing(count) else format_number(float(count)))


def format_duration(seconds: float) -> str:
    """Return a length of time as ``45 s``, ``13 min 48 s`` or ``2 h 05 min``."""
    seconds = max(int(math.floor(seconds)), 0)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def properties_text(properties_json: str | None) -> str:
    """Return a JSON object of properties as ``name=value, name=value``, printable; empty for none."""
    if is_missing(properties_json):
        return ""
    try:
        properties = json.loads(properties_json)
    except json.JSONDecodeError:
        return printable(properties_json)
    if not isinstance(properties, dict):
        return printable(properties_json)
    return ", ".join(f"{printable(name)}={property_value(value)}" for name, value in properties.items())


def property_value(value: Any) -> str:
    """Return a decoded property value as it reads, printable: text as is, anything else as JSON."""
    return printable(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
