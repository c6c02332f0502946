"""Sunrise and sunset with NOAA's solar equations (the NOAA Solar Calculator spreadsheet), vectorised in numpy.

Accuracy is about a minute for latitudes within ±72°, plenty to tell day from night for street lights.
Times are epoch seconds (UTC); the city's date is its local solar date, so Vietnam's 05:30 sunrise (22:30 UTC the
day before) belongs to the right day.
"""

from __future__ import annotations

import numpy as np

_ZENITH = 90.833  # refraction and the sun's radius at sunrise/sunset


def sun_times(day: np.ndarray, lat: float, lon: float) -> tuple[np.ndarray, np.ndarray]:
    """Local solar day numbers (days since 1970-01-01) → (sunrise, sunset) epoch s; NaN in polar day/night."""
    day = np.asarray(day, dtype=np.float64)
    noon_guess = day + 0.5 - lon / 360.0  # UTC fraction of the local solar noon
    jd = noon_guess + 2440587.5
    t = (jd - 2451545.0) / 36525.0
    l0 = np.mod(280.46646 + t * (36000.76983 + t * 0.0003032), 360.0)
    m = 357.52911 + t * (35999.05029 - 0.0001537 * t)
    ecc = 0.016708634 - t * (0.000042037 + 0.0000001267 * t)
    mr = np.radians(m)
    c = (
        np.sin(mr) * (1.914602 - t * (0.004817 + 0.000014 * t))
        + np.sin(2 * mr) * (0.019993 - 0.000101 * t)
        + np.sin(3 * mr) * 0.000289
    )
    omega = np.radians(125.04 - 1934.136 * t)
    app_long = np.radians(l0 + c - 0.00569 - 0.00478 * np.sin(omega))
    mean_obliq = 23.0 + (26.0 + (21.448 - t * (46.815 + t * (0.00059 - t * 0.001813))) / 60.0) / 60.0
    obliq = np.radians(mean_obliq + 0.00256 * np.cos(omega))
    decl = np.arcsin(np.sin(obliq) * np.sin(app_long))
    y = np.tan(obliq / 2) ** 2
    l0r = np.radians(l0)
    eot = 4 * np.degrees(
        y * np.sin(2 * l0r)
        - 2 * ecc * np.sin(mr)
        + 4 * ecc * y * np.sin(mr) * np.cos(2 * l0r)
        - 0.5 * y * y * np.sin(4 * l0r)
        - 1.25 * ecc * ecc * np.sin(2 * mr)
    )  # minutes
    latr = np.radians(lat)
    cos_ha = np.cos(np.radians(_ZENITH)) / (np.cos(latr) * np.cos(decl)) - np.tan(latr) * np.tan(decl)
    with np.errstate(invalid="ignore"):
        ha = np.degrees(np.arccos(np.where(np.abs(cos_ha) <= 1, cos_ha, np.nan)))
    noon_min = 720.0 - 4.0 * lon - eot  # minutes after 00:00 UTC of `day`
    base = day * 86400.0
    return base + (noon_min - 4 * ha) * 60.0, base + (noon_min + 4 * ha) * 60.0


def local_solar_day(epoch: np.ndarray, lon: float) -> np.ndarray:
    return np.floor((np.asarray(epoch, dtype=np.float64) + lon / 360.0 * 86400.0) / 86400.0)


def daylight(epoch: np.ndarray, lat: float, lon: float, margin_s: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """(is_day, is_night) at each time; within `margin_s` of sunrise/sunset a time is neither (twilight)."""
    epoch = np.asarray(epoch, dtype=np.float64)
    rise, sset = sun_times(local_solar_day(epoch, lon), lat, lon)
    with np.errstate(invalid="ignore"):
        is_day = (epoch >= rise + margin_s) & (epoch <= sset - margin_s)
        is_night = (epoch < rise - margin_s) | (epoch > sset + margin_s)
    return is_day & ~np.isnan(epoch), is_night & ~np.isnan(epoch)
