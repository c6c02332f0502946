"""Numbers, dates and times as the user reads them: the UI locale's formats (QLocale, which QGIS sets from its
language settings), times always in the city's time zone (core.timeutil.CITY_TZ), never the machine's."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from qgis.PyQt.QtCore import QDate, QDateTime, QLocale, QTime

from ..core.timeutil import CITY_TZ, parse_iso


def number(value: Any, decimals: Optional[int] = None) -> str:
    """1.234 / 1,234 (and 1.234,5 / 1,234.5 with decimals) as the UI locale writes it; "" for None/NaN."""
    if value is None:
        return ""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if v != v:
        return ""
    if decimals is None and v.is_integer():
        return QLocale().toString(int(v))
    return QLocale().toString(v, "f", 1 if decimals is None else decimals)


def _city(value: Any) -> Optional[datetime]:
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        return None if value != value else datetime.fromtimestamp(float(value), CITY_TZ)
    dt = parse_iso(value)  # ISO text or datetime; naive values are taken as the city's time
    return dt.astimezone(CITY_TZ) if dt is not None else None


def city_datetime(value: Any, empty: str = "–") -> str:
    """An epoch, ISO string or datetime as the city's local date and time in the UI locale's short format."""
    dt = _city(value)
    if dt is None:
        return empty
    qdt = QDateTime(QDate(dt.year, dt.month, dt.day), QTime(dt.hour, dt.minute))
    return QLocale().toString(qdt, QLocale().dateTimeFormat(QLocale.ShortFormat))


def city_date(value: Any, empty: str = "–") -> str:
    dt = _city(value)
    if dt is None:
        return empty
    return QLocale().toString(QDate(dt.year, dt.month, dt.day), QLocale.ShortFormat)


def city_time(value: Any, seconds: bool = False, empty: str = "–") -> str:
    dt = _city(value)
    if dt is None:
        return empty
    fmt = QLocale().timeFormat(QLocale.ShortFormat)
    if seconds and ":ss" not in fmt:
        fmt = fmt.replace("mm", "mm:ss", 1)
    return QLocale().toString(QTime(dt.hour, dt.minute, dt.second), fmt)
