import numpy as np
import pytest
from pyproj import Transformer

from ioc_qgis_plugin.core import crs, statuses, timeutil
from ioc_qgis_plugin.core.fov import fov_wedge, sees
from ioc_qgis_plugin.core.land_use import land_uses


def test_transitions():
    assert statuses.check_transition("submitted", "received") == statuses.ReportStatus.RECEIVED
    with pytest.raises(statuses.TransitionError):
        statuses.check_transition("submitted", "closed")
    assert statuses.from_open311("closed") == statuses.ReportStatus.CLOSED
    assert statuses.from_open311("open") == statuses.ReportStatus.RECEIVED
    assert statuses.ReportStatus.IN_PROGRESS.label("vi") == "Đang xử lý"


def test_time_without_offset_is_city_time():
    assert timeutil.to_utc_iso("2026-03-01T09:00:00") == "2026-03-01T02:00:00.000Z"
    assert timeutil.to_utc_iso("2026-03-01T09:00:00Z") == "2026-03-01T09:00:00.000Z"
    assert timeutil.to_utc_iso("2026-03-01 09:00:00-05:00") == "2026-03-01T14:00:00.000Z"
    arr = timeutil.iso_to_epoch_array(["1970-01-01T00:01:00.000Z", None, ""])
    assert arr[0] == 60 and np.isnan(arr[1]) and np.isnan(arr[2])
    assert timeutil.epoch_array_to_iso(np.array([60.0, np.nan])) == ["1970-01-01T00:01:00.000Z", None]


def test_registry_matches_epsg_definition():
    dn = crs.province("DN")
    assert dn.epsg == 5899 and dn.central_meridian == 107.75
    with pytest.raises(KeyError, match="not in the CRS registry"):
        crs.province("XX")


def test_towgs84_rotation_signs():
    """The published VN-2000 → WGS 84 parameters are coordinate-frame; PROJ's +towgs84 is position-vector.

    Check against the published transformation applied by hand (Helmert, coordinate-frame convention) on the
    geocentric coordinates of a point in Đồng Nai: with the rotation signs wrong the result moves by ~0.5 m.
    """
    dn = crs.province("DN")
    to_wgs = Transformer.from_crs(dn.proj4, "EPSG:4326", always_xy=True)
    x, y = 500000.0 + 2000.0, 1210000.0
    lon, lat = to_wgs.transform(x, y)
    # independent computation: VN-2000 TM-3 → VN-2000 geographic (same ellipsoid) → geocentric → Helmert → WGS 84
    to_geog = Transformer.from_crs(
        "+proj=tmerc +lat_0=0 +lon_0=107.75 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 +units=m",
        "+proj=longlat +ellps=WGS84",
        always_xy=True,
    )
    glon, glat = to_geog.transform(x, y)
    geo = Transformer.from_crs("+proj=longlat +ellps=WGS84", "+proj=geocent +ellps=WGS84", always_xy=True)
    X, Y, Z = geo.transform(glon, glat, 0.0)
    sec = np.pi / 180 / 3600
    rx, ry, rz = -0.00928836 * sec, 0.01975479 * sec, -0.00427372 * sec  # published, coordinate frame
    s = 1 + 0.252906278e-6
    # coordinate-frame rotation matrix
    R = np.array([[1, rz, -ry], [-rz, 1, rx], [ry, -rx, 1]])
    T = np.array([-191.90441429, -39.30318279, -111.45032835])
    Xw, Yw, Zw = T + s * R @ np.array([X, Y, Z])
    back = Transformer.from_crs("+proj=geocent +ellps=WGS84", "+proj=longlat +ellps=WGS84", always_xy=True)
    elon, elat, _ = back.transform(Xw, Yw, Zw)
    to_m = Transformer.from_crs(4326, 32648, always_xy=True)
    ax, ay = to_m.transform(lon, lat)
    bx, by = to_m.transform(elon, elat)
    assert np.hypot(ax - bx, ay - by) < 0.02  # centimetres, not half a metre


def test_fov_wedge_geodesic_range():
    wedge = fov_wedge(107.24, 10.94, 90.0, 60.0, 100.0)
    geod = Transformer.from_crs(4326, 5899, always_xy=True)
    cx, cy = geod.transform(107.24, 10.94)
    xs, ys = geod.transform(*wedge.exterior.xy)
    d = np.hypot(np.array(xs) - cx, np.array(ys) - cy)
    assert d.max() == pytest.approx(100.0, rel=2e-3)
    assert sees(107.24, 10.94, 90.0, 60.0, 100.0, 107.2405, 10.94)  # ~55 m east
    assert not sees(107.24, 10.94, 90.0, 60.0, 100.0, 107.2395, 10.94)  # west, behind the camera
    assert sees(107.24, 10.94, None, None, 100.0, 107.2395, 10.94)  # no bearing: all round


def test_land_use_codes_are_data():
    lus = land_uses()
    assert lus["ODT"].vi == "Đất ở tại đô thị"
    assert len(lus) >= 15
