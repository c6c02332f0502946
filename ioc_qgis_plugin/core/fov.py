"""Camera field of view as a geodesic wedge (WGS 84), used by coverage analytics and report→camera lookups."""

from __future__ import annotations

import numpy as np
from pyproj import Geod
from shapely.geometry import Point, Polygon

_GEOD = Geod(ellps="WGS84")


def fov_wedge(
    lon: float,
    lat: float,
    bearing: float | None,
    angle: float | None,
    range_m: float | None,
    segments: int = 24,
) -> Polygon:
    """Wedge from the camera, centred on `bearing`, `angle` degrees wide, `range_m` metres long (geodesic).

    A camera without bearing/angle is treated as seeing all around (360°) so it is not silently dropped;
    without a range there is no wedge (empty polygon).
    """
    if range_m is None or not np.isfinite(range_m) or range_m <= 0:
        return Polygon()
    if bearing is None or angle is None or not np.isfinite(bearing) or not np.isfinite(angle) or angle >= 360:
        azimuths = np.linspace(0.0, 360.0, segments * 4, endpoint=False)
        lons, lats, _ = _GEOD.fwd(
            np.full_like(azimuths, lon),
            np.full_like(azimuths, lat),
            azimuths,
            np.full_like(azimuths, range_m),
        )
        return Polygon(zip(lons, lats))
    half = max(float(angle), 0.1) / 2.0
    azimuths = np.linspace(bearing - half, bearing + half, segments + 1)
    lons, lats, _ = _GEOD.fwd(
        np.full_like(azimuths, lon), np.full_like(azimuths, lat), azimuths, np.full_like(azimuths, range_m)
    )
    return Polygon([(lon, lat), *zip(lons, lats), (lon, lat)])


def sees(
    lon: float,
    lat: float,
    bearing: float | None,
    angle: float | None,
    range_m: float | None,
    px: float,
    py: float,
) -> bool:
    """True if the point (px, py) lies inside the camera's wedge."""
    return fov_wedge(lon, lat, bearing, angle, range_m).covers(Point(px, py))
