"""Timestamps: ISO 8601 in, UTC ISO 'Z' out; the city's zone fills in a missing offset.

Stored times are UTC text ('YYYY-MM-DDTHH:MM:SSZ', the GeoPackage DATETIME form) so that sorting, filtering
and QGIS's temporal controller agree; numeric work uses epoch seconds (float64, NaN = missing).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Iterable, Optional

import numpy as np

CITY_TZ = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")  # Vietnam has no daylight saving time


def parse_iso(value: object, default_tz: timezone = CITY_TZ) -> Optional[datetime]:
    """Parse ISO 8601 text (or a datetime) into an aware datetime; naive values take the city's zone."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        dt = value
    else:
        text = str(value).strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        dt = datetime.fromisoformat(text.replace(" ", "T", 1) if "T" not in text and " " in text else text)
    return dt if dt.tzinfo else dt.replace(tzinfo=default_tz)


def to_utc_iso(value: object) -> Optional[str]:
    dt = parse_iso(value)
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z") if dt else None


def now_utc_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def epoch_to_iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def iso_to_epoch_array(values: Iterable[Optional[str]]) -> np.ndarray:
    """Vectorised parse of stored UTC 'Z' strings (None/'' → NaN) into epoch seconds."""
    arr = np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=object)
    out = np.full(arr.shape, np.nan)
    mask = np.array([isinstance(v, str) and len(v) >= 19 for v in arr], dtype=bool) if arr.size else arr.astype(bool)
    if mask.any():
        stripped = np.array([v[:19] for v in arr[mask]], dtype="datetime64[s]")
        out[mask] = stripped.astype(np.int64).astype(np.float64)
    return out


def epoch_array_to_iso(values: np.ndarray) -> list[Optional[str]]:
    """Inverse of iso_to_epoch_array; vectorised through numpy's datetime64 formatting."""
    values = np.asarray(values, dtype=np.float64)
    out: list[Optional[str]] = [None] * len(values)
    ok = ~np.isnan(values)
    if ok.any():
        text = np.datetime_as_string(values[ok].astype("int64").astype("datetime64[s]"), unit="s")
        for i, t in zip(np.flatnonzero(ok), text):
            out[i] = t + ".000Z"
    return out
