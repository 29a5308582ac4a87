"""Time in the demo: local days and hours in users' time zones, turned into UTC milliseconds."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np

from tui.store.demo import product

HOUR_SHARES = np.array(product.HOUR_WEIGHTS) / sum(product.HOUR_WEIGHTS)
WEEKDAY_WEIGHTS = np.array(product.WEEKDAY_WEIGHTS)
FIRST_WEEKDAY = product.FIRST_DAY.weekday()


@lru_cache(maxsize=1)
def utc_offsets_ms() -> np.ndarray:
    """Return each location's UTC offset on each day of the range, shape (locations, days).

    The offset is taken at local noon, so on the two days a year when the clocks
    change, times between midnight and the change are off by the one hour.
    """
    offsets = np.empty((len(product.LOCATIONS), product.DAYS), dtype=np.int64)
    for row, (_, _, zone_name, _) in enumerate(product.LOCATIONS):
        zone = ZoneInfo(zone_name)
        for day in range(product.DAYS):
            noon = datetime.combine(product.FIRST_DAY + timedelta(days=day), datetime.min.time()).replace(
                hour=12, tzinfo=zone
            )
            offsets[row, day] = int(noon.utcoffset().total_seconds() * 1000)
    return offsets


def local_to_utc_ms(location: np.ndarray, day: np.ndarray, ms_of_day: np.ndarray) -> np.ndarray:
    """Turn a local day index (0 = first day of the range) and time of day into UTC milliseconds."""
    offset = utc_offsets_ms()[location, np.clip(day, 0, product.DAYS - 1)]
    return product.RANGE_START_MS + day * product.DAY_MS + ms_of_day - offset


def weekday_weight(day: np.ndarray) -> np.ndarray:
    """Return the activity weight of each local day index's weekday (1.0 on busy weekdays)."""
    return WEEKDAY_WEIGHTS[(FIRST_WEEKDAY + day) % 7]


def random_ms_of_day(rng: np.random.Generator, size: int) -> np.ndarray:
    """Draw times of day in milliseconds, busier in working hours than at night."""
    hour = rng.choice(24, size=size, p=HOUR_SHARES)
    return hour * 3_600_000 + rng.integers(0, 3_600_000, size=size)


def version_ship_ms() -> np.ndarray:
    """Return the UTC milliseconds at which each app version ships."""
    return np.array(
        [product.RANGE_START_MS + day * product.DAY_MS + hour * 3_600_000 for _, day, hour in product.VERSIONS],
        dtype=np.int64,
    )


def version_index(utc_ms: np.ndarray, update_delay_ms: np.ndarray) -> np.ndarray:
    """Return the index in ``product.VERSIONS`` of the app version a device runs at ``utc_ms``.

    A device updates ``update_delay_ms`` after a version ships (0 on the web).
    The first version predates the range, so every device runs at least that one.
    """
    ship_ms = version_ship_ms()
    installed = (utc_ms[:, None] >= ship_ms[None, :] + update_delay_ms[:, None]).sum(axis=1)
    return np.maximum(installed - 1, 0)

