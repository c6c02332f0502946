"""CRS choice for delivered files and the VN-2000 → WGS 84 transformation (rotation-sign pitfall)."""

from __future__ import annotations

import numpy as np
import pytest
from osgeo import osr
from pyproj import Transformer

from ioc_qgis_plugin.land import crs_choice
from ioc_qgis_plugin.land.errors import CadastreError

SEC = np.pi / 180 / 3600
PUBLISHED = dict(  # coordinate-frame, as published
    T=np.array([-191.90441429, -39.30318279, -111.45032835]),
    r=np.array([-0.00928836, 0.01975479, -0.00427372]) * SEC,
    s=1 + 0.252906278e-6,
)


def helmert_coordinate_frame(lon, lat, sign=1.0):
    """VN-2000 geographic → WGS 84 by hand; sign=-1 applies the rotations the wrong way round."""
    geo = Transformer.from_crs("+proj=longlat +ellps=WGS84", "+proj=geocent +ellps=WGS84", always_xy=True)
    X = np.array(geo.transform(lon, lat, 0.0))
    rx, ry, rz = sign * PUBLISHED["r"]
    R = np.array([[1, rz, -ry], [-rz, 1, rx], [ry, -rx, 1]])
    Xw = PUBLISHED["T"] + PUBLISHED["s"] * R @ X
    back = Transformer.from_crs("+proj=geocent +ellps=WGS84", "+proj=longlat +ellps=WGS84", always_xy=True)
    return back.transform(*Xw)[:2]


def _epsg_wkt(code: int) -> str:
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(code)
    return srs.ExportToWkt()


@pytest.mark.parametrize("epsg,meridian", [(5899, 107.75), (9210, 105.75)])
def test_known_point_vn2000_to_wgs84(epsg, meridian):
    """A point in TM-3 through the import's OGR transformation equals the published Helmert applied by hand."""
    source = crs_choice.resolve(_epsg_wkt(epsg))
    ct = crs_choice.to_wgs84(source)
    x, y = 502000.0, 1210000.0
    lon, lat, _ = ct.TransformPoint(x, y)
    to_geog = Transformer.from_crs(
        f"+proj=tmerc +lat_0=0 +lon_0={meridian} +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 +units=m",
        "+proj=longlat +ellps=WGS84",
        always_xy=True,
    )
    glon, glat = to_geog.transform(x, y)
    elon, elat = helmert_coordinate_frame(glon, glat)
    wlon, wlat = helmert_coordinate_frame(glon, glat, sign=-1.0)
    to_m = Transformer.from_crs(4326, 32648, always_xy=True)
    a, b, w = to_m.transform(lon, lat), to_m.transform(elon, elat), to_m.transform(wlon, wlat)
    assert np.hypot(a[0] - b[0], a[1] - b[1]) < 0.02  # centimetres
    assert np.hypot(a[0] - w[0], a[1] - w[1]) > 0.3  # the sign pitfall would be visible at this point
    assert 107.0 < lon < 108.5 if meridian == 107.75 else 105.0 < lon < 106.5


def test_resolve_cases():
    with pytest.raises(CadastreError, match="no coordinate reference system"):
        crs_choice.resolve("")
    assumed = crs_choice.resolve("", "LD")
    assert assumed.province.code == "LD" and "assumed" in assumed.note
    with pytest.raises(CadastreError, match="Wrong CRS.*105°45′.*Bình Phước"):
        crs_choice.resolve(_epsg_wkt(9210), "BP")
    geo = crs_choice.resolve(_epsg_wkt(4326))
    assert geo.geographic
    utm = crs_choice.resolve(_epsg_wkt(3405))  # VN-2000 / UTM 48N: rebuilt with the VN-2000 shift
    assert "+towgs84=-191.904" in utm.definition and "+k=0.9996" in utm.definition
    with pytest.raises(CadastreError, match="not in the CRS registry"):
        crs_choice.resolve("", "XX")
